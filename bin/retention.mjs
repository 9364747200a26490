#!/usr/bin/env node
// The `retention` command: runs the TypeScript CLI through tsx, so there is no build step.
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv);
