import { describe, expect, it } from 'vitest';
import { birthdayGreetingOn } from '../../functions/core/campaigns/birthday.js';
import { keepInTouchFor, keepInTouchTarget, spreadOf } from '../../functions/core/campaigns/keep-in-touch.js';
import { renewalReminder } from '../../functions/core/campaigns/renewal.js';
import { surveyFor } from '../../functions/core/campaigns/survey.js';
import { addDays, daysBetween } from '../../functions/core/calendar.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { holdoutPlaceOf } from '../../functions/core/measurement/holdout.js';
import { planCustomer, type PlanStep } from '../../functions/core/customer-plan.js';
import { newlyPlanned, type Message } from '../../functions/core/messages.js';
import { customerFromItem } from '../../functions/core/records.js';

const timeZone = 'Europe/Madrid';
const now = new Date('2027-01-09T10:00:00Z');
const customer = customerFromItem({ type: 'customer', customerId: 'c-1', email: 'c-1@example.com', timeZone, birthday: '1990-02-01', marketingOptIn: true }, now);
const facts = { customerId: 'c-1', timeZone, marketingOptIn: true };
const birthday = (date: string) => newlyPlanned(birthdayGreetingOn({ ...customer, birthday: `1990-${date.slice(5)}` }, date, defaultConfig.campaigns.birthday)!, now);
const contract = (endsOn: string) => ({ type: 'contract' as const, contractId: 'k-1', customerId: 'c-1', endsOn, autoRenew: false, status: 'active' as const });
const reminder = (endsOn: string, offset: number) => newlyPlanned(renewalReminder(contract(endsOn), customer, offset, defaultConfig)!, now);
/** A ledger whose floor is not the customer's first: the keep-in-touch aims for the floor's last day. */
const ledger = (lastContactDate: string) => ({ lastContactDate, lastCappedDate: lastContactDate, openedOn: '2026-01-01' });
const keepInTouchStep = (steps: readonly PlanStep[]) => steps.find((step) => step.kind === 'keepInTouch');

