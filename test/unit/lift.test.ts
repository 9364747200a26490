import { describe, expect, it } from 'vitest';
import { lastEventDayOf, liftFactsOf, measureLift, type LiftFacts, type OutcomeResult } from '../../functions/core/measurement/lift.js';
import { holdoutGroupOf } from '../../functions/core/measurement/holdout.js';
import { simulationWindowOf } from '../../functions/cli/lift.js';

const measurement = { holdoutPercent: 50, salt: 'lift-test', campaigns: {} };

/** Ids in each group at a 50 % holdout of every campaign. */
const idsOf = (group: 'treated' | 'heldOut', count: number, of = measurement) => {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) if (holdoutGroupOf(`c-${i}`, of) === group) ids.push(`c-${i}`);
  return ids;
};
const treated = idsOf('treated', 60);
const heldOut = idsOf('heldOut', 40);

const customer = (customerId: string, createdAt: string | null = '2026-01-01T00:00:00.000Z') => ({ customerId, createdAt });
const none: LiftFacts = { customers: [], contracts: [], interactions: [], complaints: [] };
const window = { since: '2027-01-01', until: '2027-04-01' };
const outcome = (result: ReturnType<typeof measureLift>, name: OutcomeResult['name']) => result.outcomes.find((o) => o.name === name)!;

describe('lift: contracts renewed', () => {
  it('counts contracts that do not renew by themselves and end in the window, per contract; renewed when their status says so', () => {
    const contract = (customerId: string, contractId: string, endsOn: string, status = 'renewed', autoRenew = false) => ({ customerId, contractId, endsOn, autoRenew, status });
    const facts: LiftFacts = {
      ...none,
      customers: [...treated, ...heldOut].map((id) => customer(id)),
      contracts: [
        contract(treated[0]!, 'k1', '2027-01-01'), // first day: in
        contract(treated[0]!, 'k2', '2027-03-31', 'active'), // last day: in, lapsed; same customer, counted again
        contract(treated[1]!, 'k3', '2027-04-01'), // until: out
        contract(treated[2]!, 'k4', '2026-12-31'), // before: out
        contract(treated[3]!, 'k5', '2027-02-01', 'renewed', true), // renews by itself: out
        contract(treated[4]!, 'k6', '2027-02-01', 'cancelled'),
        contract(heldOut[0]!, 'k7', '2027-02-01', 'active'),
        contract(heldOut[1]!, 'k8', '2027-02-01'),
      ],
    };
    const renewal = outcome(measureLift(facts, measurement, window), 'renewal');
    expect(renewal.counted).toBe('contracts');
    expect(renewal.comparison).toMatchObject({ treated: { n: 3, events: 1 }, heldOut: { n: 2, events: 1 }, verdict: 'tooSmall' });
    expect(renewal.sentence).toContain('how many contracts were renewed');
  });
});

