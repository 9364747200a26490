import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { holdoutGroupOf } from '../../functions/core/measurement/holdout.js';
import type { LiftOutput } from '../../functions/cli/lift.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import type { SimulationReport } from '../../functions/local/report.js';
import { cli, endpoints, uniquePrefix } from './helpers.js';

/**
 * `retention lift` on DynamoDB Local: a cohort whose contracts, interactions and complaints follow
 * each customer's holdout group, so the two groups differ; every count and rate the command prints
 * must be what the records say, counted here by the definitions of docs/measurement.md.
 */

const SALT = 'lift-integration';
const measurement = { holdoutPercent: 50, salt: SALT, campaigns: {} };

const tempFile = async (name: string, content: string): Promise<string> => {
  const path = join(await mkdtemp(join(tmpdir(), 'retention-lift-')), name);
  await writeFile(path, content);
  return path;
};

interface Cohort {
  readonly lines: Record<string, unknown>[];
  readonly expected: Record<'renewal' | 'interaction30' | 'interaction90' | 'complaintsReopened', Record<'treated' | 'heldOut', { n: number; events: number }>>;
  readonly groups: { treated: number; heldOut: number };
}

/**
 * 120 customers (or `customers`) from 2026, one made after the window opened; per customer a contract ending in the
 * window (renewed more often when treated), one ending after it, interactions on days spread over
 * the window, and a complaint resolved in it (reopened more often when held out). `at` shifts every
 * record's date by `shiftDays` (a simulation's window).
 */
const cohortOf = (prefix: string, since: string, days = 0, customers = 120): Cohort => {
  const day = (n: number, time = '10:00:00.000Z') => new Date(Date.parse(`${since}T${time}`) + (n + days) * 86_400_000).toISOString();
  const date = (n: number) => day(n).slice(0, 10);
  const lines: Record<string, unknown>[] = [];
  const zero = () => ({ treated: { n: 0, events: 0 }, heldOut: { n: 0, events: 0 } });
  const expected: Cohort['expected'] = { renewal: zero(), interaction30: zero(), interaction90: zero(), complaintsReopened: zero() };
  const groups = { treated: 0, heldOut: 0 };
  for (let i = 0; i < customers; i++) {
    const id = `${prefix}c${i}`;
    const group = holdoutGroupOf(id, measurement) as 'treated' | 'heldOut';
    groups[group]++;
    const late = i === 0; // created after since: not in the interaction outcomes
    lines.push({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'Europe/Madrid', marketingOptIn: i % 3 !== 0, createdAt: late ? day(1) : '2026-05-01T00:00:00.000Z' });
    const renewed = group === 'treated' ? i % 5 !== 0 : i % 3 === 0; // 80 % against 33 %: beyond chance whatever the split
    lines.push({ type: 'contract', contractId: `k${i}`, customerId: id, endsOn: date(5 + (i % 80)), status: renewed ? 'renewed' : 'active' });
    expected.renewal[group].n++;
    if (renewed) expected.renewal[group].events++;
    lines.push({ type: 'contract', contractId: `later${i}`, customerId: id, endsOn: date(200), status: 'renewed' }); // after the window
    lines.push({ type: 'contract', contractId: `auto${i}`, customerId: id, endsOn: date(10), autoRenew: true, status: 'renewed' }); // renews by itself
    const interactionDay = i % 4 === 0 ? 10 : i % 4 === 1 ? 60 : i % 4 === 2 ? 150 : null;
    if (interactionDay !== null) lines.push({ type: 'interaction', interactionId: `o${i}`, customerId: id, completedAt: day(interactionDay) });
    if (!late) {
      expected.interaction30[group].n++;
      expected.interaction90[group].n++;
      if (interactionDay !== null && interactionDay <= 30) expected.interaction30[group].events++;
      if (interactionDay !== null && interactionDay <= 90) expected.interaction90[group].events++;
    }
    const reopened = group === 'heldOut' ? i % 2 === 0 : i % 10 === 0; // 50 % against 10 %
    lines.push({ type: 'complaint', complaintId: `q${i}`, customerId: id, openedAt: day(2), status: reopened ? 'open' : 'resolved', resolvedAt: day(3), ...(reopened ? { reopenedAt: day(8) } : {}) });
    expected.complaintsReopened[group].n++;
    if (reopened) expected.complaintsReopened[group].events++;
  }
  return { lines, expected, groups };
};

const expectCounts = (output: LiftOutput, cohort: Cohort) => {
  expect(output.groups).toEqual({ ...cohort.groups, mixed: 0 });
  for (const outcome of output.outcomes) {
    const wanted = cohort.expected[outcome.name];
    expect(outcome.comparison, outcome.name).toMatchObject({
      treated: { ...wanted.treated, rate: wanted.treated.events / wanted.treated.n },
      heldOut: { ...wanted.heldOut, rate: wanted.heldOut.events / wanted.heldOut.n },
    });
  }
};

