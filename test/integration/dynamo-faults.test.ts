import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import type { Outbox } from '../../functions/core/ports.js';
import { startDynamoFaultProxy, type DynamoFault, type DynamoFaultProxy, type DynamoRequest } from '../../functions/local/dynamo-fault-proxy.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { faults, startSesFaultProxy, type FaultRule, type SesFaultProxy } from '../../functions/local/ses-fault-proxy.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import type { CollectedMetrics } from '../../functions/local/local-runtime.js';
import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { watermarkKey } from '../../functions/adapters/dynamo-control.js';
import { floorCheckKey } from '../../functions/adapters/dynamo-ledger.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';
import { scanAll } from '../../functions/adapters/query-pages.js';
import { NEVER } from '../../functions/core/cadence.js';
import { addressKey, suppressionOf } from '../../functions/core/suppression.js';
import { addDays } from '../../functions/core/calendar.js';
import { BIRTHDAY_PLANNER, birthdayPlanningSettings } from '../../functions/core/jobs/plan-birthdays.js';
import { FLOOR_PLANNER } from '../../functions/core/jobs/plan-floor.js';
import { RENEWAL_PLANNER, renewalPlanningSettings } from '../../functions/core/jobs/plan-renewals.js';

/**
 * DynamoDB failing where DynamoDB Local never does, between the dispatcher and the table (a proxy in
 * front of DynamoDB Local): a write throttled past the SDK's retries, a write that applied and whose
 * answer was lost (the SDK's retry then meets it). Whatever fails, a message is sent at most once and
 * never recorded as sent when it was not: the hand-over mark, once written, decides that.
 */
let dynamo: DynamoFaultProxy;
let ses: SesFaultProxy;
beforeAll(async () => {
  dynamo = await startDynamoFaultProxy({ target: endpoints().dynamodbEndpoint });
  ses = await startSesFaultProxy({ target: endpoints().sesEndpoint });
});
afterAll(async () => Promise.all([dynamo.close(), ses.close()]));

/** The local stack's clients retry a request this many times in all (local-stack.ts): a fault on each attempt fails the call. */
const SDK_ATTEMPTS = 5;

/** A fault for the first attempts of a write to customer a's greeting (or ledger) that `matches`, in order: `plan[n]` for the n-th such request. */
const onWriteOfA = (matches: (expression: string) => boolean, plan: readonly DynamoFault[]) => {
  let seen = 0;
  return (request: DynamoRequest): DynamoFault | undefined => {
    if (request.operation !== 'UpdateItem') return undefined;
    const key = JSON.stringify(request.body.Key ?? {});
    if (!/-a#birthday|-a"/.test(key) || !matches(String(request.body.UpdateExpression ?? ''))) return undefined;
    return plan[seen++];
  };
};
const throttledThroughout = Array.from({ length: SDK_ATTEMPTS }, (): DynamoFault => 'throttle');

const setUp = async (name: string, options: { dynamo?: (request: DynamoRequest) => DynamoFault | undefined; ses?: FaultRule; wrapOutbox?: (outbox: Outbox) => Outbox } = {}) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
  dynamo.setRule(() => undefined);
  ses.setRule(() => undefined);
  const system = await LocalSystem.create({ dynamodbEndpoint: dynamo.url, sesEndpoint: ses.url, tablePrefix: prefix, clock, config: async () => defaultConfig, wrapOutbox: options.wrapOutbox });
  const ids = ['a', 'b'].map((id) => `${prefix}${id}`);
  await system.importText(ids.map((id) => JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: true })).join('\n'));
  await system.drainStreams();
  await system.runPlanner();
  const faultedBefore = dynamo.faulted.length;
  dynamo.setRule(options.dynamo ?? (() => undefined));
  ses.setRule(options.ses ?? (() => undefined));
  const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
  const greetingOfA = async () => (await readAllMessages(db, system.tables.Messages)).find((m) => m.campaign === 'birthday' && m.customerId === `${prefix}a`)!;
  const emailsOfA = async () => (await emailsTo((to) => to.startsWith(`${prefix}a@`))).length;
  const faulted = () => dynamo.faulted.slice(faultedBefore).map((entry) => entry.fault);
  const runAt = async (at: string) => {
    clock.set(new Date(at));
    return system.runDispatcher();
  };
  return { system, greetingOfA, emailsOfA, faulted, runAt };
};

/** SES refuses the first send to customer a with `fault`, then takes it. */
const sesRefusesAOnce = (fault: () => ReturnType<FaultRule>): FaultRule => {
  let refused = false;
  return (request) => {
    if (refused || !request.to.some((to) => to.includes('-a@'))) return undefined;
    refused = true;
    return fault();
  };
};

