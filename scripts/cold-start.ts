/**
 * Cold start (`npm run cold-start`): for each Lambda, its bundle built as the CDK app builds it
 * (esbuild, ESM, minified, the AWS SDK bundled), its size, and the time a fresh Node process takes to
 * import its handler, beside a bare `node -e 0` in the same run (medians of several runs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { bundleHandler, lambdaHandlers } from './lambda-bundle.js';

const RUNS = 7;
const out = mkdtempSync(join(tmpdir(), 'retention-bundles-'));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const timeNode = (args: string[]) =>
  median(
    Array.from({ length: RUNS }, () => {
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { env: { ...process.env, POWERTOOLS_SERVICE_NAME: 'retention', AWS_REGION: 'eu-west-1' } });
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
      return performance.now() - started;
    }),
  );

try {
  const bare = timeNode(['-e', '0']);
  const rows: { handler: string; kb: number; importMs: number }[] = [];
  for (const name of lambdaHandlers()) {
    const bundle = join(out, name, 'index.mjs');
    const { bytes } = await bundleHandler(name, bundle);
    const importMs = timeNode(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(bundle).href)});`]);
    rows.push({ handler: name, kb: Math.round(bytes / 1024), importMs });
  }
  console.log(`node -e 0: ${bare.toFixed(0)} ms (median of ${RUNS})`);
  const width = Math.max('handler'.length, ...rows.map((row) => row.handler.length));
  console.log(`${'handler'.padEnd(width)}  bundle (KB)  import in a fresh process (ms)  over bare node (ms)`);
  for (const row of rows) {
    console.log(`${row.handler.padEnd(width)}  ${String(row.kb).padStart(11)}  ${row.importMs.toFixed(0).padStart(30)}  ${(row.importMs - bare).toFixed(0).padStart(18)}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
