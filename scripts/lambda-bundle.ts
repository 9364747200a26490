/**
 * Each Lambda's bundle built as the CDK app builds it (infra/retention-function.ts: esbuild, ESM,
 * minified, the options of infra/lambda-bundling.ts), for `npm run cold-start` and the bundle-size test.
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaBundling } from '../infra/lambda-bundling.js';

const handlersDir = fileURLToPath(new URL('../functions/handlers/', import.meta.url));

/** The handlers a Lambda runs: the files that export its `handler` (not the middlewares' or the metrics' modules), without extension. */
export const lambdaHandlers = (): string[] =>
  readdirSync(handlersDir)
    .filter((file) => file.endsWith('.ts') && /^export const handler\b/m.test(readFileSync(join(handlersDir, file), 'utf8')))
    .map((file) => basename(file, '.ts'));

/** Bundles one handler into `outfile`, targeting the Node that runs this (Lambda's is node24, as `npm ci` installs): its size in bytes, and the files with code in it. */
export const bundleHandler = (handler: string, outfile: string): Promise<{ bytes: number; inputs: string[] }> => bundleForLambda(join(handlersDir, `${handler}.ts`), outfile);

/** Bundles any module as a Lambda's handler is bundled. */
export const bundleForLambda = async (entry: string, outfile: string): Promise<{ bytes: number; inputs: string[] }> => {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    minify: true,
    mainFields: [...lambdaBundling.mainFields],
    external: [...lambdaBundling.externalModules],
    alias: { ...lambdaBundling.alias },
    banner: { js: lambdaBundling.banner },
    metafile: true,
    logLevel: 'error',
  });
  // What the bundle holds: the files with code in the output (tree shaking leaves others at 0 bytes).
  const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path));
  return { bytes: statSync(outfile).size, inputs };
};
