import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { FLOOR_CHECKS_PER_PAGE, floorCheckKey } from '../../functions/adapters/dynamo-ledger.js';
import { watermarkKey } from '../../functions/adapters/dynamo-control.js';
import { scanAll } from '../../functions/adapters/query-pages.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { NEVER } from '../../functions/core/cadence.js';
import { addDays } from '../../functions/core/calendar.js';
import { defaultConfig } from '../../functions/core/config.js';
import { PLANNER_RETRIES } from '../../functions/core/function-timeouts.js';
import { PlannerUnfinishedError } from '../../functions/handlers/planner.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { BIRTHDAY_PLANNER, birthdayPlanningSettings } from '../../functions/core/jobs/plan-birthdays.js';
import { FLOOR_PLANNER } from '../../functions/core/jobs/plan-floor.js';
import { RENEWAL_PLANNER, renewalPlanningSettings } from '../../functions/core/jobs/plan-renewals.js';
import { endpoints, runHurriedUntilDone, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

/**
 * A planner run whose time runs out (docs/scale.md, "The planner's run"): it begins no new date with less than
 * PLANNER_END_MARGIN_MS left, keeps what it planned, and the runs after it (Lambda's retries, the next day's run)
 * go on from the watermarks, until everything one unhurried run plans is planned, once.
 */
const CUSTOMERS = 24;
const IMPORTED = new Date('2027-06-01T00:00:00Z');
// Nine days without a planner run (an outage): every date since comes into view at once.
const RUN = new Date('2027-06-10T00:00:00Z');

// The same customer ids in both systems (their tables apart): where a keep-in-touch falls and who is held out follow from the id.
const records = () =>
  Array.from({ length: CUSTOMERS }, (_, i) => {
    const id = `catch-up-${i}`;
    // Birthdays and contract ends spread over the planner's whole window, many beyond what the import saw.
    const birthday = `1990-${addDays('2027-06-05', i * 2).slice(5)}`;
    return [
      { type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: i % 2 ? 'Europe/Bucharest' : 'America/Denver', birthday, marketingOptIn: true },
      { type: 'contract', customerId: id, contractId: `${id}-a`, endsOn: addDays('2027-07-01', i * 2), autoRenew: false },
      // Two contracts of one customer ending the same day: planned one after the other.
      ...(i % 4 === 0 ? [{ type: 'contract', customerId: id, contractId: `${id}-b`, endsOn: addDays('2027-07-01', i * 2), autoRenew: false }] : []),
    ];
  }).flat();

const setUp = async (name: string) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(IMPORTED);
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
  await system.importText(records().map((record) => JSON.stringify(record)).join('\n'));
  await system.drainStreams();
  clock.set(RUN);
  const messages = async () =>
    (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages))
      .map((m) => ({ messageId: m.messageId, campaign: m.campaign, state: m.state, sendAfter: m.sendAfter, deadline: m.deadline }))
      .sort((a, b) => a.messageId.localeCompare(b.messageId));
  return { system, messages };
};

