import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decideRenewal,
  draw,
  extraPurchaseDay,
  outcomesOfDay,
  parseResponseModel,
  renewalProbability,
  reopenProbability,
  ResponseModelError,
  type DayState,
  type ResponseModel,
} from '../../functions/core/measurement/response-model.js';
import { parseRecord } from '../../functions/core/records.js';

const example = {
  synthetic: true,
  description: 'a test model',
  baseline: { renews: 0.55, buysAgainPerDay: 0.004, complainsPerDay: 0.0005, reopens: 0.2 },
  afterMessage: { renewal: { renews: 0.15 }, birthday: { buysAgain: 0.08 }, keepInTouch: { buysAgain: 0.05 }, survey: { reopens: -0.08 }, complaintFollowUp: { reopens: -0.05 } },
};
const model = parseResponseModel(example);
const withBaseline = (fields: Record<string, unknown>) => ({ ...example, baseline: { ...example.baseline, ...fields } });

describe('response model file', () => {
  it('accepts the example of the issue and the demo model', () => {
    // Prepare
    const demo = JSON.parse(readFileSync(new URL('../../data/demo-response-model.json', import.meta.url), 'utf8'));
    // Act
    const parsed = parseResponseModel(demo);
    // Assess
    expect(parsed.synthetic).toBe(true);
    expect(parsed.description).toMatch(/SYNTHETIC/);
    expect(model.afterMessage.renewal?.renews).toBe(0.15);
    // Every number of the demo model is explained in its notes.
    const numbers = [...Object.keys(demo.baseline).map((k) => `baseline.${k}`), ...Object.entries(demo.afterMessage).flatMap(([kind, e]) => Object.keys(e as object).map((k) => `afterMessage.${kind}.${k}`))];
    expect(numbers.filter((path) => !(path in demo.notes))).toEqual([]);
  });

  it.each([
    [{ ...example, synthetic: false }, 'synthetic: false must be true: a response model is synthetic, never real data'],
    [(({ synthetic, ...rest }) => rest)(example), 'synthetic: missing must be true'],
    [withBaseline({ renews: 1.5 }), 'baseline.renews: 1.5 must be a probability from 0 to 1'],
    [withBaseline({ buysAgainPerDay: -0.1 }), 'baseline.buysAgainPerDay: -0.1 must be a probability from 0 to 1'],
    [withBaseline({ reopens: '0.2' }), 'baseline.reopens: "0.2" must be a number'],
    [{ ...example, afterMessage: { renewal: { renews: 2 } } }, 'afterMessage.renewal.renews: 2 must be a change of probability from -1 to 1'],
    [{ ...example, afterMessage: { welcome: { renews: 0.1 } } }, 'afterMessage.welcome: not a field of a response model (expected one of birthday, renewal, complaintFollowUp, survey, keepInTouch)'],
    [{ ...example, afterMessage: { renewal: { renew: 0.1 } } }, 'afterMessage.renewal.renew: not a field of a response model (expected renews, buysAgain, complains, reopens)'],
    [{ ...example, description: '' }, 'description: "" must not be empty'],
  ])('refuses a bad model, naming the field and value (%#)', (document, reason) => {
    // Act
    const parse = () => parseResponseModel(document);
    // Assess
    expect(parse).toThrow(ResponseModelError);
    expect(parse).toThrow(reason);
  });
});

describe('decisions', () => {
  it('draws the same number for the same (seed, customer, event, day), and different ones otherwise', () => {
    expect(draw(1, 'c-1', 'buys', '2027-01-01')).toBe(draw(1, 'c-1', 'buys', '2027-01-01'));
    const others = [draw(2, 'c-1', 'buys', '2027-01-01'), draw(1, 'c-2', 'buys', '2027-01-01'), draw(1, 'c-1', 'complains', '2027-01-01'), draw(1, 'c-1', 'buys', '2027-01-02')];
    expect(new Set([draw(1, 'c-1', 'buys', '2027-01-01'), ...others]).size).toBe(5);
    for (const u of others) expect(u >= 0 && u < 1).toBe(true);
  });

  it('adds each kind sent once, whatever how many of it, and clamps to [0, 1]', () => {
    expect(renewalProbability(model, [])).toBe(0.55);
    expect(renewalProbability(model, ['renewal', 'renewal', 'keepInTouch'])).toBeCloseTo(0.7);
    expect(renewalProbability(parseResponseModel({ ...example, afterMessage: { renewal: { renews: 0.9 } } }), ['renewal'])).toBe(1);
    expect(reopenProbability(model, ['survey', 'complaintFollowUp', 'survey'])).toBeCloseTo(0.07);
    expect(reopenProbability(parseResponseModel({ ...withBaseline({ reopens: 0.02 }) }), ['survey'])).toBe(0);
  });

  it('renews about as often as the probability says', () => {
    const contracts = Array.from({ length: 4000 }, (_, i) => ({ customerId: `c-${i}`, contractId: `k-${i}`, endsOn: '2027-03-01' }));
    const rate = (kinds: string[]) => contracts.filter((c) => decideRenewal(model, 7, c, kinds as never)).length / contracts.length;
    expect(rate([])).toBeGreaterThan(0.52);
    expect(rate([])).toBeLessThan(0.58);
    expect(rate(['renewal'])).toBeGreaterThan(0.67);
    expect(rate(['renewal'])).toBeLessThan(0.73);
  });

  it('places the extra purchase a message brings 1 to 30 days after its day, for about the share the model says', () => {
    const days = Array.from({ length: 4000 }, (_, i) => extraPurchaseDay(model, 3, { customerId: `c-${i}`, messageId: `c-${i}#keepInTouch#2027-01-10`, campaign: 'keepInTouch', sentAt: '2027-01-10T09:00:00.000Z' }));
    const placed = days.filter((d): d is string => d !== null);
    expect(placed.length / days.length).toBeGreaterThan(0.04);
    expect(placed.length / days.length).toBeLessThan(0.06);
    expect(placed.every((d) => d >= '2027-01-11' && d <= '2027-02-09')).toBe(true);
    expect(new Set(placed).size).toBeGreaterThan(20);
    expect(extraPurchaseDay(model, 3, { customerId: 'c-1', messageId: 'c-1#renewal#k-1#30', campaign: 'renewal', sentAt: '2027-01-10T09:00:00.000Z' })).toBeNull();
  });
});

