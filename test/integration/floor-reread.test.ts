import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { floorCheckKey, FLOOR_CHECKS_PER_PAGE } from '../../functions/adapters/dynamo-ledger.js';
import { watermarkKey } from '../../functions/adapters/dynamo-control.js';
import { scanAll } from '../../functions/adapters/query-pages.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';
import { NEVER, reachOf } from '../../functions/core/cadence.js';
import { addDays } from '../../functions/core/calendar.js';
import { keepInTouchFor } from '../../functions/core/campaigns/keep-in-touch.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { BIRTHDAY_PLANNER, birthdayPlanningSettings } from '../../functions/core/jobs/plan-birthdays.js';
import { BAND_CHANGE_SETTLES_MS, FLOOR_PLANNER, FLOOR_REREAD } from '../../functions/core/jobs/plan-floor.js';
import { RENEWAL_PLANNER, renewalPlanningSettings } from '../../functions/core/jobs/plan-renewals.js';
import { PlannerUnfinishedError } from '../../functions/handlers/planner.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { endpoints, runHurriedUntilDone, uniquePrefix } from './helpers.js';

/**
 * The floor planner's read-ahead after ops narrow the cadence band (plan-floor.ts): the checks the
 * bands since it last caught up could set, up to their longest floor ahead, are read; each the new band
 * wants sooner is brought forward, and made at once where it is already due; none is moved later.
 * Through the planner handler on DynamoDB Local, with its whole time and a page a run (each run
 * stopping, as one whose time runs out), with the same outcome.
 */
const RUN = new Date('2027-06-10T00:00:00Z');
const today = '2027-06-10';
const last = addDays(today, 1); // the last date a run reads as its own (a day ahead of UTC)
const hoursBefore = (hours: number) => new Date(RUN.getTime() - hours * 3_600_000);
const withBand = (maxDaysBetween: number, minDaysBetween = defaultConfig.cadence.minDaysBetween): RetentionConfig => ({
  ...defaultConfig,
  cadence: { ...defaultConfig.cadence, maxDaysBetween, minDaysBetween },
  planner: { lookAheadDays: Math.max(defaultConfig.planner.lookAheadDays, maxDaysBetween) },
});
const narrower = withBand(21); // a contact's check 14 days on, where the shipped band has it 23 days on

interface Ledger {
  readonly customerId: string;
  readonly lastContactDate: string;
  /** Where the old band put the check. */
  readonly check: string;
  /** As written before the shards (the date's own partition) rather than in the customer's shard. */
  readonly unsharded?: boolean;
}

// Checks after a contact under the shipped band: one customer a day of last contact, from 21 days ago
// to tomorrow (a zone ahead of UTC), their checks from the first date the planner has not read to 24 days ahead.
const afterContact: Ledger[] = Array.from({ length: 23 }, (_, i) => ({ customerId: `contact-${i}`, lastContactDate: addDays(today, i - 21), check: addDays(today, i + 2) }));
// Checks two days after a keep-in-touch waiting for the shipped floor's last day (contact + 32)
const afterKeepInTouch: Ledger[] = [
  { customerId: 'waiting-due', lastContactDate: addDays(today, -20), check: addDays(today, 12) }, // new check on day −6: due now
  { customerId: 'waiting-later', lastContactDate: addDays(today, -10), check: addDays(today, 22) }, // new check on day 4
];
// Checks sooner than the new band's (keep-in-touch was off: a week on): they stay
const sooner: Ledger[] = [{ customerId: 'sooner', lastContactDate: today, check: addDays(today, 7) }];

