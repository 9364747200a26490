import { CreateTableCommand, DescribeTimeToLiveCommand, PutItemCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoOutbox } from '../../functions/adapters/dynamo-outbox.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig, parseConfig } from '../../functions/core/config.js';
import { expiryOf, type Message, type PlannedMessage } from '../../functions/core/messages.js';
import { formatSummary } from '../../functions/cli/summary.js';
import { checkBand } from '../../functions/local/band-check.js';
import { dynamoDbClient, dynamoDbStreamsClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, simulate, VirtualClock } from '../../functions/local/simulation.js';
import { StreamPoller, TIME_TO_LIVE_IDENTITY } from '../../functions/local/stream-poller.js';
import { endpoints, eventually, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

/**
 * Ended messages expire `retention.messagesDays` after they ended (SPEC.md, Personal data): DynamoDB's
 * time to live in AWS, the local runner's sweep on its own clock here.
 */

const dynamo = () => dynamoDbClient(endpoints().dynamodbEndpoint);
const documentClient = () => documentClientFor(dynamo());
const DAY = 86_400_000;

const setUp = async (name: string) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
  const customer = (id: string, birthday: string) => JSON.stringify({ type: 'customer', customerId: `${prefix}${id}`, email: `${prefix}${id}@example.com`, timeZone: 'UTC', birthday, marketingOptIn: true });
  // `a` has a birthday on the 12th, `b` one a month later: still waiting when `a`'s greeting has gone.
  await system.importText([customer('a', '1990-06-12'), customer('b', '1990-07-12')].join('\n'));
  await system.drainStreams();
  await system.runPlanner();
  const messages = async () => readAllMessages(documentClient(), system.tables.Messages);
  const messageOf = async (id: string): Promise<(Message & { waitingCustomerId?: string }) | undefined> => (await messages()).find((m) => m.messageId === id);
  return { prefix, clock, system, messages, messageOf, outbox: new DynamoOutbox(documentClient(), system.tables.Messages, async () => defaultConfig, deployedDueShards) };
};