describe('DynamoDB failing under the dispatcher', () => {
  it('SES refuses for certain (sending paused) and the release that says so is throttled past every retry: the hand-over is withdrawn, and the message goes once SES takes mail again', async () => {
    const { greetingOfA, emailsOfA, faulted, runAt } = await setUp('refused-release', {
      ses: sesRefusesAOnce(faults.sendingPaused),
      dynamo: onWriteOfA((expression) => expression.includes('attempts = attempts + :attempt'), throttledThroughout),
    });

    const first = await runAt('2027-06-12T09:00:00Z');
    expect(first).toMatchObject({ sent: 1, failed: 1 });
    expect(faulted()).toEqual(throttledThroughout);
    expect(await greetingOfA()).toMatchObject({ state: 'sending' });
    expect((await greetingOfA()).handedOverAt).toBeUndefined();
    // Its lease runs out: taken again and sent, not settled as sent.
    await runAt('2027-06-12T09:11:00Z');

    expect(await greetingOfA()).toMatchObject({ state: 'sent', reason: null, sesMessageId: expect.any(String) });
    expect(await emailsOfA()).toBe(1);
  });

  it('SES refuses for now (throttled) and giving the cap back is throttled past every retry: the message is released all the same and goes at its retry', async () => {
    const { system, greetingOfA, emailsOfA, faulted, runAt } = await setUp('refused-cap', {
      ses: sesRefusesAOnce(faults.throttle),
      dynamo: onWriteOfA((expression) => expression.startsWith('SET lastCappedDate = previousCappedDate'), throttledThroughout),
    });

    const first = await runAt('2027-06-12T09:00:00Z');
    expect(first).toMatchObject({ sent: 1, retrying: 1, failed: 0 });
    expect(faulted()).toEqual(throttledThroughout);
    expect(await greetingOfA()).toMatchObject({ state: 'planned', sendAfter: '2027-06-12T09:05:00.000Z' });
    // The step that failed is counted (its alarm, DispatchStepsFailed), not the message.
    const written = (system.runtime('dispatcher').metrics as CollectedMetrics).take() as EmfOutput[];
    expect(written.map((document) => document.DispatchStepsFailed).filter((count) => count !== undefined && count !== 0)).toEqual([1]);
    // The cap it still holds is its own: its retry takes it again.
    await runAt('2027-06-12T09:05:00Z');

    expect(await greetingOfA()).toMatchObject({ state: 'sent', reason: null, attempts: 2 });
    expect(await emailsOfA()).toBe(1);
  });

  it('the hand-over mark applies, its answer is lost and every retry throttled: SES is not called, the mark is withdrawn, and the message goes once its lease runs out', async () => {
    const { greetingOfA, emailsOfA, faulted, runAt } = await setUp('mark-lost', {
      dynamo: onWriteOfA((expression) => expression === 'SET handedOverAt = :now', ['loseAnswer', ...throttledThroughout.slice(1)]),
    });

    const first = await runAt('2027-06-12T09:00:00Z');
    expect(first).toMatchObject({ sent: 1, failed: 1 });
    expect(faulted()).toEqual(['loseAnswer', 'throttle', 'throttle', 'throttle', 'throttle']);
    expect(await emailsOfA()).toBe(0);
    await runAt('2027-06-12T09:11:00Z');

    expect(await greetingOfA()).toMatchObject({ state: 'sent', reason: null, sesMessageId: expect.any(String) });
    expect(await emailsOfA()).toBe(1);
  });

  it.each([
    ['the sent record', (expression: string) => expression.startsWith('SET #state = :sent, sentAt = :sentAt'), { sent: 2, failed: 0 }, 'sent'],
    ['a release after SES refused for now', (expression: string) => expression.includes('attempts = attempts + :attempt'), { sent: 1, retrying: 1, failed: 0 }, 'planned'],
  ] as const)('the answer to %s is lost and the SDK’s retry finds it done: counted as what it did, not as a failure', async (_, matches, outcomes, state) => {
    const { greetingOfA, emailsOfA, faulted, runAt } = await setUp(`lost-${state}`, {
      ses: state === 'planned' ? sesRefusesAOnce(faults.throttle) : undefined,
      dynamo: onWriteOfA(matches, ['loseAnswer']),
    });

    const first = await runAt('2027-06-12T09:00:00Z');

    expect(faulted()).toEqual(['loseAnswer']);
    expect(first).toMatchObject(outcomes);
    expect(await greetingOfA()).toMatchObject({ state });
    expect(await emailsOfA()).toBe(state === 'sent' ? 1 : 0);
  });

  it('a run stopped after handing a message over, and the answer to settling it as sent, unconfirmed, is lost: counted unconfirmed all the same', async () => {
    // The first run hands a's greeting to SES, then stops before recording it (its sent record fails).
    let stopped = false;
    const stoppingAfterSend = (outbox: Outbox): Outbox =>
      Object.assign(Object.create(outbox) as Outbox, {
        markSent: async (...args: Parameters<Outbox['markSent']>) => {
          if (!stopped && args[0].includes('-a#')) {
            stopped = true;
            throw new Error('the run stopped here');
          }
          return outbox.markSent(...args);
        },
      });
    const { greetingOfA, emailsOfA, faulted, runAt } = await setUp('settle-lost', {
      wrapOutbox: stoppingAfterSend,
      dynamo: onWriteOfA((expression) => expression.includes('sentAt = handedOverAt'), ['loseAnswer']),
    });
    expect(await runAt('2027-06-12T09:00:00Z')).toMatchObject({ sent: 1, failed: 1 });

    const settling = await runAt('2027-06-12T09:11:00Z');

    expect(faulted()).toEqual(['loseAnswer']);
    expect(settling).toMatchObject({ unconfirmed: 1 });
    expect(await greetingOfA()).toMatchObject({ state: 'sent', reason: expect.stringContaining('unconfirmed: handed to the mail service') });
    expect(await emailsOfA()).toBe(1);
  });

  it('taking a customer off the floor for a suppressed address is a transaction, throttled once: tried again, not failed', async () => {
    // Prepare: customer a's address suppressed; the transaction that marks them (its condition on the suppression) throttled once
    let throttled = 0;
    const { system, greetingOfA, faulted, runAt } = await setUp('mark-throttled', { dynamo: (request) => (request.operation === 'TransactWriteItems' && throttled++ === 0 ? 'throttle' : undefined) });
    const stores = system.runtime('customerStream').stores();
    const a = (await greetingOfA()).customerId;
    await stores.suppressions.suppress([suppressionOf(`${a}@example.com`, 'hard bounce: 550 no such user', new Date('2027-06-01T00:00:00Z'))]);

    // Act
    const run = await runAt('2027-06-12T09:00:00Z');

    // Assess: the message suppressed, nothing failed; the mark made on the second try
    expect(faulted()).toEqual(['throttle']);
    expect(run).toMatchObject({ sent: 1, suppressed: 1, failed: 0 });
    expect(await greetingOfA()).toMatchObject({ state: 'suppressed', reason: 'the address is suppressed: hard bounce: 550 no such user' });
    expect(await stores.ledger.get(a)).toMatchObject({ marketingOptIn: false, unreachableAddress: addressKey(`${a}@example.com`) });
  });
});

