import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig, parseConfig } from '../../functions/core/config.js';
import { isHeldOut } from '../../functions/core/measurement/holdout.js';
import { compareProportions } from '../../functions/core/measurement/proportions.js';
import { parseResponseModel } from '../../functions/core/measurement/response-model.js';
import { formatSummary } from '../../functions/cli/summary.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { simulate } from '../../functions/local/simulation.js';
import { readDayState } from '../../functions/local/synthetic-outcomes.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * A simulation with a synthetic response model (docs/response-model.md): a strong renewal effect is
 * planted, half the customers are held out, and the outcomes the model decides go through the
 * Customers table and the stream like a business's records.
 */

const start = new Date('2027-01-01T00:00:00.000Z');
const days = 100;
const customers = 120;
const model = {
  synthetic: true,
  description: 'integration test: renewal reminders triple renewals',
  baseline: { renews: 0.2, buysAgainPerDay: 0.005, complainsPerDay: 0.002, reopens: 0.5 },
  afterMessage: { renewal: { renews: 0.6 }, complaintFollowUp: { reopens: -0.3 } },
};

const cohort = (prefix: string): string =>
  Array.from({ length: customers }, (_, i) => {
    const customerId = `${prefix}c-${i}`;
    // Contracts end from day 35 to day 94, so both reminders (30 and 7 days before) fall in the window.
    const endsOn = new Date(start.getTime() + (35 + (i % 60)) * 86_400_000).toISOString().slice(0, 10);
    return [
      // No marketing consent: only service messages (renewal reminders, complaint follow-ups), to keep it quick.
      { type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: ['Europe/Madrid', 'America/New_York', 'Asia/Tokyo'][i % 3], marketingOptIn: false, createdAt: '2026-01-01T00:00:00.000Z' },
      { type: 'contract', contractId: `${prefix}k-${i}`, customerId, endsOn, plan: 'Yearly', autoRenew: false },
    ].map((record) => JSON.stringify(record)).join('\n');
  }).join('\n');

describe('a simulation with a synthetic response model', () => {
  it('writes the renewals it decides through the stream, labelled synthetic, and treated customers renew more than held-out ones', async () => {
    // Prepare
    const prefix = uniquePrefix('response-model');
    const config = parseConfig({ ...defaultConfig, measurement: { ...defaultConfig.measurement, holdoutPercent: 50, salt: prefix } });

    // Act
    const result = await simulate({
      ...endpoints(),
      data: cohort(prefix),
      start,
      days,
      config,
      tablePrefix: uniquePrefix('response-model-tables'),
      responseModel: { model: parseResponseModel(model), seed: 42, file: 'test-model.json' },
    });

    // Assess: the report and the summary say synthetic.
    const { report } = result;
    expect(report.responseModel).toMatchObject({ synthetic: true, description: model.description, seed: 42, file: 'test-model.json' });
    expect(formatSummary(result, 0)).toContain('SYNTHETIC outcomes from the response model test-model.json (seed 42');
    expect(report.responseModel!.wrote.renewed).toBeGreaterThan(20);
    expect(report.responseModel!.wrote.purchases).toBeGreaterThan(10);
    expect(report.responseModel!.wrote.complaintsOpened).toBeGreaterThan(5);
    expect(result.parked).toEqual([]);

    // Held-out customers were never sent a reminder: their renewal messages ended heldOut.
    const heldOut = (customerId: string) => isHeldOut(customerId, 'renewal', config.measurement);
    const renewals = report.messages.filter((m) => m.campaign === 'renewal');
    expect(renewals.filter((m) => heldOut(m.customerId)).every((m) => m.state === 'heldOut')).toBe(true);
    expect(renewals.filter((m) => !heldOut(m.customerId) && m.state === 'sent').length).toBeGreaterThan(40);

    // The Customers table holds what the model wrote, labelled synthetic.
    const state = await readDayState(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), result.tables);
    const renewed = state.contracts.filter((c) => c.status === 'renewed');
    expect(renewed.length).toBe(report.responseModel!.wrote.renewed);
    expect(renewed.every((c) => c.synthetic === true)).toBe(true);
    const complaints = state.complaints.filter((c) => c.complaintId.startsWith('syn-c-'));
    expect(complaints.length).toBe(report.responseModel!.wrote.complaintsOpened);
    expect(complaints.every((c) => c.synthetic === true)).toBe(true);
    expect(complaints.filter((c) => c.status === 'resolved').length).toBeGreaterThan(0);
    // A reopened complaint is open again, after the resolution it keeps: what lift counts as reopened.
    const reopened = state.complaints.filter((c) => c.reopenedAt !== undefined);
    expect(reopened.length).toBe(report.responseModel!.wrote.complaintsReopened);
    for (const complaint of reopened) expect([complaint.status, complaint.reopenedAt! > complaint.resolvedAt!]).toEqual(['open', true]);

    // Through the stream: the planner answered the synthetic complaints with follow-ups.
    const followUps = report.messages.filter((m) => m.campaign === 'complaintFollowUp' && m.messageId.includes('#syn-c-'));
    expect(followUps.filter((m) => m.state === 'sent').length).toBeGreaterThan(0);

    // The planted effect shows: treated contracts renew more than held-out ones, beyond chance.
    const ended = state.contracts.filter((c) => c.endsOn < report.window.end.slice(0, 10));
    const group = (held: boolean) => {
      const contracts = ended.filter((c) => heldOut(c.customerId) === held);
      return { n: contracts.length, events: contracts.filter((c) => c.status === 'renewed').length };
    };
    const comparison = compareProportions(group(false), group(true));
    expect(comparison.treated.n + comparison.heldOut.n).toBe(customers);
    expect(comparison.treated.rate).toBeGreaterThan(comparison.heldOut.rate);
    expect(comparison.verdict).toBe('higher');
    // The report's lift section, from the same table, says the same.
    const lift = report.lift?.result.outcomes.find((o) => o.name === 'renewal');
    expect(lift?.measurable && lift.comparison).toMatchObject({ verdict: 'higher', treated: { n: comparison.treated.n, events: comparison.treated.events }, heldOut: { n: comparison.heldOut.n, events: comparison.heldOut.events } });
  }, 240_000);
});

describe('retention simulate --response-model', () => {
  const simulateWith = async (model: unknown) => {
    const path = join(await mkdtemp(join(tmpdir(), 'retention-model-')), 'model.json');
    await writeFile(path, JSON.stringify(model));
    try {
      await promisify(execFile)('node', ['bin/retention.mjs', 'simulate', '--data', 'data/demo.ndjson', '--start', '2027-01-01', '--days', '1', '--response-model', path], { timeout: 60_000 });
      return { code: 0, stderr: '' };
    } catch (error) {
      return error as { code: number; stderr: string };
    }
  };

  it.each([
    [{ ...model, baseline: { ...model.baseline, renews: 1.5 } }, 'baseline.renews: 1.5 must be a probability from 0 to 1'],
    [{ ...model, synthetic: false }, 'synthetic: false must be true: a response model is synthetic, never real data'],
  ])('refuses a bad model naming the field and value, and exits 2 (%#)', async (bad, reason) => {
    // Act
    const { code, stderr } = await simulateWith(bad);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('cannot use the response model');
    expect(stderr).toContain(reason);
  });
});