describe('a customer’s plan', () => {
  it('places the keep-in-touch of a customer with nothing else on the floor’s last day', () => {
    const plan = planCustomer({ waiting: [], ledger: ledger('2027-01-05'), customer: facts, now, config: defaultConfig });
    const step = keepInTouchStep(plan.steps);
    expect(step?.kind === 'keepInTouch' && [step.message.messageId, step.message.localDate]).toEqual(['c-1#keepInTouch#2027-02-04', '2027-02-04']);
    expect(plan.floor).toBe('keepInTouch');
    // Looked at again once 4 February has ended in every zone: the floor planner reads a day ahead of UTC,
    // so a check on the 5th would be read on the 4th, while the keep-in-touch still waits to go.
    expect(plan.floorCheckDate).toBe('2027-02-06');
  });

  it('places it earlier only as far as a later message needs: a birthday three days after the floor ends', () => {
    const plan = planCustomer({ waiting: [birthday('2027-02-07')], ledger: ledger('2027-01-05'), customer: facts, now, config: defaultConfig });
    const step = keepInTouchStep(plan.steps);
    // 7 February − 7 days of cap = 31 January: as late as keeps the greeting on its day.
    expect(step?.kind === 'keepInTouch' && step.message.localDate).toBe('2027-01-31');
    expect(plan.steps.filter((s) => s.kind === 'end')).toEqual([]);
  });

  it('places it early enough that a reminder after the floor goes on its day, not pushed back a week', () => {
    // Floor from 1 February ends 3 March; a renewal reminder is due 5 March (the contract ends 4 April).
    const today = new Date('2027-02-24T10:00:00Z');
    const plan = planCustomer({ waiting: [reminder('2027-04-04', 30)], ledger: ledger('2027-02-01'), customer: facts, now: today, config: defaultConfig });
    const step = keepInTouchStep(plan.steps);
    // 5 March − 7 days of cap = 26 February: the latest day that leaves the reminder where it was.
    expect(step?.kind === 'keepInTouch' && step.message.localDate).toBe('2027-02-26');
    expect(plan.steps.filter((s) => s.kind === 'slot' || s.kind === 'end')).toEqual([]);
  });

  it('judges the floor by the arranged send time: a reminder due inside the floor but arranged after a birthday past it does not hold it', () => {
    // Reminder due 29 January (contract ends 28 February), birthday 1 February; floor from 1 January ends 31 January.
    const waiting = [reminder('2027-02-28', 30), birthday('2027-02-01')];
    const plan = planCustomer({ waiting, ledger: ledger('2027-01-01'), customer: facts, now, config: defaultConfig });
    const step = keepInTouchStep(plan.steps);
    expect(step?.kind === 'keepInTouch' && step.message.localDate <= '2027-01-25').toBe(true);
    expect(plan.steps.filter((s) => s.kind === 'end')).toEqual([]);
  });

  it('ends the keep-in-touch of a floor a narrower band shortened for the new floor’s, saying so; one a later contact met, saying that', () => {
    // Planned on the 30-day floor from 5 January (ends 4 February); ops then set a 21-day floor (ends 26 January).
    const waiting = newlyPlanned(keepInTouchFor(facts, '2027-02-04', '2027-02-04', defaultConfig), now);
    const narrower = { ...defaultConfig, cadence: { ...defaultConfig.cadence, maxDaysBetween: 21 } };
    const shortened = planCustomer({ waiting: [waiting], ledger: ledger('2027-01-05'), customer: facts, now, config: narrower });
    expect(shortened.steps.filter((s) => s.kind === 'end')).toEqual([
      { kind: 'end', messageId: waiting.messageId, state: 'cancelled', reason: 'the floor now ends on 2027-01-26: the cadence band changed', provisional: false },
    ]);
    const step = keepInTouchStep(shortened.steps);
    expect(step?.kind === 'keepInTouch' && [step.message.messageId, step.message.localDate]).toEqual(['c-1#keepInTouch#2027-01-26', '2027-01-26']);
    // The band unchanged, a message sent on 8 January opened a later floor.
    const met = planCustomer({ waiting: [waiting], ledger: ledger('2027-01-08'), customer: facts, now, config: defaultConfig });
    expect(met.steps.filter((s) => s.kind === 'end').map((s) => s.kind === 'end' && s.reason)).toEqual(['a message on 2027-01-08 met the floor it was for']);
  });

  it('lets a message that holds the floor stand in for the keep-in-touch, which ends provisionally', () => {
    const keepInTouch = newlyPlanned(keepInTouchFor(facts, '2027-02-04', '2027-02-04', defaultConfig), now);
    const plan = planCustomer({ waiting: [keepInTouch, birthday('2027-01-20')], ledger: ledger('2027-01-05'), customer: facts, now, config: defaultConfig });
    expect(plan.floor).toBe('held');
    // Looked at again once the birthday's day has ended everywhere, as after a keep-in-touch.
    expect(plan.floorCheckDate).toBe('2027-01-22');
    expect(plan.steps).toContainEqual(expect.objectContaining({ kind: 'end', messageId: keepInTouch.messageId, state: 'cancelled', provisional: true }));
  });

  it('brings back a message that gave way when what it gave way to is gone', () => {
    const greeting: Message = { ...birthday('2027-02-20'), state: 'expired', reason: 'gave way under the weekly cap to c-1#renewal#k-1#7' };
    const plan = planCustomer({ waiting: [greeting], ledger: ledger('2027-02-01'), customer: facts, now, config: defaultConfig });
    expect(plan.steps).toContainEqual({ kind: 'slot', messageId: greeting.messageId, state: 'planned', sendAfter: new Date(greeting.dueAt), reason: null });
  });

  it('ends a provisional expiry for good once its deadline has passed', () => {
    const greeting: Message = { ...birthday('2027-01-08'), state: 'expired', reason: 'gave way' };
    const plan = planCustomer({ waiting: [greeting], ledger: ledger('2027-01-05'), customer: facts, now, config: defaultConfig });
    expect(plan.steps).toContainEqual({ kind: 'end', messageId: greeting.messageId, state: 'expired', reason: 'gave way', provisional: false });
  });

  it('puts the floor before a lesser message that arrived too late for both to fit', () => {
    // Floor ends 3 February; today is 1 February; a survey due on the 4th (until the 18th) and a
    // birthday on the 11th fit together, but not with anything before the 4th.
    const late = new Date('2027-02-01T10:00:00Z');
    const survey = { ...birthday('2027-02-04'), messageId: 'c-1#survey#o-1', campaign: 'survey' as const, priority: 50, deadline: new Date('2027-02-18T08:00:00Z').toISOString() };
    const plan = planCustomer({ waiting: [survey, birthday('2027-02-11')], ledger: ledger('2027-01-04'), customer: facts, now: late, config: defaultConfig });
    const step = keepInTouchStep(plan.steps);
    expect(step?.kind === 'keepInTouch' && step.message.localDate <= '2027-02-03').toBe(true);
    expect(plan.steps).toContainEqual(expect.objectContaining({ kind: 'end', messageId: survey.messageId, state: 'expired', provisional: true }));
  });

  it('guards nothing for a customer without marketing consent', () => {
    const plan = planCustomer({ waiting: [], ledger: ledger('2027-01-05'), customer: { ...facts, marketingOptIn: false }, now, config: defaultConfig });
    expect(plan).toEqual({ steps: [], floorCheckDate: undefined, floor: 'unguarded' });
  });
});