describe('DynamoDB failing under the floor planner', () => {
  it("a page of one of the date's partitions throttled past every retry: the run fails, keeping the others' cursors, and Lambda's retry reads only what is left", async () => {
    // Prepare: 60 customers whose floor check is today, in the date's shards, and nothing else to plan.
    const today = '2027-06-10';
    const prefix = uniquePrefix('floor-fault');
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    dynamo.setRule(() => undefined);
    const system = await LocalSystem.create({ dynamodbEndpoint: dynamo.url, sesEndpoint: ses.url, tablePrefix: prefix, clock: new VirtualClock(new Date(`${today}T00:00:00Z`)), config: async () => defaultConfig });
    const ids = Array.from({ length: 60 }, (_, i) => `${prefix}c-${i}`);
    const ledgers = ids.map((customerId, i) => ({ customerId, lastContactDate: addDays(today, -(20 + (i % 5))), lastCappedDate: NEVER, floorCheckDate: floorCheckKey(today, customerId, deployedDueShards), timeZone: 'Europe/Madrid', marketingOptIn: true }));
    for (let i = 0; i < ledgers.length; i += 25) await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.Ledger]: ledgers.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    const horizon = addDays(today, defaultConfig.planner.lookAheadDays);
    for (const Item of [
      { key: watermarkKey(BIRTHDAY_PLANNER), plannedThrough: horizon, plannedWith: birthdayPlanningSettings(defaultConfig) },
      { key: watermarkKey(RENEWAL_PLANNER), plannedThrough: horizon, plannedWith: renewalPlanningSettings(defaultConfig) },
      { key: watermarkKey(FLOOR_PLANNER), plannedThrough: addDays(today, -1) },
    ]) {
      await db.send(new PutCommand({ TableName: system.tables.Control, Item }));
    }
    // Every query of a floor-check partition counted; the first call on one of today's shards throttled on each attempt.
    const failing = `${today}#01`;
    const queries = new Map<string, number>();
    let throttled = 0;
    dynamo.setRule((request) => {
      if (request.operation !== 'Query' || request.body.IndexName !== 'byFloorCheck') return undefined;
      const partition = String((request.body.ExpressionAttributeValues as Record<string, { S?: string }>)[':partition']?.S);
      queries.set(partition, (queries.get(partition) ?? 0) + 1);
      return partition === failing && throttled++ < SDK_ATTEMPTS ? 'throttle' : undefined;
    });

    // Act
    await system.runPlanner();

    // Assess: two invocations (the first failed); every check made once; today's other partitions read once only
    expect(system.invocations.planner).toBe(2);
    expect(queries.get(failing)).toBe(SDK_ATTEMPTS + 1);
    const others = [today, ...Array.from({ length: deployedDueShards }, (_, shard) => `${today}#${String(shard).padStart(2, '0')}`)].filter((partition) => partition !== failing);
    expect(others.map((partition) => [partition, queries.get(partition)])).toEqual(others.map((partition) => [partition, 1]));
    const checks = (await scanAll(db, { TableName: system.tables.Ledger })).map((ledger) => String(ledger.floorCheckDate));
    expect(checks.filter((check) => check.startsWith(today))).toEqual([]);
    expect((await readAllMessages(db, system.tables.Messages)).filter((m) => m.campaign === 'keepInTouch')).toHaveLength(60);
  });
});