describe('lift: a new interaction within 30 and 90 days', () => {
  const interaction = (customerId: string, completedAt: string) => ({ customerId, completedAt });
  const facts: LiftFacts = {
    ...none,
    customers: [
      customer(treated[0]!),
      customer(treated[1]!, null), // no createdAt: existed
      customer(treated[2]!, '2027-01-01T00:00:00.000Z'), // created at since: existed
      customer(treated[3]!, '2027-01-01T00:00:01.000Z'), // after since: not in the population
      customer(heldOut[0]!),
      customer(heldOut[1]!),
    ],
    interactions: [
      interaction(treated[0]!, '2027-01-31T00:00:00.000Z'), // since + 30 days exactly: within 30
      interaction(treated[0]!, '2027-01-05T00:00:00.000Z'), // a second one: still one customer
      interaction(treated[1]!, '2027-01-01T00:00:00.000Z'), // at since: not after it
      interaction(treated[2]!, '2027-03-15T00:00:00.000Z'), // within 90, not 30
      interaction(treated[3]!, '2027-01-10T00:00:00.000Z'), // not in the population
      interaction(heldOut[0]!, '2027-04-01T00:00:00.000Z'), // since + 90 days: within 90
      interaction(heldOut[1]!, '2027-04-01T00:00:00.001Z'), // after
    ],
  };

  it('counts customers whose profile existed at since, once each, with an interaction in (since, since + N days]', () => {
    const result = measureLift(facts, measurement, window);
    expect(outcome(result, 'interaction30').comparison).toMatchObject({ treated: { n: 3, events: 1 }, heldOut: { n: 2, events: 0 } });
    expect(outcome(result, 'interaction90').comparison).toMatchObject({ treated: { n: 3, events: 2 }, heldOut: { n: 2, events: 1 } });
  });

  it('is not measurable yet when the window is shorter than N days: said, not computed', () => {
    const result = measureLift(facts, measurement, { since: '2027-01-01', until: '2027-03-01' });
    const within90 = outcome(result, 'interaction90');
    expect(within90).toMatchObject({ measurable: false, comparison: null });
    expect(within90.sentence).toBe('Not measurable yet in this window: it needs 90 days after 2027-01-01, and the window has 59 (until 2027-04-01 or later).');
    expect(outcome(result, 'interaction30').measurable).toBe(true);
    expect(outcome(measureLift(facts, measurement, { since: '2027-01-01', until: '2027-01-30' }), 'interaction30').measurable).toBe(false);
    expect(outcome(measureLift(facts, measurement, { since: '2027-01-01', until: '2027-01-31' }), 'interaction30').measurable).toBe(true);
  });
});

describe('lift: complaints reopened', () => {
  const complaint = (customerId: string, complaintId: string, resolvedAt: string | null, reopenedAt: string | null = null) => ({ customerId, complaintId, resolvedAt, reopenedAt });
  it('counts complaints resolved in the window; reopened when reopenedAt is set, resolved again since or not; fewer is better', () => {
    const facts: LiftFacts = {
      ...none,
      customers: [...treated.slice(0, 40), ...heldOut].map((id) => customer(id)),
      complaints: [
        ...treated.slice(0, 40).map((id, i) => complaint(id, `t${i}`, '2027-02-01T10:00:00.000Z', i < 2 ? '2027-02-05T10:00:00.000Z' : null)),
        ...heldOut.map((id, i) => complaint(id, `h${i}`, '2027-02-01T10:00:00.000Z', i < 20 ? '2027-02-03T10:00:00.000Z' : null)),
        complaint(treated[0]!, 'open', null), // never resolved
        complaint(treated[0]!, 'before', '2026-12-31T23:59:59.999Z', '2027-01-02T00:00:00.000Z'),
        complaint(treated[0]!, 'after', '2027-04-01T00:00:00.000Z'),
        complaint(treated[1]!, 'again', '2027-02-01T10:00:00.000Z', '2027-01-20T00:00:00.000Z'), // reopened, then resolved again: reopened
      ],
    };
    const reopened = outcome(measureLift(facts, measurement, window), 'complaintsReopened');
    expect(reopened).toMatchObject({ counted: 'complaints', fewerIsBetter: true });
    expect(reopened.comparison).toMatchObject({ treated: { n: 41, events: 3 }, heldOut: { n: 40, events: 20 }, verdict: 'lower' });
    expect(reopened.sentence).toContain('fewer with messages');
    expect(reopened.sentence).toContain('The messages helped.');
  });
});