describe('going live', () => {
  it('spreads the first keep-in-touch of a base imported at once evenly over the floor window, the same day for the same id', () => {
    const openedOn = '2027-01-01';
    const days = defaultConfig.cadence.maxDaysBetween;
    const perDay = Array.from({ length: days }, () => 0);
    for (let i = 0; i < 10_000; i++) perDay[spreadOf(`c-${String(i).padStart(5, '0')}`, days)]! += 1;
    // A fair spread: 333 a day on average, binomial noise of about ±18.
    expect(Math.max(...perDay) / (10_000 / days)).toBeLessThan(1.2);
    expect(Math.min(...perDay) / (10_000 / days)).toBeGreaterThan(0.8);
    // The target is the day after the first contact plus the spread: inside the floor, never on the contact's own day.
    for (const id of ['c-1', 'c-2', 'c-00017', 'customer-with-a-long-id']) {
      const target = keepInTouchTarget(id, { lastContactDate: openedOn, openedOn }, defaultConfig.cadence);
      expect(daysBetween(openedOn, target)).toBe(1 + spreadOf(id, days));
    }
    expect(keepInTouchTarget('c-42', { lastContactDate: openedOn, openedOn }, defaultConfig.cadence)).toBe(keepInTouchTarget('c-42', { lastContactDate: openedOn, openedOn }, defaultConfig.cadence));
  });

  it('aims every later floor at its last day', () => {
    expect(keepInTouchTarget('c-42', { lastContactDate: '2027-02-10', openedOn: '2027-01-01' }, defaultConfig.cadence)).toBe(addDays('2027-02-10', 30));
  });
});

describe('a customer held out of a campaign (measurement)', () => {
  /** A salt under which c-1 is in a 30 % holdout (its place is below 30), found the same way every run. */
  const salt = (() => {
    for (let i = 1; ; i++) if (holdoutPlaceOf('c-1', `salt-${i}`) < 30) return `salt-${i}`;
  })();
  const measured = (measurement: Partial<RetentionConfig['measurement']>): RetentionConfig => ({ ...defaultConfig, measurement: { ...defaultConfig.measurement, salt, ...measurement } });
  const heldOutOfBirthdays = measured({ holdoutPercent: 0, campaigns: { birthday: { holdoutPercent: 30 } } });

  it('does not let a held-out message hold the floor of a customer treated in keep-in-touch', () => {
    // Prepare: a greeting on 20 January would hold the floor that ends 4 February, were it to be sent.
    const greeting = birthday('2027-01-20');
    const treated = planCustomer({ waiting: [greeting], ledger: ledger('2027-01-05'), customer: facts, now, config: defaultConfig });

    // Act
    const plan = planCustomer({ waiting: [greeting], ledger: ledger('2027-01-05'), customer: facts, now, config: heldOutOfBirthdays });

    // Assess
    expect(treated.floor).toBe('held');
    expect(plan.floor).toBe('keepInTouch');
    const step = keepInTouchStep(plan.steps);
    expect(step?.kind === 'keepInTouch' && step.message.localDate).toBe('2027-02-04');
    // The greeting itself is left as planned, for the dispatcher to record held out.
    expect(plan.steps.filter((s) => s.kind !== 'keepInTouch')).toEqual([]);
  });

  it('gives a held-out message no slot: the keep-in-touch does not move earlier to make room for it', () => {
    // Prepare: treated, a greeting on 7 February pulls the keep-in-touch back to 31 January (the cap).
    const greeting = birthday('2027-02-07');

    // Act
    const plan = planCustomer({ waiting: [greeting], ledger: ledger('2027-01-05'), customer: facts, now, config: heldOutOfBirthdays });

    // Assess
    const step = keepInTouchStep(plan.steps);
    expect(step?.kind === 'keepInTouch' && step.message.localDate).toBe('2027-02-04');
    expect(plan.steps.filter((s) => s.kind !== 'keepInTouch')).toEqual([]);
  });

  it('brings back a held-out message the arrangement had left out, at its due time, so the dispatcher records it', () => {
    // Prepare: a capped message went on 15 February, so a greeting on the 20th has no room under the
    // cap; it was ended provisionally before the share was raised.
    const later = new Date('2027-02-19T10:00:00Z');
    const greeting: Message = { ...birthday('2027-02-20'), state: 'expired', reason: 'gave way under the weekly cap to c-1#renewal#k-1#7' };
    const input = { waiting: [greeting], ledger: ledger('2027-02-15'), customer: facts, now: later };
    const treated = planCustomer({ ...input, config: defaultConfig });

    // Act
    const plan = planCustomer({ ...input, config: heldOutOfBirthdays });

    // Assess: treated, it stays out of the band; held out, it waits at its due time.
    expect(treated.steps.filter((s) => s.kind === 'slot')).toEqual([]);
    expect(plan.steps).toContainEqual({ kind: 'slot', messageId: greeting.messageId, state: 'planned', sendAfter: new Date(greeting.dueAt), reason: null });
  });

  it('plans no keep-in-touch for a customer held out of keep-in-touch, and looks again after the floor, not every day', () => {
    // Prepare
    const config = measured({ holdoutPercent: 30 });

    // Act
    const current = planCustomer({ waiting: [], ledger: ledger('2027-01-05'), customer: facts, now, config });
    const lapsed = planCustomer({ waiting: [], ledger: ledger('2026-10-01'), customer: facts, now, config });

    // Assess: the floor from 5 January ends 4 February; one lapsed long ago is looked at again minDaysBetween (7) days on.
    expect(current).toEqual({ steps: [], floorCheckDate: '2027-02-05', floor: 'unguarded' });
    expect(lapsed).toEqual({ steps: [], floorCheckDate: '2027-01-16', floor: 'unguarded' });
  });

  it('leaves a keep-in-touch planned before the share was raised as it is, out of the arrangement, for the dispatcher', () => {
    // Prepare
    const keepInTouch = newlyPlanned(keepInTouchFor(facts, '2027-02-04', '2027-02-04', defaultConfig), now);
    const reminderOnTheSameDay = reminder('2027-03-06', 30);

    // Act
    const plan = planCustomer({ waiting: [keepInTouch, reminderOnTheSameDay], ledger: ledger('2027-01-05'), customer: facts, now, config: measured({ holdoutPercent: 0, campaigns: { keepInTouch: { holdoutPercent: 30 } } }) });

    // Assess: the renewal reminder keeps its day (the keep-in-touch takes no slot), and nothing ends the keep-in-touch.
    expect(reminderOnTheSameDay.localDate).toBe('2027-02-04');
    expect(plan.steps).toEqual([]);
    expect(plan.floor).toBe('unguarded');
  });
});

