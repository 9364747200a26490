import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../scripts/demo-data.js';
import { defaultConfig } from '../../functions/core/config.js';
import { sampleCohort, SAMPLE_KEY } from '../../functions/core/sample.js';
import { Z_999 } from '../../functions/core/measurement/sample-estimates.js';
import { customerFiguresOf, scaleToCohort, totalOf } from '../../functions/local/customer-figures.js';
import type { SimulationReport } from '../../functions/local/report.js';
import { simulate, type SimulationResult } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * `simulate --sample` (SPEC.md "Scale", issue #16): a stable sample of customers, simulated with all
 * their records, every figure scaled to the whole cohort with an interval.
 *
 * The ids are fixed (not prefixed per run) so the sample is the same in every run of this test: the
 * cohort, the sample and the simulation are all deterministic, so nothing here can fail by chance. The
 * comparison with the whole run asks each whole figure to lie in its 99.9 % interval (and counts how
 * many lie in the 95 % one), not that every one lies in the 95 % one, which a fair interval misses
 * one time in twenty.
 */
const CUSTOMERS = 150;
const SAMPLE = 50;
const DAYS = 30;
const start = '2027-01-01';
const data = generateCohort({ customers: CUSTOMERS, seed: 5, startDate: start })
  .map((line) => line.replaceAll('"customerId":"', '"customerId":"smp-').replaceAll('"email":"', '"email":"smp-'))
  .join('\n');

const cli = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/retention.mjs', ...args], { timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('simulate --sample on the real local stack', () => {
  let file: string;
  let out: string;
  let printed: string;
  let report: SimulationReport;
  let sampled: SimulationResult;
  let whole: SimulationResult;
  const sample = sampleCohort(data, SAMPLE);

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'retention-sample-'));
    file = join(dir, 'cohort.ndjson');
    out = join(dir, 'report.json');
    await writeFile(file, data);
    const run = (text: string, label: string) =>
      simulate({ ...endpoints(), data: text, start: new Date(`${start}T00:00:00Z`), days: DAYS, config: defaultConfig, tablePrefix: uniquePrefix(label) });
    const [printedRun, sampleRun, wholeRun] = await Promise.all([
      cli('simulate', '--data', file, '--start', start, '--days', String(DAYS), '--sample', String(SAMPLE), '--out', out, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--ses-endpoint', endpoints().sesEndpoint),
      run(sample.text, 'sample'),
      run(data, 'whole'),
    ]);
    expect(printedRun.code, printedRun.stderr).toBe(0);
    printed = printedRun.stdout;
    report = JSON.parse(await readFile(out, 'utf8')) as SimulationReport;
    [sampled, whole] = [sampleRun, wholeRun];
  }, 600_000);

  it('simulates exactly the sampled customers, the same ones in every run', () => {
    const inReport = new Set(report.messages.map((m) => m.customerId));
    const inRun = new Set(sampled.report.messages.map((m) => m.customerId));
    expect(inReport).toEqual(inRun);
    for (const id of inReport) expect(sample.customerIds).toContain(id);
    expect(sampled.customers).toBe(SAMPLE);
    // The same messages, message for message: the same sample, the same simulation.
    expect(report.messages.map((m) => `${m.messageId} ${m.state}`)).toEqual(sampled.report.messages.map((m) => `${m.messageId} ${m.state}`));
  });

  it('says in the JSON report that it is a sample: n, N, the key, each figure scaled × N / n with its interval', () => {
    expect(report.sample).toMatchObject({ n: SAMPLE, N: CUSTOMERS, key: SAMPLE_KEY });
    const sent = report.sample!.figures['messages sent']!;
    expect(sent.sample).toBe(report.messages.filter((m) => m.state === 'sent').length);
    expect(sent.estimate).toBeCloseTo((sent.sample * CUSTOMERS) / SAMPLE, 1);
    expect(sent.interval[0]).toBeLessThanOrEqual(sent.estimate);
    expect(sent.interval[1]).toBeGreaterThan(sent.estimate);
    // The report's figures are the sample's own; the scaled ones are only in `sample`.
    expect(report.summary.sent).toBe(sent.sample);
  });

  it('prints each scaled figure with its interval and what it was scaled from', () => {
    expect(printed).toContain(`The sample's own figures (${SAMPLE} of ${CUSTOMERS} customers)`);
    expect(printed).toContain(`Whole cohort, scaled from ${SAMPLE} of ${CUSTOMERS} customers`);
    expect(printed).toMatch(/messages sent\s+[\d,]+ \(95 % interval [\d,]+ to [\d,]+\)/);
  });

  it('holds the whole run: every figure within its 99.9 % interval, most within the 95 % one', () => {
    const wholeFigures = customerFiguresOf(whole);
    const at95 = scaleToCohort(customerFiguresOf(sampled), sample, sampled.report.window);
    const at999 = scaleToCohort(customerFiguresOf(sampled), sample, sampled.report.window, Z_999);
    const compared = Object.keys(at95.figures).filter((name) => totalOf(wholeFigures.get(name)) > 0 || at95.figures[name]!.sample > 0);
    expect(compared.length).toBeGreaterThan(10);
    const within = (interval: readonly [number, number], value: number) => interval[0] <= value && value <= interval[1];
    const outside999 = compared.filter((name) => !within(at999.figures[name]!.interval, totalOf(wholeFigures.get(name))));
    expect(outside999).toEqual([]);
    const inside95 = compared.filter((name) => within(at95.figures[name]!.interval, totalOf(wholeFigures.get(name))));
    expect(inside95.length / compared.length).toBeGreaterThanOrEqual(0.75);
  });
});
