import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { floorCheckKey } from '../../functions/adapters/dynamo-ledger.js';
import { watermarkKey } from '../../functions/adapters/dynamo-control.js';
import { scanAll } from '../../functions/adapters/query-pages.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';
import { NEVER } from '../../functions/core/cadence.js';
import { addDays } from '../../functions/core/calendar.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { BIRTHDAY_PLANNER, birthdayPlanningSettings } from '../../functions/core/jobs/plan-birthdays.js';
import { FLOOR_PLANNER, FLOOR_REREAD } from '../../functions/core/jobs/plan-floor.js';
import { RENEWAL_PLANNER, renewalPlanningSettings } from '../../functions/core/jobs/plan-renewals.js';
import { PLANNER_END_MARGIN_MS, PlannerUnfinishedError } from '../../functions/handlers/planner.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * The floor planner's re-read after ops narrow the cadence band (plan-floor.ts): the checks the old
 * band set, up to its floor ahead, are read once; each the new band wants sooner is brought forward, and
 * made at once where it is already due. Through the planner handler on DynamoDB Local, with its whole
 * time and a page at a time (each run stopping, as one whose time runs out), with the same outcome.
 */
const RUN = new Date('2027-06-10T00:00:00Z');
const today = '2027-06-10';
const band = (config: RetentionConfig) => JSON.stringify({ maxDaysBetween: config.cadence.maxDaysBetween, minDaysBetween: config.cadence.minDaysBetween });
const withFloor = (maxDaysBetween: number): RetentionConfig => ({ ...defaultConfig, cadence: { ...defaultConfig.cadence, maxDaysBetween } });
// Under the shipped band (30 days, checks 23 days after a contact): one customer a day of last contact,
// from 21 days ago to tomorrow (a zone ahead of UTC), so their checks fall on every date from the day after tomorrow (the
// first the planner has not read) to 24 days ahead.
const CUSTOMERS = 23;
const lastContactOf = (i: number) => addDays(today, i - 21);

const setUp = async (name: string, recorded: RetentionConfig) => {
  let config = recorded;
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: uniquePrefix(name), clock: new VirtualClock(RUN), config: async () => config });
  const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
  const ledgers = Array.from({ length: CUSTOMERS }, (_, i) => ({
    customerId: `reread-${i}`,
    lastContactDate: lastContactOf(i),
    lastCappedDate: NEVER,
    floorCheckDate: floorCheckKey(addDays(lastContactOf(i), 23), `reread-${i}`, deployedDueShards),
    timeZone: 'UTC',
    marketingOptIn: true,
  }));
  for (let i = 0; i < ledgers.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.Ledger]: ledgers.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  // Every planner has planned its dates (the floor up to tomorrow, under the recorded band): only the re-read is left.
  const horizon = addDays(today, defaultConfig.planner.lookAheadDays);
  const watermarks = [
    { key: watermarkKey(BIRTHDAY_PLANNER), plannedThrough: horizon, plannedWith: birthdayPlanningSettings(defaultConfig) },
    { key: watermarkKey(RENEWAL_PLANNER), plannedThrough: horizon, plannedWith: renewalPlanningSettings(defaultConfig) },
    { key: watermarkKey(FLOOR_PLANNER), plannedThrough: addDays(today, 1), plannedWith: band(recorded) },
  ];
  for (const Item of watermarks) await db.send(new PutCommand({ TableName: system.tables.Control, Item }));
  return {
    system,
    setConfig: (next: RetentionConfig) => (config = next),
    waiting: async () => (await readAllMessages(db, system.tables.Messages)).filter((m) => m.state === 'planned').map((m) => `${m.messageId} ${m.sendAfter}`).sort(),
    checks: async () => new Map((await scanAll(db, { TableName: system.tables.Ledger })).map((l) => [String(l.customerId), String(l.floorCheckDate).slice(0, 10)])),
    control: async (job: string) => (await db.send(new GetCommand({ TableName: system.tables.Control, Key: { key: watermarkKey(job) } }))).Item,
  };
};