describe('a survey kept out for another one too close to it', () => {
  const survey = (interactionId: string, completedAt: string) =>
    newlyPlanned(surveyFor({ type: 'interaction', interactionId, customerId: 'c-1', completedAt, kind: 'purchase' }, customer, defaultConfig)!, now);
  // A waits for 13 January; B, ended for now because A is closer than 90 days, would go on 20 January.
  const waitingA = survey('o-a', '2027-01-10T10:00:00Z');
  const spacedOutB = { ...survey('o-b', '2027-01-17T10:00:00Z'), state: 'cancelled' as const, reason: 'another survey falls on 2027-01-13, less than 90 days apart' };
  const input = (waiting: readonly Message[], lastSurveyDate?: string) => ({ waiting, ledger: { ...ledger('2027-01-05'), lastSurveyDate }, customer: facts, now, config: defaultConfig });
  const stepsOf = (messageId: string, steps: readonly PlanStep[]) => steps.filter((step) => 'messageId' in step && step.messageId === messageId);

  it('stays out while the other one waits', () => {
    expect(stepsOf(spacedOutB.messageId, planCustomer(input([waitingA, spacedOutB])).steps)).toEqual([]);
  });

  it('comes back once the other one has ended unsent', () => {
    expect(stepsOf(spacedOutB.messageId, planCustomer(input([spacedOutB])).steps)).toEqual([expect.objectContaining({ kind: 'slot', state: 'planned' })]);
  });

  it('stays out once the other one was sent', () => {
    expect(stepsOf(spacedOutB.messageId, planCustomer(input([spacedOutB], '2027-01-13')).steps)).toEqual([]);
  });
});

describe('a survey while a complaint of the customer is open', () => {
  // Floor from 5 January ends 4 February; a survey waits for 3 February (the purchase was on 31 January).
  const survey = newlyPlanned(surveyFor({ type: 'interaction', interactionId: 'o-1', customerId: 'c-1', completedAt: '2027-01-31T10:00:00Z', kind: 'purchase' }, customer, defaultConfig)!, now);
  const input = (complaintOpen: boolean) => ({ waiting: [survey], ledger: ledger('2027-01-05'), customer: facts, now, config: defaultConfig, complaintOpen });

  it('holds the floor once no complaint is open', () => {
    const plan = planCustomer(input(false));
    expect([plan.floor, keepInTouchStep(plan.steps)]).toEqual(['held', undefined]);
  });

  it('neither holds the floor nor takes a slot: the dispatcher will cancel it, so the keep-in-touch goes on the floor’s last day', () => {
    const plan = planCustomer(input(true));
    const step = keepInTouchStep(plan.steps);
    expect([plan.floor, step?.kind === 'keepInTouch' && step.message.localDate]).toEqual(['keepInTouch', '2027-02-04']);
    expect(plan.steps.filter((s) => 'messageId' in s && s.messageId === survey.messageId)).toEqual([]);
  });
});
