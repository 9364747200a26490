#!/usr/bin/env node
// The `retention` command: runs the TypeScript CLI through tsx, so there is no build step.
// Lambda runs Node 24; locally the SDK's Node 20 notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv);