describe('lift: groups', () => {
  it('leaves out customers held out of some campaigns only (mixed), and counts them', () => {
    const shares = { holdoutPercent: 20, salt: 'lift-test', campaigns: { birthday: { holdoutPercent: 50 } } };
    const ids = Array.from({ length: 400 }, (_, i) => `c-${i}`);
    const facts: LiftFacts = { ...none, customers: ids.map((id) => customer(id)), interactions: ids.map((id) => ({ customerId: id, completedAt: '2027-01-02T00:00:00.000Z' })) };
    const result = measureLift(facts, shares, window);
    const expected = { treated: 0, heldOut: 0, mixed: 0 };
    for (const id of ids) expected[holdoutGroupOf(id, shares)]++;
    expect(result.groups).toEqual(expected);
    expect(expected.mixed).toBeGreaterThan(0);
    expect(outcome(result, 'interaction30').comparison).toMatchObject({ treated: { n: expected.treated }, heldOut: { n: expected.heldOut } });
  });

  it('--campaign narrows to one campaign: held out of it or not, nobody mixed', () => {
    const shares = { holdoutPercent: 10, salt: 'lift-test', campaigns: { renewal: { holdoutPercent: 40 } } };
    const ids = Array.from({ length: 300 }, (_, i) => `c-${i}`);
    const facts: LiftFacts = { ...none, customers: ids.map((id) => customer(id)) };
    const result = measureLift(facts, shares, { ...window, campaign: 'renewal' });
    const heldOutOfRenewal = ids.filter((id) => holdoutGroupOf(id, shares, ['renewal']) === 'heldOut').length;
    expect(result.campaign).toBe('renewal');
    expect(result.holdoutPercent).toEqual({ renewal: 40 });
    expect(result.groups).toEqual({ treated: ids.length - heldOutOfRenewal, heldOut: heldOutOfRenewal, mixed: 0 });
    expect(heldOutOfRenewal).toBeGreaterThan(90);
    expect(heldOutOfRenewal).toBeLessThan(150);
  });

  it('with no holdout there is nothing to compare, and it says how to set one', () => {
    const result = measureLift({ ...none, customers: treated.map((id) => customer(id)) }, { holdoutPercent: 0, salt: 's', campaigns: {} }, window);
    expect(result.outcomes).toEqual([]);
    expect(result.nothingToCompare).toContain('measurement.holdoutPercent is 0 %');
    expect(result.nothingToCompare).toContain('retention config set measurement.holdoutPercent=10');
  });

  it('with a holdout of one campaign only, the whole comparison points to --campaign', () => {
    const shares = { holdoutPercent: 0, salt: 's', campaigns: { renewal: { holdoutPercent: 10 } } };
    expect(measureLift(none, shares, window).nothingToCompare).toContain('--campaign renewal');
    expect(measureLift(none, shares, { ...window, campaign: 'renewal' }).nothingToCompare).toBeNull();
    expect(measureLift(none, shares, { ...window, campaign: 'birthday' }).nothingToCompare).toContain('measurement.campaigns={"birthday":{"holdoutPercent":10}}');
  });

  it('records of an id without a profile are left out, and counted', () => {
    const facts: LiftFacts = { ...none, contracts: [{ customerId: 'ghost', contractId: 'k', endsOn: '2027-02-01', autoRenew: false, status: 'renewed' }] };
    const result = measureLift(facts, measurement, window);
    expect(result.withoutProfile).toBe(1);
    expect(outcome(result, 'renewal').comparison).toMatchObject({ treated: { n: 0 }, heldOut: { n: 0 } });
  });

  it('refuses an empty window', () => {
    expect(() => measureLift(none, measurement, { since: '2027-01-01', until: '2027-01-01' })).toThrow(/empty/);
  });
});

