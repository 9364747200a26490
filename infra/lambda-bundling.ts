import { fileURLToPath } from 'node:url';

/**
 * The esbuild options every function is bundled with beyond format, target and minify, shared with
 * `npm run cold-start` and the bundle-size test (scripts/lambda-bundle.ts), so they measure what ships.
 */
export const lambdaBundling = {
  // ESM bundles of CommonJS dependencies still call require().
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Bundle the AWS SDK too: we pin its version, and only what a function imports ships. Only
  // `source-map` stays out (26 KB): Handlebars' compiler requires it inside a try and falls back to its
  // own string builder, which writes the same template functions.
  externalModules: ['source-map'],
  // The ES module builds (`module`) before the CommonJS ones (`main`): the AWS SDK's dist-es can be
  // tree-shaken, its dist-cjs cannot (every command and credential provider came along).
  mainFields: ['module', 'main'],
  // A function's credentials come from its environment in Lambda: the SDK's default chain is replaced by
  // its first link (functions/adapters/lambda-credentials.ts).
  alias: { '@aws-sdk/credential-provider-node': fileURLToPath(new URL('../functions/adapters/lambda-credentials.ts', import.meta.url)) },
} as const;