describe('retention lift on a stack', () => {
  it('compares held-out and treated customers of the imported records, as the records say, and prints it as a table', async () => {
    // Prepare
    const prefix = uniquePrefix('lift');
    const cohort = cohortOf(prefix, '2027-01-01');
    expect(cohort.groups.treated).toBeGreaterThanOrEqual(30);
    expect(cohort.groups.heldOut).toBeGreaterThanOrEqual(30);
    const file = await tempFile('cohort.ndjson', cohort.lines.map((line) => JSON.stringify(line)).join('\n'));
    expect((await cli(prefix, 'import', file)).code).toBe(0);
    expect((await cli(prefix, 'config', 'set', `measurement.salt="${SALT}"`)).code).toBe(0);
    expect((await cli(prefix, 'config', 'set', 'measurement.holdoutPercent=50')).code).toBe(0);

    // Act
    const json = await cli(prefix, 'lift', '--since', '2027-01-01', '--until', '2027-04-01', '--json');
    const text = await cli(prefix, 'lift', '--since', '2027-01-01', '--until', '2027-04-01');

    // Assess
    expect(json.code).toBe(0);
    expect(json.stderr).toContain(`working on the local stack (no --stack or --outputs): DynamoDB at ${endpoints().dynamodbEndpoint}, tables ${prefix}*`);
    const output = JSON.parse(json.stdout) as LiftOutput;
    expect(output.window).toEqual({ since: '2027-01-01', until: '2027-04-01' });
    expect(output.holdoutPercent).toEqual({ birthday: 50, renewal: 50, survey: 50, keepInTouch: 50 });
    expect(output.outcomes.map((o) => o.name)).toEqual(['renewal', 'interaction30', 'interaction90', 'complaintsReopened']);
    expectCounts(output, cohort);
    const renewal = output.outcomes[0]!;
    expect(renewal.comparison!.verdict).toBe('higher');
    expect(output.outcomes[3]!.comparison!.verdict).toBe('lower');
    expect(output.outcomes[3]!.sentence).toContain('Fewer is better here. The messages helped.');
    expect(text.code).toBe(0);
    const { treated, heldOut } = renewal.comparison!;
    expect(text.stdout).toMatch(new RegExp(`Contracts renewed\\s+contracts\\s+${treated.events}/${treated.n} ${(treated.rate * 100).toFixed(1)} %\\s+${heldOut.events}/${heldOut.n} ${(heldOut.rate * 100).toFixed(1)} %`));
    expect(text.stdout).toContain("Interval: Newcombe's hybrid score interval (Newcombe 1998, method 10), 95 %");
    expect(text.stdout).toContain(`Groups: ${cohort.groups.treated} treated, ${cohort.groups.heldOut} held out.`);
    expect(text.stdout).not.toMatch(/@example\.com/);
  });

  it('a shorter window says the 90-day outcome is not measurable yet; --campaign narrows the groups; a deployed stack through --outputs', async () => {
    const prefix = uniquePrefix('lift-out');
    const tables = await createTables(dynamoDbClient(endpoints().dynamodbEndpoint), prefix);
    const outputs = await tempFile('outputs.json', JSON.stringify({ RetentionData: Object.fromEntries(Object.entries(tables).map(([logical, name]) => [`${logical}TableName`, name])) }));
    const target = ['--outputs', outputs];
    const cohort = cohortOf(prefix, '2027-01-01');
    expect((await cli(target, 'import', await tempFile('c.ndjson', cohort.lines.map((line) => JSON.stringify(line)).join('\n')))).code).toBe(0);
    expect((await cli(target, 'config', 'set', `measurement.salt="${SALT}"`)).code).toBe(0);
    expect((await cli(target, 'config', 'set', 'measurement.campaigns={"renewal":{"holdoutPercent":30}}')).code).toBe(0);

    const whole = await cli(target, 'lift', '--since', '2027-01-01', '--until', '2027-03-01');
    expect(whole.code).toBe(0);
    expect(whole.stderr).toContain('working on the deployed stack of');
    expect(whole.stdout).toContain('Nobody is held out of every campaign (only renewal 30 %)');
    expect(whole.stdout).toContain('--campaign renewal');

    const renewal = await cli(target, 'lift', '--since', '2027-01-01', '--until', '2027-03-01', '--campaign', 'renewal', '--json');
    expect(renewal.code).toBe(0);
    const output = JSON.parse(renewal.stdout) as LiftOutput;
    const heldOutOfRenewal = cohort.lines.filter((l) => l.type === 'customer' && holdoutGroupOf(String(l.customerId), { holdoutPercent: 0, salt: SALT, campaigns: { renewal: { holdoutPercent: 30 } } }, ['renewal']) === 'heldOut').length;
    expect(output.campaign).toBe('renewal');
    expect(output.groups).toEqual({ treated: 120 - heldOutOfRenewal, heldOut: heldOutOfRenewal, mixed: 0 });
    expect(output.outcomes.find((o) => o.name === 'interaction90')).toMatchObject({ measurable: false, comparison: null });
    expect(output.outcomes.find((o) => o.name === 'interaction90')!.sentence).toContain('Not measurable yet in this window');
    expect(output.outcomes.find((o) => o.name === 'interaction30')!.measurable).toBe(true);
  });

  it('refuses a bad --since, an empty window, and a campaign that is never held out, with exit code 2 naming the option and value', async () => {
    const prefix = uniquePrefix('lift-bad');
    const bad = await cli(prefix, 'lift', '--since', '2027-02-30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--since <date>' argument '2027-02-30' is invalid");
    const empty = await cli(prefix, 'lift', '--since', '2027-04-01', '--until', '2027-04-01');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--since 2027-04-01 is not before --until 2027-04-01');
    const campaign = await cli(prefix, 'lift', '--campaign', 'complaintFollowUp');
    expect(campaign.code).toBe(2);
    expect(campaign.stderr).toContain("'complaintFollowUp' is never held out");
  });
});

describe('retention lift --report', () => {
  it('reads the lift section a simulation wrote: the same counts as the records, over the simulation window by default', async () => {
    // Prepare: the cohort dated in the simulation's window; a configuration holding out half
    // 40 customers: the counts are compared, not their significance, and each simulated customer costs.
    const cohort = cohortOf(uniquePrefix('lift-sim'), '2027-01-01', 0, 40);
    const data = await tempFile('d.ndjson', cohort.lines.map((line) => JSON.stringify(line)).join('\n'));
    const config = await tempFile('config.json', JSON.stringify({ ...defaultConfig, measurement }));
    const out = join(await mkdtemp(join(tmpdir(), 'retention-lift-out-')), 'report.json');
    const simulated = await cli([], 'simulate', '--data', data, '--start', '2027-01-01', '--days', '31', '--config', config, '--out', out, '--ses-endpoint', endpoints().sesEndpoint);
    expect(simulated.code, simulated.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as SimulationReport;
    expect(report.lift!.result.window).toEqual({ since: '2027-01-01', until: '2027-02-01' });
    expect(JSON.stringify(report.lift!.facts)).not.toContain('@');

    // Act
    const fromReport = await cli([], 'lift', '--report', out, '--json');
    const narrower = await cli([], 'lift', '--report', out, '--since', '2027-01-01', '--until', '2027-01-20', '--json');

    // Assess: renewal counts only contracts ending in the 31 days
    expect(fromReport.code, fromReport.stderr).toBe(0);
    const output = JSON.parse(fromReport.stdout) as LiftOutput;
    expect(output.source).toBe(`the simulation report ${out}`);
    expect(output.window).toEqual({ since: '2027-01-01', until: '2027-02-01' });
    expect(output.outcomes).toEqual(report.lift!.result.outcomes);
    const contractsIn = (until: string) =>
      cohort.lines.filter((l) => l.type === 'contract' && l.autoRenew !== true && String(l.endsOn) >= '2027-01-01' && String(l.endsOn) < until);
    const renewal = output.outcomes.find((o) => o.name === 'renewal')!.comparison!;
    expect(renewal.treated.n + renewal.heldOut.n).toBe(contractsIn('2027-02-01').length);
    expect(renewal.treated.events + renewal.heldOut.events).toBe(contractsIn('2027-02-01').filter((l) => l.status === 'renewed').length);
    expect(output.outcomes.find((o) => o.name === 'interaction30')!.comparison).toMatchObject(cohort.expected.interaction30);
    expect(output.outcomes.find((o) => o.name === 'complaintsReopened')!.comparison).toMatchObject(cohort.expected.complaintsReopened);
    expect(output.outcomes.find((o) => o.name === 'interaction90')!.measurable).toBe(false);
    const narrowed = JSON.parse(narrower.stdout) as LiftOutput;
    const narrowRenewal = narrowed.outcomes.find((o) => o.name === 'renewal')!.comparison!;
    expect(narrowRenewal.treated.n + narrowRenewal.heldOut.n).toBe(contractsIn('2027-01-20').length);
    expect(narrowed.outcomes.find((o) => o.name === 'interaction30')!.measurable).toBe(false);
  });

  it('refuses a report without a lift section, and --report with a stack option', async () => {
    const old = await tempFile('old.json', JSON.stringify({ window: { start: '2027-01-01T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' }, messages: [] }));
    const refused = await cli([], 'lift', '--report', old);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no lift section');
    const both = await cli(uniquePrefix('lift-both'), 'lift', '--report', old);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--report reads a simulation report; --table-prefix is for a stack');
  });
});