/** Planner runs with less than the margin of their time left (each stops after a page) until one finishes, or `stopAfter` runs: the errors of those that did not. */
const runHurriedUntilDone = async (system: LocalSystem, scheduled: number, options: { readonly stopAfter?: number } = {}): Promise<unknown[]> => {
  const errors: unknown[] = [];
  for (let run = 0; run < (options.stopAfter ?? scheduled); run++) {
    try {
      await system.runPlanner({ timeoutMs: PLANNER_END_MARGIN_MS - 1 });
      return errors;
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
};

describe('the floor checks read again after the band narrowed', () => {
  it('brings each check the new band wants sooner forward, making the plan at once where it is due; a page a run, the same', async () => {
    // Prepare: the same ledgers twice, checked under the 30-day floor; ops set a 21-day floor
    const whole = await setUp('reread-whole', defaultConfig);
    const hurried = await setUp('reread-hurried', defaultConfig);
    const narrower = withFloor(21);
    whole.setConfig(narrower);
    hurried.setConfig(narrower);

    // Act
    const run = await whole.system.runPlanner();
    const errors = await runHurriedUntilDone(hurried.system, 200);

    // Assess: the new band's check after each last contact is 14 days on. Where that is tomorrow or
    // before (the dates the planner has read), the keep-in-touch is planned now, for the new floor's
    // last day, and the check follows it; later ones wait where the new band puts them.
    const expectedChecks = new Map<string, string>();
    const expectedWaiting: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const id = `reread-${i}`;
      const checkOn = addDays(lastContactOf(i), 14);
      if (checkOn <= addDays(today, 1)) {
        // A floor already past (the old band's check was still to come) is held again at once: by tomorrow.
        const floor = addDays(lastContactOf(i), 21);
        const lastDay = floor >= today ? floor : addDays(today, 1);
        expectedWaiting.push(`${id}#keepInTouch#${lastDay}`);
        expectedChecks.set(id, addDays(lastDay, 2));
      } else expectedChecks.set(id, checkOn);
    }
    expect(expectedWaiting.length).toBeGreaterThan(5);
    expect(expectedWaiting.length).toBeLessThan(CUSTOMERS - 5);
    expect((await whole.waiting()).map((m) => m.split(' ')[0])).toEqual(expectedWaiting.sort());
    expect(await whole.checks()).toEqual(expectedChecks);
    expect(run).toMatchObject({ floor: { broughtForward: CUSTOMERS, planned: expectedWaiting.length, datesLeft: 0 } });
    // The dates after tomorrow up to the old floor ahead (30 days) and its check's two, read once; the new band recorded.
    expect(await whole.control(FLOOR_REREAD)).toMatchObject({ plannedWith: addDays(today, 33), plannedThrough: addDays(today, 33) });
    expect(await whole.control(FLOOR_PLANNER)).toMatchObject({ plannedWith: band(narrower) });
    expect(whole.system.invocations.planner).toBe(1);
    // A page at a time: the same plans and checks, in a run per date or more (each stopped and retried)
    expect(await hurried.waiting()).toEqual(await whole.waiting());
    expect(await hurried.checks()).toEqual(expectedChecks);
    expect(hurried.system.invocations.planner).toBeGreaterThanOrEqual(33 - 1);
    expect(errors.every((error) => error instanceof PlannerUnfinishedError)).toBe(true);

    // And once read, the next run reads nothing ahead again
    await whole.system.runPlanner();
    expect(whole.system.stats.planner.itemsReadByOperation['Query byFloorCheck']).toBe(CUSTOMERS);
  });

  it('narrowed again before the re-read ended: reads again from the start to the further end, ending where one narrowing to the last band ends', async () => {
    // Prepare: the 30-day floor narrowed to 25 days, a few dates read, then to 21; beside it, 30 straight to 21
    const twice = await setUp('reread-twice', defaultConfig);
    const once = await setUp('reread-once', defaultConfig);
    twice.setConfig(withFloor(25));
    await runHurriedUntilDone(twice.system, 200, { stopAfter: 4 });
    const unfinished = await twice.control(FLOOR_REREAD);
    expect(unfinished).toMatchObject({ plannedWith: addDays(today, 33) });
    expect(unfinished?.plannedThrough === undefined || unfinished.plannedThrough < addDays(today, 33)).toBe(true);
    expect((await twice.waiting()).length).toBeGreaterThan(0);

    // Act
    twice.setConfig(withFloor(21));
    once.setConfig(withFloor(21));
    await twice.system.runPlanner();
    await once.system.runPlanner();

    // Assess: the same checks and the same messages waiting (keep-in-touch messages for the 25-day floor gave way to the 21-day one's)
    expect(await twice.checks()).toEqual(await once.checks());
    expect((await twice.waiting()).map((m) => m.split(' ')[0])).toEqual((await once.waiting()).map((m) => m.split(' ')[0]));
    expect(await twice.control(FLOOR_REREAD)).toMatchObject({ plannedWith: addDays(today, 33), plannedThrough: addDays(today, 33) });
  });

  it('widened (or first recorded), reads nothing ahead: a check the wider band wants later is met early and moved on', async () => {
    // Prepare
    const widened = await setUp('reread-widened', withFloor(21));
    widened.setConfig(defaultConfig);
    // Act
    const run = await widened.system.runPlanner();
    // Assess
    expect(run).toMatchObject({ floor: { broughtForward: 0, checked: 0 } });
    expect(await widened.control(FLOOR_REREAD)).toBeUndefined();
    expect(await widened.control(FLOOR_PLANNER)).toMatchObject({ plannedWith: band(defaultConfig) });
  });
});
