import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoOutbox } from '../../functions/adapters/dynamo-outbox.js';
import { expiryOf, type PlannedMessage } from '../../functions/core/messages.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

/**
 * Which writes of the outbox give a message `expiresAt` (it ended for good: DynamoDB's TTL deletes it
 * `retention.messagesDays` later) and which take it away (it waits again). The client is a stand-in
 * that records each command's input: DynamoDB's side is test/integration/message-expiry.test.ts.
 */

interface Recorded {
  readonly command: string;
  readonly input: { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, unknown>; Item?: Record<string, unknown> };
}

const outboxWith = (settings: { messagesDays: number }, answer: (command: string) => unknown = () => ({})) => {
  const sent: Recorded[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Recorded['input'] }) => {
      sent.push({ command: command.constructor.name, input: command.input });
      const result = answer(command.constructor.name);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as DynamoDBDocumentClient;
  return { outbox: new DynamoOutbox(client, 'Messages', async () => ({ retention: settings }), deployedDueShards), sent };
};

/** The attributes an update expression sets and removes. */
const clausesOf = (expression = '') => {
  const [setPart = '', removePart = ''] = expression.split(' REMOVE ');
  const set = [...setPart.replace(/^SET /, '').matchAll(/(?:^|, )(#?\w+) = /g)].map((match) => match[1]!.replace(/^#/, ''));
  const remove = removePart.split(',').map((name) => name.trim()).filter(Boolean);
  return { set, remove };
};

const lastUpdate = (sent: readonly Recorded[]) => {
  const update = sent.filter((entry) => entry.command === 'UpdateCommand').at(-1)!;
  return { ...clausesOf(update.input.UpdateExpression), values: update.input.ExpressionAttributeValues ?? {} };
};

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

const message: PlannedMessage = {
  messageId: 'c-1#birthday#2027',
  customerId: 'c-1',
  campaign: 'birthday',
  occurrence: '2027',
  messageClass: 'marketing',
  priority: 80,
  countsTowardCap: true,
  dueAt: '2027-03-04T08:00:00.000Z',
  deadline: '2027-03-04T23:00:00.000Z',
  localDate: '2027-03-04',
  timeZone: 'Europe/Madrid',
};

const now = new Date('2027-03-04T08:01:00.000Z');
const days = { messagesDays: 400 };

describe('the outbox and expiresAt', () => {
  it.each([
    ['expired at planning time', (outbox: DynamoOutbox) => outbox.endWaiting(message.messageId, 'expired', 'its window closed', now)],
    ['cancelled at planning time', (outbox: DynamoOutbox) => outbox.endWaiting(message.messageId, 'cancelled', 'the birthday changed', now)],
    ['expired by the dispatcher', (outbox: DynamoOutbox) => outbox.finish(message.messageId, 'claim-1', 'expired', 'its deadline passed', now)],
    ['suppressed by the dispatcher', (outbox: DynamoOutbox) => outbox.finish(message.messageId, 'claim-1', 'suppressed', 'the address bounced', now)],
    ['cancelled by the dispatcher', (outbox: DynamoOutbox) => outbox.finish(message.messageId, 'claim-1', 'cancelled', 'the customer opted out', now)],
    ['sent', (outbox: DynamoOutbox) => outbox.markSent(message.messageId, 'claim-1', { sentAt: now, subject: 'Happy birthday', locale: 'en', sesMessageId: 'ses-1' })],
    ['sent, unconfirmed (the answer was lost)', (outbox: DynamoOutbox) => outbox.markSent(message.messageId, 'claim-1', { sentAt: now, subject: 'Happy birthday', locale: 'en', unconfirmed: 'unconfirmed: timeout' })],
    ['sent, unconfirmed (its dispatcher stopped)', (outbox: DynamoOutbox) => outbox.settleUnconfirmed(message.messageId, now).then(() => undefined)],
  ])('ended for good (%s): expires messagesDays after it ended', async (_, end) => {
    // Prepare
    const { outbox, sent } = outboxWith(days);

    // Act
    await end(outbox);

    // Assess
    const update = lastUpdate(sent);
    expect(update.set).toContain('expiresAt');
    expect(update.values[':expiresAt']).toBe(expiryOf(now, days));
    expect(update.remove).not.toContain('expiresAt');
  });

  it('a provisional end keeps it among the waiting messages, with no expiry: it may be brought back', async () => {
    const { outbox, sent } = outboxWith(days);
    await outbox.endWaiting(message.messageId, 'expired', 'gave way to c-1#renewal#k-7#30', now, { provisional: true });
    const update = lastUpdate(sent);
    expect(update.set).not.toContain('expiresAt');
    expect(update.remove).toContain('expiresAt');
    expect(update.remove).not.toContain('waitingCustomerId');
  });

  it.each([
    ['moved (replan)', (outbox: DynamoOutbox) => outbox.replan(message, now).then(() => undefined)],
    ['given a slot, or brought back (reschedule)', (outbox: DynamoOutbox) => outbox.reschedule(message, { state: 'deferred', sendAfter: new Date('2027-03-05T08:00:00Z'), reason: 'the cap' }, now)],
    ['given back by the dispatcher (release)', (outbox: DynamoOutbox) => outbox.release(message.messageId, 'claim-1', { state: 'planned', sendAfter: new Date('2027-03-04T08:06:00Z'), reason: 'SES throttled' }, now)],
  ])('waiting again (%s): loses any expiry', async (_, wait) => {
    // An existing message: the create of replan finds its id taken and moves it instead.
    const { outbox, sent } = outboxWith(days, (command) => (command === 'PutCommand' ? conditionFailed() : {}));
    await wait(outbox);
    const update = lastUpdate(sent);
    expect(update.remove).toContain('expiresAt');
    expect(update.set).not.toContain('expiresAt');
  });

  it('planning, claiming and handing over set no expiry: the message has not ended', async () => {
    const { outbox, sent } = outboxWith(days);
    await outbox.plan(message, now);
    await outbox.claim(message.messageId, 'claim-1', now, new Date(now.getTime() + 600_000));
    await outbox.markHandedOver(message.messageId, 'claim-1', now);
    expect(sent.map((entry) => entry.command)).toEqual(['PutCommand', 'UpdateCommand', 'UpdateCommand']);
    expect(sent[0]!.input.Item).not.toHaveProperty('expiresAt');
    for (const entry of sent.slice(1)) expect(entry.input.UpdateExpression).not.toContain('expiresAt');
  });

  it('reads messagesDays when the message ends: a change by ops applies to the next one, with no restart', async () => {
    const settings = { messagesDays: 400 };
    const { outbox, sent } = outboxWith(settings);
    await outbox.finish(message.messageId, 'claim-1', 'expired', 'its deadline passed', now);
    settings.messagesDays = 730;
    await outbox.finish('c-2#birthday#2027', 'claim-2', 'expired', 'its deadline passed', now);
    const [first, second] = sent.map((entry) => entry.input.ExpressionAttributeValues?.[':expiresAt']);
    expect(first).toBe(expiryOf(now, { messagesDays: 400 }));
    expect(second).toBe(expiryOf(now, { messagesDays: 730 }));
  });
});