const setUp = async (name: string, ledgers: readonly Ledger[], bands: readonly { readonly config: RetentionConfig; readonly at: Date }[], options: { readonly caughtUpWithFirst?: boolean } = {}) => {
  let config = bands.at(-1)!.config;
  const clock = new VirtualClock(RUN);
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: uniquePrefix(name), clock, config: async () => config });
  const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
  const items = ledgers.map(({ customerId, lastContactDate, check, unsharded }) => ({
    customerId,
    lastContactDate,
    lastCappedDate: NEVER,
    floorCheckDate: unsharded ? check : floorCheckKey(check, customerId, deployedDueShards),
    timeZone: 'UTC',
    marketingOptIn: true,
  }));
  for (let i = 0; i < items.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.Ledger]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  // A keep-in-touch waits for the shipped floor's last day of each customer whose check follows one
  const { outbox } = system.runtime('planner').stores();
  for (const { customerId, lastContactDate } of afterKeepInTouch.filter((w) => ledgers.includes(w))) {
    const lastDay = addDays(lastContactDate, 30);
    await outbox.plan(keepInTouchFor({ customerId, timeZone: 'UTC' }, lastDay, lastDay, defaultConfig), hoursBefore(24 * 20));
  }
  // Every planner has planned its dates, the floor up to tomorrow: only the read-ahead can be left.
  const horizon = addDays(today, defaultConfig.planner.lookAheadDays);
  const watermarks = [
    { key: watermarkKey(BIRTHDAY_PLANNER), plannedThrough: horizon, plannedWith: birthdayPlanningSettings(defaultConfig) },
    { key: watermarkKey(RENEWAL_PLANNER), plannedThrough: horizon, plannedWith: renewalPlanningSettings(defaultConfig) },
    { key: watermarkKey(FLOOR_PLANNER), plannedThrough: last },
  ];
  for (const Item of watermarks) await db.send(new PutCommand({ TableName: system.tables.Control, Item }));
  // The configurations ops stored, each at its time; the planner caught up with the first, when told so.
  for (const [i, { config: stored, at }] of bands.entries()) {
    await system.configStore.put(stored, at);
    if (i === 0 && options.caughtUpWithFirst) await system.configStore.settleFloorReach(reachOf(stored.cadence), (await system.configStore.floorReach())!.revision);
  }
  return {
    system,
    clock,
    /** Ops store another configuration at `at`; the handlers have it at once. */
    setConfig: async (next: RetentionConfig, at: Date) => {
      config = next;
      await system.configStore.put(next, at);
    },
    /** What the handlers read from now on, however it was stored. */
    handlersRead: (next: RetentionConfig) => (config = next),
    waiting: async () => (await readAllMessages(db, system.tables.Messages)).filter((m) => m.state === 'planned').map((m) => m.messageId).sort(),
    cancelled: async () => (await readAllMessages(db, system.tables.Messages)).filter((m) => m.state === 'cancelled').map((m) => [m.messageId, m.reason]),
    checks: async () => new Map((await scanAll(db, { TableName: system.tables.Ledger })).map((l) => [String(l.customerId), String(l.floorCheckDate).slice(0, 10)])),
    reread: async () => {
      const item = (await db.send(new GetCommand({ TableName: system.tables.Control, Key: { key: watermarkKey(FLOOR_REREAD) } }))).Item;
      return item && { ...(JSON.parse(item.plannedWith as string) as object), plannedThrough: item.plannedThrough as string | undefined };
    },
    checksRead: () => system.stats.planner.itemsReadByOperation['Query byFloorCheck'] ?? 0,
  };
};

/** Where each customer's check (and keep-in-touch) should end under a 21-day floor after a contact on `lastContactDate`. */
const underNarrower = ({ customerId, lastContactDate, check }: Ledger): { check: string; keepInTouch?: string } => {
  const checkOn = addDays(lastContactDate, 14);
  if (checkOn >= check) return { check }; // never later
  if (checkOn > last) return { check: checkOn };
  // Due now: the keep-in-touch for the new floor's last day (tomorrow for one already past), the check two days after it
  const floor = addDays(lastContactDate, 21);
  const lastDay = floor >= today ? floor : addDays(today, 1);
  return { check: addDays(lastDay, 2), keepInTouch: `${customerId}#keepInTouch#${lastDay}` };
};

