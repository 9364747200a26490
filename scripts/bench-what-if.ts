/**
 * What-if at scale (`npm run bench:what-if`; SPEC.md "Scale", issue #16): `config diff --sample` on a
 * large cohort, timed, and how close a sample comes to the whole run on a cohort small enough to run
 * whole.
 *
 *   npm run bench:what-if -- [--whole 10000] [--large 100000] [--sample 2000] [--days 30] [--set cadence.minDaysBetween=10] [--json <file>]
 *
 * 1. Writes deterministic cohorts (scripts/demo-data.ts, seed 7, no invalid lines) of `--large` and
 *    `--whole` customers.
 * 2. Runs `retention config diff --sample <n>` on the large cohort as a user would (the CLI, in its own
 *    process, on one DynamoDB Local and SES emulator started here), and prints its output and wall time.
 * 3. Runs `config diff` on the `--whole` cohort whole and with `--sample <n>`, and prints each figure:
 *    the whole run's, the sample's estimate with its 95 % interval, and whether the whole figure lies in it.
 *
 * `--large 0` or `--whole 0` skips that part. The shipped configuration is compared with one changed
 * setting (`--set`, default cadence.minDaysBetween 7 → 10).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { generateCohort } from './demo-data.js';
import { startLocalStack } from '../functions/local/local-stack.js';
import type { ConfigDiffFigures } from '../functions/cli/config-diff.js';

const { values } = parseArgs({
  options: {
    whole: { type: 'string', default: '10000' },
    large: { type: 'string', default: '100000' },
    sample: { type: 'string', default: '2000' },
    days: { type: 'string', default: '30' },
    start: { type: 'string', default: '2027-01-01' },
    set: { type: 'string', default: 'cadence.minDaysBetween=10' },
    json: { type: 'string' },
  },
});
const whole = Number(values.whole);
const large = Number(values.large);
const sampleSize = Number(values.sample);
const days = Number(values.days);
for (const [name, value] of [['whole', whole], ['large', large], ['sample', sampleSize], ['days', days]] as const) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number ≥ 0, got '${values[name]}'`);
}

const dir = await mkdtemp(join(tmpdir(), 'retention-what-if-'));
const cohortFile = async (customers: number) => {
  const file = join(dir, `cohort-${customers}.ndjson`);
  await writeFile(file, `${generateCohort({ customers, seed: 7, startDate: values.start! }).join('\n')}\n`);
  return file;
};

let runs = 0;
/**
 * `retention config diff` in its own process; its figures from --json, its wall time from here. Each
 * run gets a DynamoDB Local of its own: one that still holds an earlier run's tables answers slower.
 */
const configDiff = async (file: string, sample?: number) => {
  const stack = await startLocalStack();
  try {
    return await configDiffOn(stack, file, sample);
  } finally {
    await stack.stop();
  }
};
const configDiffOn = async (stack: { dynamodbEndpoint: string }, file: string, sample?: number) => {
  const json = join(dir, `diff-${++runs}.json`);
  const args = ['bin/retention.mjs', 'config', 'diff', '--data', file, '--start', values.start!, '--days', String(days), '--set', values.set!, '--dynamodb-endpoint', stack.dynamodbEndpoint, '--table-prefix', `whatif-${runs}-`, '--json', json];
  if (sample !== undefined) args.push('--sample', String(sample));
  const started = performance.now();
  const { stdout } = await promisify(execFile)('node', args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, RETENTION_LOG_LEVEL: 'SILENT' } });
  const seconds = (performance.now() - started) / 1000;
  return { stdout, seconds, figures: JSON.parse(await readFile(json, 'utf8')) as ConfigDiffFigures };
};

const count = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const results: Record<string, unknown> = { days, start: values.start, set: values.set, sample: sampleSize };
{
  if (large > 0) {
    const file = await cohortFile(large);
    console.log(`\n== config diff --sample ${count(sampleSize)} on ${count(large)} customers, ${days} days (--set ${values.set}) ==`);
    const run = await configDiff(file, sampleSize);
    console.log(run.stdout.trim());
    console.log(`\nwall time: ${run.seconds.toFixed(1)} s (the whole command: cohort read and sampled, DynamoDB tables made, both configurations simulated)`);
    results.large = { customers: large, seconds: Number(run.seconds.toFixed(1)), figures: run.figures };
  }
  if (whole > 0) {
    const file = await cohortFile(whole);
    console.log(`\n== ${count(whole)} customers, ${days} days: config diff whole, and with --sample ${count(sampleSize)} ==`);
    const full = await configDiff(file);
    const sampled = await configDiff(file, sampleSize);
    const rows: string[][] = [['figure', 'side', 'whole run', `sample of ${count(sampleSize)}: estimate (95 % interval)`, 'in it?']];
    let inside = 0;
    let compared = 0;
    for (const [name, sides] of Object.entries(sampled.figures.figures)) {
      const exact = full.figures.figures[name];
      for (const side of ['current', 'proposed', 'change'] as const) {
        const estimate = sides[side];
        const digits = name === 'messages per customer-month' ? 2 : 0;
        const truth = exact?.[side].estimate ?? 0;
        const isIn = estimate.interval[0] <= truth + 1e-9 && truth <= estimate.interval[1] + 1e-9;
        compared++;
        if (isIn) inside++;
        rows.push([name, side, count(truth, digits), `${count(estimate.estimate, digits)} (${count(estimate.interval[0], digits)} to ${count(estimate.interval[1], digits)})`, isIn ? 'yes' : 'NO']);
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
    console.log(`\n${inside} of ${compared} whole-run figures lie inside the sample's 95 % interval`);
    console.log(`wall time: whole ${full.seconds.toFixed(1)} s, sample of ${count(sampleSize)} ${sampled.seconds.toFixed(1)} s`);
    results.whole = { customers: whole, seconds: { whole: Number(full.seconds.toFixed(1)), sample: Number(sampled.seconds.toFixed(1)) }, inside, compared, wholeFigures: full.figures, sampleFigures: sampled.figures };
  }
  if (values.json) await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
}