describe('ended messages expire', () => {
  it('a sent message carries expiresAt, messagesDays after it was sent; a waiting one none', async () => {
    // Prepare
    const { prefix, clock, system, messages, messageOf } = await setUp('expiry-sent');

    // Act
    clock.set(new Date('2027-06-12T09:00:00Z'));
    await system.runDispatcher();

    // Assess
    const sent = await messageOf(`${prefix}a#birthday#2027`);
    expect(sent?.state).toBe('sent');
    expect(sent?.expiresAt).toBe(expiryOf(new Date(sent!.sentAt!), defaultConfig.retention));
    expect(new Date(sent!.expiresAt! * 1000).toISOString()).toBe('2028-07-16T09:00:00.000Z');
    // b's birthday is a month away; their first keep-in-touch falls on a day spread by a hash of their id, so it may have gone too.
    const all = await messages();
    expect(all.find((m) => m.messageId === `${prefix}b#birthday#2027`)?.state).toBe('planned');
    for (const message of all) {
      const expected = message.state === 'sent' ? expiryOf(new Date(message.sentAt!), defaultConfig.retention) : undefined;
      expect([message.messageId, message.state, message.expiresAt]).toEqual([message.messageId, message.state, expected]);
    }
    expect(all.filter((m) => m.state === 'planned').length).toBeGreaterThan(0);
  });

  it('an end for good sets it, a provisional end does not, and a message given back to wait loses it (on DynamoDB Local)', async () => {
    // Prepare: three messages of a customer of this test, planned straight into the outbox.
    const { prefix, system, outbox, messageOf } = await setUp('expiry-writes');
    const now = new Date('2027-06-10T12:00:00Z');
    const planned = (n: number): PlannedMessage => ({
      messageId: `${prefix}c#survey#o-${n}`,
      customerId: `${prefix}c`,
      campaign: 'survey',
      occurrence: `o-${n}`,
      messageClass: 'marketing',
      priority: 50,
      countsTowardCap: true,
      dueAt: '2027-06-11T09:00:00.000Z',
      deadline: '2027-06-25T09:00:00.000Z',
      localDate: '2027-06-11',
      timeZone: 'UTC',
    });
    for (const n of [1, 2, 3]) await outbox.plan(planned(n), now);

    // Act
    await outbox.endWaiting(planned(1).messageId, 'cancelled', 'a complaint of the customer is open', now);
    await outbox.endWaiting(planned(2).messageId, 'expired', 'gave way to a birthday', now, { provisional: true });
    // A claimed message carrying an expiry (as one written by hand might), given back by the dispatcher.
    await documentClient().send(new UpdateCommand({ TableName: system.tables.Messages, Key: { messageId: planned(3).messageId }, UpdateExpression: 'SET expiresAt = :stale', ExpressionAttributeValues: { ':stale': 1 } }));
    const claimedAt = new Date('2027-06-11T09:00:00Z');
    expect(await outbox.claim(planned(3).messageId, 'claim-1', claimedAt, new Date(claimedAt.getTime() + 600_000))).toBe('claimed');
    await outbox.release(planned(3).messageId, 'claim-1', { state: 'planned', sendAfter: new Date('2027-06-11T09:05:00Z'), reason: 'SES throttled' }, claimedAt);

    // Assess
    const cancelled = await messageOf(planned(1).messageId);
    expect([cancelled?.state, cancelled?.expiresAt, cancelled?.waitingCustomerId]).toEqual(['cancelled', expiryOf(now, defaultConfig.retention), undefined]);
    const provisional = await messageOf(planned(2).messageId);
    expect([provisional?.state, provisional?.expiresAt, provisional?.waitingCustomerId]).toEqual(['expired', undefined, `${prefix}c`]);
    const released = await messageOf(planned(3).messageId);
    expect([released?.state, released?.expiresAt, released?.waitingCustomerId]).toEqual(['planned', undefined, `${prefix}c`]);
  });

  it('the local runner deletes an ended message once its expiry has passed on its clock, and leaves a waiting one; explain sees it no more', async () => {
    // Prepare
    const { prefix, clock, system, messages, messageOf, outbox } = await setUp('expiry-sweep');
    clock.set(new Date('2027-06-12T09:00:00Z'));
    await system.runDispatcher();
    const sent = (await messageOf(`${prefix}a#birthday#2027`))!;
    const expiresAt = new Date(sent.expiresAt! * 1000);
    const before = await messages();
    const waitingBefore = before.filter((m) => m.expiresAt === undefined);
    expect(waitingBefore.map((m) => m.customerId)).toContain(`${prefix}b`);
    // What expires at each instant: the greeting, and whatever else that dispatcher run ended at the same virtual second.
    const expiringBy = (instant: Date) => before.filter((m) => m.expiresAt !== undefined && m.expiresAt * 1000 <= instant.getTime()).map((m) => m.messageId).sort();

    // Act: a second before its expiry, then at it.
    const early = await system.sweepExpired(new Date(expiresAt.getTime() - 1000));
    const swept = await system.sweepExpired(expiresAt);

    // Assess
    expect(early.map((m) => m.messageId).sort()).toEqual(expiringBy(new Date(expiresAt.getTime() - 1000)));
    expect(swept.map((m) => m.messageId).sort()).toEqual(expiringBy(expiresAt).filter((id) => !early.some((m) => m.messageId === id)));
    expect(swept.find((m) => m.messageId === sent.messageId)).toMatchObject({ state: 'sent', subject: sent.subject });
    expect(await messageOf(sent.messageId)).toBeUndefined();
    expect((await messages()).filter((m) => m.expiresAt === undefined)).toEqual(waitingBefore);
    expect((await outbox.allFor(`${prefix}a`)).map((m) => m.messageId)).not.toContain(sent.messageId);
    // DynamoDB Local is not asked to do it: it would, by the wall clock (local-stack.ts).
    const ttl = await dynamo().send(new DescribeTimeToLiveCommand({ TableName: system.tables.Messages }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('a simulation longer than messagesDays ends with the table AWS would hold, and a report that still lists every message', async () => {
    // Prepare: two consenting customers written to about monthly for 390 days, kept the shortest allowed.
    const prefix = uniquePrefix('expiry-sim');
    const config = parseConfig({ ...defaultConfig, retention: { messagesDays: 370 } });
    // And a contract extended for a second term, whose first 30-day reminder (1 January 2027) is deleted on
    // 6 January 2028, before the contract is written again on the day the second term's 30-day reminder went.
    const contract = (fields: Record<string, unknown>) => JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: `${prefix}c`, plan: 'Yearly', ...fields });
    const data = [
      ...['a', 'b'].map((id) => JSON.stringify({ type: 'customer', customerId: `${prefix}${id}`, email: `${prefix}${id}@example.com`, timeZone: 'Europe/Madrid', birthday: '1990-01-03', marketingOptIn: true })),
      JSON.stringify({ type: 'customer', customerId: `${prefix}c`, email: `${prefix}c@example.com`, timeZone: 'UTC' }),
      contract({ endsOn: '2027-01-31' }),
      contract({ endsOn: '2028-02-09', at: '2027-01-05T10:00:00Z' }),
      contract({ endsOn: '2028-02-09', plan: 'Yearly plus', at: '2028-01-10T12:00:00Z' }),
    ].join('\n');
    const start = new Date('2027-01-01T00:00:00Z');

    // Act
    const result = await simulate({ ...endpoints(), data, start, days: 390, config, tablePrefix: prefix });

    // Assess
    const end = new Date(start.getTime() + 390 * DAY);
    const inTable = await readAllMessages(documentClient(), result.tables.Messages);
    const sentIds = result.report.messages.filter((m) => m.state === 'sent').map((m) => m.messageId);
    // The birthday greetings of 2027 went on 3 January, more than 370 days before the end (26 January 2028): deleted, still reported.
    expect(result.messagesDeleted).toBeGreaterThan(0);
    expect(sentIds).toEqual(expect.arrayContaining([`${prefix}a#birthday#2027`, `${prefix}b#birthday#2027`, `${prefix}a#birthday#2028`]));
    expect(inTable.map((m) => m.messageId)).not.toContain(`${prefix}a#birthday#2027`);
    expect(inTable.filter((m) => m.expiresAt !== undefined && m.expiresAt * 1000 <= end.getTime())).toEqual([]);
    expect(result.report.messages.length).toBe(inTable.filter((m) => ['sent', 'expired', 'suppressed', 'cancelled', 'heldOut'].includes(m.state)).length + result.messagesDeleted);
    // The band is judged on everything sent: no floor gap opens where the deleted messages were.
    expect(checkBand(result.report, config, result.floorSubjects)).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
    expect(formatSummary(result, 1)).toContain(`  ${result.messagesDeleted} of them were deleted on the way, retention.messagesDays (370) after they ended`);
    // Each term reminded once at 30 days: the first term's deleted reminder does not free its id for the second term.
    const reminders = result.report.messages.filter((m) => m.customerId === `${prefix}c` && m.state === 'sent').map((m) => [m.messageId.slice(`${prefix}c#renewal#`.length), m.localDate]);
    expect(reminders).toEqual([['k-1#30', '2027-01-01'], ['k-1#2028-02-09#30', '2028-01-10']]);
    expect(inTable.map((m) => m.messageId)).not.toContain(`${prefix}c#renewal#k-1#30`);
  }, 240_000);

  it('DynamoDB Local, when told to, deletes by the wall clock and streams it as UNKNOWN_TO_SDK_VERSION: why the local stack leaves it off, and why the poller hands it on as a REMOVE by the service', async () => {
    // Prepare: a table of this test's own, with a stream and time to live, as AWS would have it.
    const tableName = `${uniquePrefix('ttl-probe')}Items`;
    await dynamo().send(new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }));
    await dynamo().send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
    const poller = await StreamPoller.forTable(dynamo(), dynamoDbStreamsClient(endpoints().dynamodbEndpoint), tableName);
    const nowSeconds = Math.floor(Date.now() / 1000);

    // Act: expired an hour ago by the wall clock (a virtual clock's "future" means nothing to it), and not for a day.
    await dynamo().send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'past' }, expiresAt: { N: String(nowSeconds - 3600) } } }));
    await dynamo().send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'future' }, expiresAt: { N: String(nowSeconds + 86_400) } } }));
    const seen: Awaited<ReturnType<StreamPoller['poll']>> = [];
    await eventually(async () => seen.push(...(await poller.poll())), () => seen.some((record) => record.eventName === 'REMOVE'), 60_000);

    // Assess
    const removed = seen.filter((record) => record.eventName === 'REMOVE');
    expect(removed.map((record) => [record.dynamodb?.Keys?.id?.S, record.userIdentity])).toEqual([['past', TIME_TO_LIVE_IDENTITY]]);
    expect(removed[0]!.dynamodb?.OldImage?.expiresAt?.N).toBe(String(nowSeconds - 3600));
  }, 90_000);
});