describe('the floor checks read ahead after the band narrowed', () => {
  const ledgers = [...afterContact, ...afterKeepInTouch, ...sooner];

  it('brings each check the new band wants sooner forward, making the plan at once where it is due, never moving one later; a page a run, the same', async () => {
    // Prepare: the same ledgers twice, under the shipped 30-day floor the planner caught up with; ops set a 21-day floor yesterday
    const bands = [
      { config: defaultConfig, at: hoursBefore(24 * 30) },
      { config: narrower, at: hoursBefore(12) },
    ];
    const whole = await setUp('reread-whole', ledgers, bands, { caughtUpWithFirst: true });
    const hurried = await setUp('reread-hurried', ledgers, bands, { caughtUpWithFirst: true });

    // Act
    const run = await whole.system.runPlanner();
    const errors = await runHurriedUntilDone(hurried.system, 200);

    // Assess
    const expected = ledgers.map((ledger) => ({ ledger, ...underNarrower(ledger) }));
    const planned = expected.flatMap(({ keepInTouch }) => (keepInTouch ? [keepInTouch] : []));
    expect(planned.length).toBeGreaterThan(5);
    expect(await whole.waiting()).toEqual([...planned, `waiting-later#keepInTouch#${addDays(today, 20)}`].sort());
    // The keep-in-touch that waited for the longer floor of a customer due now gave way, saying why
    expect(await whole.cancelled()).toEqual([[`waiting-due#keepInTouch#${addDays(today, 10)}`, `the floor now ends on ${addDays(today, 1)}: the cadence band changed`]]);
    expect(await whole.checks()).toEqual(new Map(expected.map(({ ledger, check }) => [ledger.customerId, check])));
    expect((await whole.checks()).get('sooner')).toBe(addDays(today, 7));
    expect(run).toMatchObject({ floor: { broughtForward: ledgers.length - 1, planned: planned.length, datesLeft: 0 } });
    // Every date after tomorrow up to the old floor ahead and its check's two days, read once; the reach is now the new band's own
    expect(await whole.reread()).toEqual({ through: addDays(last, 32), change: JSON.stringify({ reach: reachOf(defaultConfig.cadence), band: reachOf(narrower.cadence) }), settled: true, plannedThrough: addDays(last, 32) });
    expect((await whole.system.configStore.floorReach())?.reach).toEqual(reachOf(narrower.cadence));
    expect(whole.checksRead()).toBe(ledgers.length);
    // A page a run: the same plans and checks, each run stopped and retried
    expect(await hurried.waiting()).toEqual(await whole.waiting());
    expect(await hurried.checks()).toEqual(await whole.checks());
    expect(hurried.system.invocations.planner).toBeGreaterThanOrEqual(32);
    expect(errors.every((error) => error instanceof PlannerUnfinishedError)).toBe(true);

    // And once caught up, the next run reads nothing ahead
    await whole.system.runPlanner();
    expect(whole.checksRead()).toBe(ledgers.length);
  });

  it('goes on inside a date where the last run stopped: a date of more than a page, each check read once', async () => {
    // Prepare: more than a page of checks on one date, in its own partition, that the new band leaves where they are
    const many: Ledger[] = Array.from({ length: FLOOR_CHECKS_PER_PAGE + 50 }, (_, i) => ({ customerId: `many-${i}`, lastContactDate: today, check: addDays(today, 10), unsharded: true }));
    const { system, checks, checksRead, reread } = await setUp('reread-pages', many, [
      { config: defaultConfig, at: hoursBefore(24 * 30) },
      { config: narrower, at: hoursBefore(12) },
    ], { caughtUpWithFirst: true });

    // Act
    const errors = await runHurriedUntilDone(system, 200);

    // Assess: every check stays, each read once (a run that read the date again from its start would read 500 twice)
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set((await checks()).values())).toEqual(new Set([addDays(today, 10)]));
    expect(checksRead()).toBe(many.length);
    expect(await reread()).toMatchObject({ plannedThrough: addDays(last, 32) });
  });

  it('counts every band set between two runs: a floor widened to 45 days, then 35, then set back to 30 leaves checks up to 38 days on', async () => {
    // Prepare: the planner caught up with the shipped band; ops widened the floor, a contact (tomorrow in a
    // zone ahead of UTC) had its check set under it, then ops narrowed it twice
    const underWidest: Ledger = { customerId: 'widest', lastContactDate: last, check: addDays(last, 38) };
    const { system, checks, reread } = await setUp('reread-widened-and-back', [underWidest], [
      { config: defaultConfig, at: hoursBefore(24 * 30) },
      { config: withBand(45), at: hoursBefore(20) },
      { config: withBand(35), at: hoursBefore(15) },
      { config: defaultConfig, at: hoursBefore(10) },
    ], { caughtUpWithFirst: true });

    // Act
    await system.runPlanner();

    // Assess: read up to the widest floor ahead (beyond the 35-day one's), and the check brought to 23 days after the contact
    expect(await reread()).toMatchObject({ through: addDays(last, 47), plannedThrough: addDays(last, 47) });
    expect((await checks()).get('widest')).toBe(addDays(last, 23));
    expect((await system.configStore.floorReach())?.reach).toEqual(reachOf(defaultConfig.cadence));
  });

  it('a longer cap alone narrows the band: the check after a contact comes 20 days on instead of 23', async () => {
    // Prepare
    const longerCap = withBand(30, 10);
    const { system, checks } = await setUp('reread-cap', afterContact, [
      { config: defaultConfig, at: hoursBefore(24 * 30) },
      { config: longerCap, at: hoursBefore(12) },
    ], { caughtUpWithFirst: true });
    // Act
    await system.runPlanner();
    // Assess: brought 3 days forward where that is not yet due
    const moved = afterContact.filter(({ lastContactDate }) => addDays(lastContactDate, 20) > last);
    expect(moved.length).toBeGreaterThan(10);
    const stored = await checks();
    expect(moved.map(({ customerId }) => stored.get(customerId))).toEqual(moved.map(({ lastContactDate }) => addDays(lastContactDate, 20)));
  });

  it('keeps the band it caught up with beside its watermark: a writer that drops the reach (an older version) still has the checks of a wider band read ahead', async () => {
    // Prepare: the planner caught up with a 45-day floor (a run after the change had settled)
    const wider = withBand(45);
    const underWider: Ledger = { customerId: 'wider', lastContactDate: last, check: addDays(last, 38) };
    const { system, clock, checks, reread, handlersRead } = await setUp('reread-dropped', [underWider], [{ config: wider, at: hoursBefore(24 * 30) }], { caughtUpWithFirst: true });
    await system.runPlanner();
    // An older `config set` writes the shipped 30-day floor as a whole item, without the reach
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    await db.send(new PutCommand({ TableName: system.tables.Control, Item: { key: 'config', document: JSON.stringify(defaultConfig), updatedAt: hoursBefore(12).toISOString(), revision: 9 } }));
    handlersRead(defaultConfig);
    clock.set(new Date(RUN.getTime() + 60_000));

    // Act
    await system.runPlanner();

    // Assess: read up to the 45-day floor ahead, and the check brought to 23 days after the contact
    expect(await reread()).toMatchObject({ through: addDays(addDays(today, 1), 47) });
    expect((await checks()).get('wider')).toBe(addDays(last, 23));
  });

  it('narrowed before any planner run caught up: the checks set under the shipped band are read ahead', async () => {
    // Prepare: a stack whose first stored configuration is already narrower
    const { system, checks } = await setUp('reread-first', afterContact, [{ config: narrower, at: hoursBefore(12) }]);
    // Act
    await system.runPlanner();
    // Assess
    expect(await checks()).toEqual(new Map(afterContact.map((ledger) => [ledger.customerId, underNarrower(ledger).check])));
  });

  it('changed minutes before the run: read ahead now, and once more when no handler can still hold the old band', async () => {
    // Prepare: the 21-day floor stored five minutes before the run
    const { system, clock, checks, reread, checksRead } = await setUp('reread-unsettled', afterContact, [
      { config: defaultConfig, at: hoursBefore(24 * 30) },
      { config: narrower, at: new Date(RUN.getTime() - 5 * 60_000) },
    ], { caughtUpWithFirst: true });
    await system.runPlanner();
    expect(await reread()).toMatchObject({ settled: false, plannedThrough: addDays(last, 32) });
    // A dispatcher run that read the configuration before the change sends to a customer now and sets their check under the old band
    const stale: Ledger = { customerId: 'contact-20', lastContactDate: today, check: addDays(today, 23) };
    await system.runtime('dispatcher').stores().ledger.recordContact(stale.customerId, stale.lastContactDate, stale.check);
    const readBefore = checksRead();
    // A write that changes no band (the marketing pause, say) before it has settled starts nothing again
    const { config: unchanged } = await system.configStore.update(() => ({ config: { ...narrower, sending: { ...narrower.sending, marketingPaused: true } } }), new Date(RUN.getTime() - 60_000));
    expect(unchanged.cadence).toEqual(narrower.cadence);
    await system.runPlanner();
    expect(checksRead()).toBe(readBefore);

    // Act: the planner's run again (a retry, the next day's) once the change has settled, and once more
    clock.set(new Date(RUN.getTime() - 60_000 + BAND_CHANGE_SETTLES_MS));
    await system.runPlanner();
    const readAgain = checksRead() - readBefore;
    await system.runPlanner();

    // Assess: the second read-ahead brought the stale check forward; the third run read nothing ahead
    expect((await checks()).get('contact-20')).toBe(addDays(today, 14));
    expect(await reread()).toMatchObject({ settled: true });
    expect(readAgain).toBeGreaterThan(0);
    expect(checksRead() - readBefore).toBe(readAgain);
    expect((await system.configStore.floorReach())?.reach).toEqual(reachOf(narrower.cadence));
  });

  it('narrowed again before the read-ahead ended: reads again from the start to the further end, ending where one narrowing to the last band ends', async () => {
    // Prepare: the shipped floor narrowed to 25 days, a few pages read, then to 21; beside it, the shipped floor narrowed to 21 at once
    const caughtUp = { config: defaultConfig, at: hoursBefore(24 * 30) };
    const twice = await setUp('reread-twice', ledgers, [caughtUp, { config: withBand(25), at: hoursBefore(12) }], { caughtUpWithFirst: true });
    const once = await setUp('reread-once', ledgers, [caughtUp, { config: narrower, at: hoursBefore(12) }], { caughtUpWithFirst: true });
    await runHurriedUntilDone(twice.system, 4);
    const unfinished = await twice.reread();
    expect(unfinished?.plannedThrough === undefined || unfinished.plannedThrough < addDays(last, 32)).toBe(true);
    expect((await twice.waiting()).length).toBeGreaterThan(0);

    // Act
    await twice.setConfig(narrower, hoursBefore(1));
    await twice.system.runPlanner();
    await once.system.runPlanner();

    // Assess: the same checks and the same messages waiting (keep-in-touch messages for the 25-day floor gave way to the 21-day one's)
    expect(await twice.checks()).toEqual(await once.checks());
    expect(await twice.waiting()).toEqual(await once.waiting());
    // Started again for the band the planner caught up with meanwhile (25 days), to the end of the 30-day one's read-ahead it left unfinished
    expect(await twice.reread()).toMatchObject({ change: JSON.stringify({ reach: reachOf(withBand(25).cadence), band: reachOf(narrower.cadence) }), plannedThrough: addDays(last, 32) });
  });

  it('widened, reads nothing ahead: a check the wider band wants later is met when it comes, and moved on then', async () => {
    // Prepare: the planner caught up with a 21-day floor; ops set the shipped 30
    const { system, reread, checks } = await setUp('reread-widened', afterContact, [
      { config: narrower, at: hoursBefore(24 * 30) },
      { config: defaultConfig, at: hoursBefore(12) },
    ], { caughtUpWithFirst: true });
    const before = await checks();
    // Act
    const run = await system.runPlanner();
    // Assess
    expect(run).toMatchObject({ floor: { broughtForward: 0, checked: 0 } });
    expect(await reread()).toBeUndefined();
    expect(await checks()).toEqual(before);
    expect((await system.configStore.floorReach())?.reach).toEqual(reachOf(defaultConfig.cadence));
  });
});