describe('a planner run whose time runs out', () => {
  it('plans one date a run when its time is short, and the runs after it plan exactly what one unhurried run plans', async () => {
    // Prepare: the same cohort twice
    const unhurried = await setUp('unhurried');
    const hurried = await setUp('hurried');
    const before = new Set((await unhurried.messages()).map((m) => m.messageId));

    // Act: one run with its whole time; scheduled runs with less than the margin left, each retried as Lambda would, until one finishes
    await unhurried.system.runPlanner();
    const errors = await runHurriedUntilDone(hurried.system, 100);

    // Assess
    const planned = await unhurried.messages();
    // The run had real work: greetings and reminders that came into view since the import, some for customers with two contracts.
    const cameIntoView = planned.filter((m) => !before.has(m.messageId));
    expect(cameIntoView.filter((m) => m.campaign === 'birthday').length).toBeGreaterThan(2);
    expect(cameIntoView.filter((m) => m.campaign === 'renewal').length).toBeGreaterThan(5);
    // The same messages, at the same moments, in the same states.
    expect(await hurried.messages()).toEqual(planned);
    // Each run planned one date and stopped: the birthday and renewal windows (yesterday in UTC to the horizon), then the floor's three dates.
    const dates = 2 * (defaultConfig.planner.lookAheadDays + 2) + 3;
    expect(hurried.system.invocations.planner).toBe(dates);
    expect(errors).toHaveLength(Math.ceil(dates / (PLANNER_RETRIES + 1)) - 1);
    expect(errors[0]).toBeInstanceOf(PlannerUnfinishedError);
    expect(errors[0]!.message).toBe(
      `the planner stopped with its time nearly up and dates left (birthdays ${defaultConfig.planner.lookAheadDays + 2 - (PLANNER_RETRIES + 1)}, renewals ${defaultConfig.planner.lookAheadDays + 2}, floor 3); what it planned stays, and the next run goes on from its watermarks`,
    );
  });

  const keepInTouchOff = { ...defaultConfig, campaigns: { ...defaultConfig.campaigns, keepInTouch: { ...defaultConfig.campaigns.keepInTouch, enabled: false } } };
  it.each([
    ['checked customers move on to a later check', defaultConfig],
    // Nothing is planned: every check moves a week on, so the customers are found once it is on again.
    ['keep-in-touch is off, so every check moves a week on', keepInTouchOff],
  ])("reads a date's partitions of floor checks at once, stops between two pages of one, and the next run goes on after the last page checked in each (%s)", async (_, config) => {
    // Prepare: the same ledgers twice, their floor checks today, and nothing else to plan. Half of the
    // checks are as a stack written before the shards kept them (the date alone): more than a page of
    // them; the other half in the date's shards, a page each.
    const today = '2027-06-10';
    const customers = 2 * FLOOR_CHECKS_PER_PAGE + 100;
    const writtenBeforeShards = (i: number) => i % 2 === 0;
    const setUpFloor = async (name: string) => {
      const prefix = uniquePrefix(name);
      const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock: new VirtualClock(RUN), config: async () => config });
      const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
      const ledgers = Array.from({ length: customers }, (_, i) => ({
        customerId: `floor-${i}`,
        lastContactDate: addDays(today, -(20 + (i % 5))),
        lastCappedDate: NEVER,
        floorCheckDate: writtenBeforeShards(i) ? today : floorCheckKey(today, `floor-${i}`, deployedDueShards),
        timeZone: i % 2 ? 'Europe/Bucharest' : 'America/Denver',
        marketingOptIn: true,
      }));
      for (let i = 0; i < ledgers.length; i += 25) {
        await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.Ledger]: ledgers.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      }
      const watermarks = { [BIRTHDAY_PLANNER]: addDays(today, defaultConfig.planner.lookAheadDays), [RENEWAL_PLANNER]: addDays(today, defaultConfig.planner.lookAheadDays), [FLOOR_PLANNER]: addDays(today, -1) };
      // Planned under the settings in force, so that only the floor is left to plan.
      const plannedWith: Record<string, string> = { [BIRTHDAY_PLANNER]: birthdayPlanningSettings(config), [RENEWAL_PLANNER]: renewalPlanningSettings(config) };
      for (const [planner, date] of Object.entries(watermarks)) {
        await db.send(new PutCommand({ TableName: system.tables.Control, Item: { key: watermarkKey(planner), plannedThrough: date, ...(plannedWith[planner] ? { plannedWith: plannedWith[planner] } : {}) } }));
      }
      const messages = async () => (await readAllMessages(db, system.tables.Messages)).map((m) => ({ messageId: m.messageId, state: m.state, sendAfter: m.sendAfter })).sort((a, b) => a.messageId.localeCompare(b.messageId));
      const floorChecks = async () => (await scanAll(db, { TableName: system.tables.Ledger })).map((ledger) => `${String(ledger.customerId)} ${String(ledger.floorCheckDate)}`).sort();
      return { system, messages, floorChecks };
    };
    const unhurried = await setUpFloor('floor-unhurried');
    const hurried = await setUpFloor('floor-hurried');

    // Act
    await unhurried.system.runPlanner();
    const errors = await runHurriedUntilDone(hurried.system, 20);

    // Assess: today's partitions at once, a page of each a run (the date's own partition in pages of 500,
    // each shard's in one), then tomorrow's (none) in one more
    const unsharded = Array.from({ length: customers }, (_, i) => i).filter(writtenBeforeShards).length;
    const shards = new Set(Array.from({ length: customers }, (_, i) => i).filter((i) => !writtenBeforeShards(i)).map((i) => floorCheckKey(today, `floor-${i}`, deployedDueShards)));
    expect([Math.ceil(unsharded / FLOOR_CHECKS_PER_PAGE), shards.size]).toEqual([2, deployedDueShards]);
    const planned = await unhurried.messages();
    if (config === defaultConfig) expect(planned.length).toBeGreaterThan(customers / 2); // keep-in-touch messages, but for those held out
    else expect([planned.length, (await unhurried.floorChecks()).filter((check) => check.includes(today))]).toEqual([0, []]);
    expect(await hurried.messages()).toEqual(planned);
    expect(await hurried.floorChecks()).toEqual(await unhurried.floorChecks());
    // Every check read once: no partition read again after its end, none left.
    const checksRead = (system: LocalSystem) => system.stats.planner.itemsReadByOperation['Query byFloorCheck'];
    expect([checksRead(unhurried.system), checksRead(hurried.system)]).toEqual([customers, customers]);
    // Three invocations, one scheduled run: two stopped (today's first pages; its own partition's second), each
    // retried by Lambda (PLANNER_RETRIES), and the third planned tomorrow.
    expect(hurried.system.invocations.planner).toBe(3);
    expect(errors).toEqual([]);
  });

  it('with its whole time, plans every date in one run', async () => {
    // Prepare
    const { system } = await setUp('whole');
    // Act
    const run = await system.runPlanner();
    // Assess
    expect(system.invocations.planner).toBe(1);
    expect(run).toMatchObject({ birthdays: { datesLeft: 0, datesPlanned: defaultConfig.planner.lookAheadDays + 2 }, renewals: { datesLeft: 0 }, floor: { datesLeft: 0 } });
  });
});
