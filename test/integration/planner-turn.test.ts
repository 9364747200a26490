import { describe, expect, it } from 'vitest';
import { DynamoControlStore, PLANNER_TURN_KEY, watermarkKey } from '../../functions/adapters/dynamo-control.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { BIRTHDAY_PLANNER } from '../../functions/core/jobs/plan-birthdays.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * One planner run at a time (functions/handlers/planner.ts): a second run while one holds the turn (an
 * operator's run beside the scheduled one or its retry, an event Lambda delivered twice) plans nothing
 * and leaves the dates to it; a turn held by a run that crashed runs out with that run's time.
 */
const IMPORTED = new Date('2027-06-01T00:00:00Z');
const RUN = new Date('2027-06-02T00:00:00Z');

const setUp = async () => {
  const clock = new VirtualClock(IMPORTED);
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: uniquePrefix('planner-turn'), clock, config: async () => defaultConfig });
  // A birthday that comes into the planner's view on the day of the run (35 days ahead): only a run plans its greeting.
  await system.importText(JSON.stringify({ type: 'customer', customerId: 'turn-1', email: 'turn-1@example.com', timeZone: 'Europe/Madrid', birthday: '1990-07-07', marketingOptIn: true }));
  await system.drainStreams();
  clock.set(RUN);
  const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
  const control = new DynamoControlStore(db, system.tables.Control);
  const planned = async () => (await readAllMessages(db, system.tables.Messages)).filter((m) => m.campaign === 'birthday').map((m) => m.messageId);
  const watermark = async (planner: string) => (await db.send(new GetCommand({ TableName: system.tables.Control, Key: { key: watermarkKey(planner) }, ConsistentRead: true }))).Item?.plannedThrough;
  const turn = async () => (await db.send(new GetCommand({ TableName: system.tables.Control, Key: { key: PLANNER_TURN_KEY }, ConsistentRead: true }))).Item;
  return { system, clock, control, planned, watermark, turn };
};

describe('the planner’s turn', () => {
  it('is taken by one run; a second one beside it plans nothing, and once it is given back the next run plans', async () => {
    const { system, clock, control, planned, watermark, turn } = await setUp();
    const holdsUntil = new Date(clock.now().getTime() + 15 * 60_000);
    expect(await control.holdPlannerTurn('the-other-run', clock.now(), holdsUntil)).toBeUndefined();

    const skipped = await system.runPlanner();
    expect(skipped).toEqual({ skipped: 'another planner run is under way', heldUntil: holdsUntil.toISOString() });
    expect(await planned()).toEqual([]);
    expect(await watermark(BIRTHDAY_PLANNER)).toBeUndefined();

    await control.releasePlannerTurn('the-other-run', clock.now());
    const ran = (await system.runPlanner()) as { birthdays: { planned: number } };
    expect(ran.birthdays.planned).toBe(1);
    expect(await planned()).toEqual(['turn-1#birthday#2027']);
    expect(await watermark(BIRTHDAY_PLANNER)).toBe('2027-07-07');
    // Given back as the run ended: the next run (here, at the same moment) takes it.
    expect((await turn())?.heldUntil).toBe(clock.now().toISOString());
    expect(await system.runPlanner()).not.toHaveProperty('skipped');
  });

  it('runs out with the time of the run that held it (one that crashed gives nothing back)', async () => {
    const { system, clock, control, planned } = await setUp();
    const crashedUntil = new Date(clock.now().getTime() + 15 * 60_000);
    await control.holdPlannerTurn('crashed-run', new Date(clock.now().getTime()), crashedUntil);
    expect(await system.runPlanner()).toHaveProperty('skipped');

    clock.set(crashedUntil);
    expect(await system.runPlanner()).not.toHaveProperty('skipped');
    expect(await planned()).toEqual(['turn-1#birthday#2027']);
  });

  it('is kept by the run that holds it: its own request again takes it, another run\'s release gives nothing back', async () => {
    const { clock, control, turn } = await setUp();
    const until = new Date(clock.now().getTime() + 60_000);
    expect(await control.holdPlannerTurn('run-a', clock.now(), until)).toBeUndefined();
    // The same request again (the SDK retrying one whose answer was lost): still run-a's.
    expect(await control.holdPlannerTurn('run-a', clock.now(), until)).toBeUndefined();
    expect(await control.holdPlannerTurn('run-b', clock.now(), until)).toBe(until.toISOString());
    await control.releasePlannerTurn('run-b', clock.now());
    expect(await turn()).toMatchObject({ runId: 'run-a', heldUntil: until.toISOString() });
    await control.releasePlannerTurn('run-a', clock.now());
    expect(await control.holdPlannerTurn('run-b', clock.now(), until)).toBeUndefined();
  });
});