describe('one day of outcomes', () => {
  const now = new Date('2027-03-01T12:00:00.000Z');
  const sure: ResponseModel = parseResponseModel({ ...example, baseline: { renews: 0, buysAgainPerDay: 0, complainsPerDay: 0, reopens: 0 }, afterMessage: { renewal: { renews: 1 }, survey: { reopens: 1 } } });
  const state: DayState = {
    customerIds: ['c-1', 'c-2'],
    contracts: [
      { customerId: 'c-1', contractId: 'k-1', endsOn: '2027-03-01', autoRenew: false, status: 'active', plan: 'Pro' },
      { customerId: 'c-2', contractId: 'k-2', endsOn: '2027-03-01', autoRenew: false, status: 'active' },
      { customerId: 'c-1', contractId: 'k-3', endsOn: '2027-03-02', autoRenew: false, status: 'active' },
      { customerId: 'c-1', contractId: 'k-4', endsOn: '2027-03-01', autoRenew: true, status: 'active' },
      { customerId: 'c-9', contractId: 'k-9', endsOn: '2027-03-01', autoRenew: false, status: 'active' },
    ],
    complaints: [
      { customerId: 'c-1', complaintId: 'q-1', openedAt: '2027-02-01T10:00:00.000Z', status: 'resolved', resolvedAt: '2027-02-15T10:00:00.000Z' },
      { customerId: 'c-2', complaintId: 'q-2', openedAt: '2027-02-01T10:00:00.000Z', status: 'resolved', resolvedAt: '2027-02-15T10:00:00.000Z' },
      { customerId: 'c-2', complaintId: 'syn-c-2027-02-26-c-2', openedAt: '2027-02-26T12:00:00.000Z', status: 'open', synthetic: true },
      // Reopened: stays open with its resolvedAt, never resolved again by the model.
      { customerId: 'c-2', complaintId: 'q-3', openedAt: '2027-02-01T10:00:00.000Z', status: 'open', resolvedAt: '2027-02-12T12:00:00.000Z', reopenedAt: '2027-02-26T12:00:00.000Z', synthetic: true },
    ],
    sent: [
      { customerId: 'c-1', messageId: 'c-1#renewal#k-1#7', campaign: 'renewal', sentAt: '2027-02-22T09:00:00.000Z' },
      { customerId: 'c-1', messageId: 'c-1#survey#o-1', campaign: 'survey', sentAt: '2027-02-20T09:00:00.000Z' },
      // After now: not yet sent as far as today is concerned.
      { customerId: 'c-2', messageId: 'c-2#renewal#k-2#7', campaign: 'renewal', sentAt: '2027-03-01T13:00:00.000Z' },
    ],
  };

  it('renews the contract of the customer sent a reminder, reopens the complaint followed by a survey, resolves its own complaint three days on', () => {
    // Act
    const records = outcomesOfDay(sure, 1, now, state);
    // Assess
    expect(records).toEqual([
      { customerId: 'c-1', contractId: 'k-1', endsOn: '2027-03-01', autoRenew: false, status: 'renewed', plan: 'Pro', type: 'contract', synthetic: true },
      { customerId: 'c-1', complaintId: 'q-1', openedAt: '2027-02-01T10:00:00.000Z', status: 'open', resolvedAt: '2027-02-15T10:00:00.000Z', reopenedAt: now.toISOString(), type: 'complaint', synthetic: true },
      { customerId: 'c-2', complaintId: 'syn-c-2027-02-26-c-2', openedAt: '2027-02-26T12:00:00.000Z', status: 'resolved', resolvedAt: now.toISOString(), type: 'complaint', synthetic: true },
    ]);
    for (const record of records) expect(parseRecord(record, now).ok).toBe(true);
  });

  it('opens complaints and writes purchases as valid records with syn- ids, the same whatever the order of its inputs', () => {
    // Prepare
    const busy = parseResponseModel({ ...example, baseline: { ...example.baseline, buysAgainPerDay: 0.5, complainsPerDay: 0.5 } });
    const many: DayState = { ...state, customerIds: Array.from({ length: 50 }, (_, i) => `c-${i}`) };
    // Act
    const records = outcomesOfDay(busy, 5, now, many);
    const reversed = outcomesOfDay(busy, 5, now, { ...many, customerIds: [...many.customerIds].reverse(), contracts: [...many.contracts].reverse() });
    // Assess
    const interactions = records.filter((r) => r.type === 'interaction');
    const complaints = records.filter((r) => r.type === 'complaint' && String(r.complaintId).startsWith('syn-c-2027-03-01'));
    expect(interactions.length).toBeGreaterThan(10);
    expect(complaints.length).toBeGreaterThan(10);
    for (const record of [...interactions, ...complaints]) {
      expect(String(record.interactionId ?? record.complaintId)).toMatch(/^syn-/);
      expect(record.synthetic).toBe(true);
      expect(parseRecord(record, now).ok).toBe(true);
    }
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    expect(reversed.map(key).sort()).toEqual(records.map(key).sort());
  });
});