describe('lift: facts from the Customers table', () => {
  it('reads business records with the import schema, skipping preferences, erasures and survey answers; names unreadable ones without an address', () => {
    const items = [
      { customerId: 'c-1', recordKey: 'customer', type: 'customer', email: 'ana@example.com', timeZone: 'UTC', marketingOptIn: false },
      { customerId: 'c-2', recordKey: 'customer', type: 'customer', email: 'bob@example.com', timeZone: 'UTC', createdAt: '2027-02-01T00:00:00Z' },
      { customerId: 'c-1', recordKey: 'preferences', receive: 'nothing' },
      { customerId: 'c-1', recordKey: 'contract#k1', contractId: 'k1', endsOn: '2027-02-01', status: 'renewed' }, // written without type
      { customerId: 'c-1', recordKey: 'interaction#i1', type: 'interaction', interactionId: 'i1', completedAt: '2027-01-03T00:00:00Z', synthetic: true },
      { customerId: 'c-1', recordKey: 'complaint#q1', type: 'complaint', complaintId: 'q1', openedAt: '2027-01-01T00:00:00Z', status: 'open', resolvedAt: '2027-01-02T00:00:00Z', reopenedAt: '2027-01-04T00:00:00Z' },
      { customerId: 'c-1', recordKey: 'surveyResponse#s1', type: 'surveyResponse', surveyId: 's1', score: 9 },
      { customerId: 'c-3', recordKey: 'erasure#x', type: 'erasure' },
      { customerId: 'c-4', recordKey: 'customer', type: 'customer', email: 'not-an-address@', timeZone: 'UTC' },
    ];
    const { facts, unreadable, synthetic } = liftFactsOf(items);
    expect(synthetic).toBe(1);
    expect(facts.customers).toEqual([
      { customerId: 'c-1', createdAt: null },
      { customerId: 'c-2', createdAt: '2027-02-01T00:00:00Z' },
    ]);
    expect(facts.contracts).toEqual([{ customerId: 'c-1', contractId: 'k1', endsOn: '2027-02-01', autoRenew: false, status: 'renewed' }]);
    expect(facts.interactions).toEqual([{ customerId: 'c-1', completedAt: '2027-01-03T00:00:00Z' }]);
    expect(facts.complaints).toEqual([{ customerId: 'c-1', complaintId: 'q1', resolvedAt: '2027-01-02T00:00:00Z', reopenedAt: '2027-01-04T00:00:00Z' }]);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]!.record).toBe('customer c-4');
    expect(JSON.stringify(unreadable)).not.toContain('not-an-address@');
  });

  it('every customer counts whatever their consent (intent to treat)', () => {
    const items = [...treated.slice(0, 30), ...heldOut.slice(0, 30)].map((customerId, i) => ({ customerId, recordKey: 'customer', type: 'customer', email: `x${i}@example.com`, timeZone: 'UTC', marketingOptIn: i % 2 === 0 }));
    const result = measureLift(liftFactsOf(items).facts, measurement, window);
    expect(result.groups).toEqual({ treated: 30, heldOut: 30, mixed: 0 });
  });
});

describe('lift: the last event the records tell of', () => {
  it('is the latest profile, interaction, resolution or reopening, as a UTC day; a contract end (often in the future) is no event', () => {
    // Prepare
    const facts: LiftFacts = {
      customers: [{ customerId: 'c-1', createdAt: '2027-01-02T10:00:00Z' }, { customerId: 'c-2', createdAt: null }],
      contracts: [{ customerId: 'c-1', contractId: 'k-1', endsOn: '2029-01-01', autoRenew: false, status: 'active' }],
      interactions: [{ customerId: 'c-1', completedAt: '2027-03-30T23:30:00-02:00' }],
      complaints: [{ customerId: 'c-2', complaintId: 'q-1', resolvedAt: '2027-02-01T00:00:00Z', reopenedAt: '2027-03-01T00:00:00Z' }],
    };

    // Act
    const last = lastEventDayOf(facts);
    const none = lastEventDayOf({ customers: [], contracts: facts.contracts, interactions: [], complaints: [] });

    // Assess: 23:30 at UTC−2 is 01:30 the next day in UTC.
    expect(last).toBe('2027-03-31');
    expect(none).toBeUndefined();
  });
});

describe("a stack's window when its records run past today", () => {
  it('is the 90 days up to the latest event only when that event is after today: a live stack with a record of today keeps its window', () => {
    // Prepare
    const today = '2027-03-10';

    // Act
    const pastToday = simulationWindowOf('2027-04-01', today);
    const ofToday = simulationWindowOf(today, today);
    const before = simulationWindowOf('2027-03-09', today);
    const none = simulationWindowOf(undefined, today);

    // Assess: 2027-01-02 to 2027-04-01 is 90 days, the latest event's day included.
    expect(pastToday).toEqual({ since: '2027-01-02', until: '2027-04-02' });
    expect(ofToday).toBeUndefined();
    expect(before).toBeUndefined();
    expect(none).toBeUndefined();
  });
});
