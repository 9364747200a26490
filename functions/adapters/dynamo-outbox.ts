import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { allDueShards, DUE_MESSAGE_FIELDS, dueShardOf, expiryOf, newlyPlanned, type DueMessage, type Message, type MessageState, type PlannedMessage } from '../core/messages.js';
import type { RetentionConfig } from '../core/config.js';
import type { ClaimResult, FoundMessage, Outbox, PlanOutcome, SentRecord } from '../core/ports.js';
import { messagesTable } from './tables.js';
import { ignoreConditionFailure, isConditionFailure, itemAtConditionFailure } from './conditions.js';
import { queryAll } from './query-pages.js';
import { batchGetAll } from './batch-get.js';

/**
 * What the dispatcher reads of a due message, asked for by name: the same fields whether `byDue`
 * projects only these or, on a stack deployed before it was narrowed, every attribute
 * (`dueIndexProjection`, docs/deploy.md).
 */
const DUE_FIELDS: readonly string[] = ['messageId', 'sendAfter', ...DUE_MESSAGE_FIELDS];

/**
 * The Messages table. Every state change is a conditional write on the message's own item: creation
 * only if the id is new, a claim only if it is still waiting, and each later step only by its claimer.
 * Waiting messages carry `dueShard` and so sit in the sparse `byDue` index until they end; a claim
 * leaves their entry there as it is (it changes nothing the index projects), so the index is written
 * when a message is planned, moved, given back or ended, never by a claim or a hand-over mark.
 *
 * Every write that ends a message for good (sent, sent unconfirmed, expired, suppressed, cancelled,
 * held out; not a provisional end) sets `expiresAt`, `retention.messagesDays` after it ended, read from the
 * configuration in force (`config`, the handler's cached reader: ops change it without a redeploy),
 * and DynamoDB's time to live deletes the item after that. Every write that makes a message wait
 * (again) removes it.
 */
/** Why a message handed over by a dispatcher that then stopped is settled as sent. */
const UNCONFIRMED_AFTER_HAND_OVER = 'unconfirmed: handed to the mail service, then its dispatcher stopped before recording the result; never sent again (at most once)';

export class DynamoOutbox implements Outbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly config: () => Promise<Pick<RetentionConfig, 'retention'>>,
    /** How many `byDue` partitions waiting messages are spread over (the deploy setting `dueShards`). */
    private readonly dueShards: number,
  ) {}

  /** When a message ending for good at `endedAt` expires (messages.ts `expiryOf`, with the setting in force). */
  private async expiryFor(endedAt: Date): Promise<number> {
    return expiryOf(endedAt, (await this.config()).retention);
  }

  async plan(message: PlannedMessage, now: Date): Promise<PlanOutcome> {
    const item = { ...newlyPlanned(message, now), dueShard: dueShardOf(message.customerId, this.dueShards), waitingCustomerId: message.customerId };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(messageId)' }));
      return 'planned';
    } catch (error) {
      if (isConditionFailure(error)) return 'unchanged';
      throw error;
    }
  }

  async replan(message: PlannedMessage, now: Date, options: { readonly revive?: readonly ('cancelled' | 'suppressed')[] } = {}): Promise<PlanOutcome> {
    const revive = options.revive ?? [];
    if ((await this.plan(message, now)) === 'planned') return 'planned';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId: message.messageId },
          // Names for every attribute: `timeZone` (and others) are reserved words in expressions.
          // Moved, and planned again: a deferred message's slot and a provisional end were for the old time.
          UpdateExpression:
            'SET #dueAt = :dueAt, #sendAfter = :dueAt, #deadline = :deadline, #localDate = :localDate, #timeZone = :timeZone, #updatedAt = :now, #state = :planned, reason = :null, dueShard = :dueShard, waitingCustomerId = customerId REMOVE expiresAt',
          ConditionExpression: `(attribute_exists(waitingCustomerId) AND (#dueAt <> :dueAt OR #deadline <> :deadline OR #state IN (:expired, :cancelled)))${
            // Ended for good in a state the caller names, never handed over nor still claimed: back among the waiting.
            revive.length > 0 ? ` OR (#state IN (${revive.map((_, i) => `:revive${i}`).join(', ')}) AND attribute_not_exists(claimId) AND attribute_not_exists(handedOverAt) AND attribute_not_exists(sentAt))` : ''
          }`,
          ExpressionAttributeNames: {
            '#state': 'state',
            '#dueAt': 'dueAt',
            '#sendAfter': 'sendAfter',
            '#deadline': 'deadline',
            '#localDate': 'localDate',
            '#timeZone': 'timeZone',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':planned': 'planned',
            ':expired': 'expired',
            ':cancelled': 'cancelled',
            ':null': null,
            ':dueShard': dueShardOf(message.customerId, this.dueShards),
            ':dueAt': message.dueAt,
            ':deadline': message.deadline,
            ':localDate': message.localDate,
            ':timeZone': message.timeZone,
            ':now': now.toISOString(),
            ...Object.fromEntries(revive.map((state, i) => [`:revive${i}`, state])),
          },
        }),
      );
      return 'updated';
    } catch (error) {
      if (isConditionFailure(error)) return 'unchanged';
      throw error;
    }
  }

  async waitingFor(customerId: string): Promise<Message[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: messagesTable.indexes[1].indexName,
      KeyConditionExpression: 'waitingCustomerId = :customerId',
      ExpressionAttributeValues: { ':customerId': customerId },
    });
    return items as unknown as Message[];
  }

  async find(messageId: string): Promise<FoundMessage | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { messageId }, ConsistentRead: true }));
    // Waiting messages, and those ended provisionally, are the ones in the `waitingByCustomer` index.
    return Item === undefined ? undefined : { message: Item as unknown as Message, waiting: Item.waitingCustomerId !== undefined };
  }

  /** Every message of a customer, whatever its state, oldest due first: the `byCustomer` index's keys, then the messages by key. */
  async allFor(customerId: string): Promise<Message[]> {
    const keys = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: messagesTable.indexes[2].indexName,
      KeyConditionExpression: 'customerId = :customerId',
      ExpressionAttributeValues: { ':customerId': customerId },
    });
    const messages = (await batchGetAll(this.client, this.tableName, keys.map(({ messageId }) => ({ messageId })))) as unknown as Message[];
    return messages.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.messageId.localeCompare(b.messageId));
  }

  async reschedule(message: { readonly messageId: string; readonly customerId: string }, slot: { state: 'planned' | 'deferred'; sendAfter: Date; reason: string | null }, now: Date): Promise<void> {
    // Back in `byDue` too: a provisionally ended message may be brought back.
    await this.updateWaiting(message.messageId, 'SET #state = :state, sendAfter = :sendAfter, reason = :reason, updatedAt = :now, dueShard = :dueShard REMOVE expiresAt', {
      ':state': slot.state,
      ':sendAfter': slot.sendAfter.toISOString(),
      ':reason': slot.reason,
      ':now': now.toISOString(),
      ':dueShard': dueShardOf(message.customerId, this.dueShards),
    });
  }

  async endWaiting(messageId: string, state: 'expired' | 'cancelled', reason: string, now: Date, options: { readonly provisional?: boolean } = {}): Promise<boolean> {
    const values = { ':ended': state, ':reason': reason, ':now': now.toISOString() };
    if (options.provisional) {
      // Out of `byDue` (never sent as it is) but still among the customer's waiting messages, and kept: it may come back.
      return this.updateWaiting(messageId, 'SET #state = :ended, reason = :reason, updatedAt = :now REMOVE dueShard, expiresAt', values);
    }
    return this.updateWaiting(messageId, 'SET #state = :ended, reason = :reason, updatedAt = :now, expiresAt = :expiresAt REMOVE dueShard, waitingCustomerId', {
      ...values,
      ':expiresAt': await this.expiryFor(now),
    });
  }

  /**
   * A planning-time change to a message still waiting (or ended provisionally: it keeps
   * `waitingCustomerId`); a message a dispatcher has taken, or one ended for good, is left alone
   * (false).
   */
  private async updateWaiting(messageId: string, update: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(waitingCustomerId)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async due(now: Date, limit: number, shards: readonly string[] = allDueShards(this.dueShards)): Promise<DueMessage[]> {
    const items = await this.queryDueShards(shards, { sendAfterCondition: ' AND sendAfter <= :now', values: { ':now': now.toISOString() }, limit, fields: DUE_FIELDS });
    return (items as DueMessage[]).sort((a, b) => a.sendAfter.localeCompare(b.sendAfter)).slice(0, limit);
  }

  /** The earliest `sendAfter` of any waiting message: lets the local runner fire the dispatcher only when something can be due. */
  async nextSendAfter(): Promise<Date | undefined> {
    const items = await this.queryDueShards(allDueShards(this.dueShards), { sendAfterCondition: '', limit: 1, fields: ['sendAfter'] });
    const earliest = items.map((item) => item.sendAfter as string).sort()[0];
    return earliest === undefined ? undefined : new Date(earliest);
  }

  /** Waiting messages live in several `byDue` partitions; each is read in `sendAfter` order. */
  private async queryDueShards(shards: readonly string[], query: { sendAfterCondition: string; values?: Record<string, unknown>; limit: number; fields: readonly string[] }) {
    const pages = await Promise.all(
      shards.map((dueShard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: messagesTable.indexes[0].indexName,
            KeyConditionExpression: `dueShard = :shard${query.sendAfterCondition}`,
            ExpressionAttributeValues: { ':shard': dueShard, ...query.values },
            // By name (#f0, #f1…: some are reserved words in expressions).
            ProjectionExpression: query.fields.map((_, i) => `#f${i}`).join(', '),
            ExpressionAttributeNames: Object.fromEntries(query.fields.map((field, i) => [`#f${i}`, field])),
            Limit: query.limit,
          }),
        ),
      ),
    );
    return pages.flatMap((page) => page.Items ?? []);
  }

  async claim(messageId: string, claimId: string, now: Date, leaseUntil: Date): Promise<ClaimResult> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          // The message stays in `byDue` as it was (nothing projected there changes, so the index is not written):
          // if its claimer stops, it is found again, and taken again once `claimedUntil` has passed.
          UpdateExpression: 'SET #state = :sending, claimId = :claimId, claimedUntil = :leaseUntil, updatedAt = :now REMOVE waitingCustomerId',
          ConditionExpression:
            '(#state IN (:planned, :deferred) AND sendAfter <= :now) OR (#state = :sending AND claimedUntil <= :now AND attribute_not_exists(handedOverAt))',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':planned': 'planned',
            ':deferred': 'deferred',
            ':claimId': claimId,
            ':leaseUntil': leaseUntil.toISOString(),
            ':now': now.toISOString(),
          },
          // The state it was taken from (no extra capacity): `sending` is a claim whose run stopped part-way.
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Attributes?.state === 'sending' ? 'reclaimed' : 'claimed';
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markHandedOver(messageId: string, claimId: string, now: Date): Promise<'handedOver' | 'gone'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          UpdateExpression: 'SET handedOverAt = :now',
          ConditionExpression: 'claimId = :claimId AND claimedUntil > :now',
          ExpressionAttributeValues: { ':claimId': claimId, ':now': now.toISOString() },
          // A failed condition answers with the item as it is, or none when it is gone.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'handedOver';
    } catch (error) {
      if (isConditionFailure(error) && itemAtConditionFailure(error) === undefined) return 'gone';
      throw error;
    }
  }

  async withdrawHandOver(messageId: string, claimId: string): Promise<void> {
    await this.client
      .send(new UpdateCommand({ TableName: this.tableName, Key: { messageId }, UpdateExpression: 'REMOVE handedOverAt', ConditionExpression: 'claimId = :claimId', ExpressionAttributeValues: { ':claimId': claimId } }))
      .catch(ignoreConditionFailure);
  }

  async settleUnconfirmed(messageId: string, now: Date): Promise<Date | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          // The claim id stays: should its claimer still be waiting on the mail service, its answer replaces this guess.
          // It expires from now, a lease after it was handed over: a little later than from its send, never sooner.
          UpdateExpression: 'SET #state = :sent, sentAt = handedOverAt, reason = :reason, updatedAt = :now, expiresAt = :expiresAt REMOVE dueShard, claimedUntil',
          ConditionExpression: '#state = :sending AND claimedUntil <= :now AND attribute_exists(handedOverAt)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':sending': 'sending',
            ':now': now.toISOString(),
            ':reason': UNCONFIRMED_AFTER_HAND_OVER,
            ':expiresAt': await this.expiryFor(now),
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return new Date(String(Attributes?.sentAt));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The answer to a first attempt that applied was lost, and the SDK's retry found it settled: by this very write.
      const item = itemAtConditionFailure(error);
      return item?.state === 'sent' && item.updatedAt === now.toISOString() && item.reason === UNCONFIRMED_AFTER_HAND_OVER ? new Date(String(item.sentAt)) : undefined;
    }
  }

  async markSent(messageId: string, claimId: string, sent: SentRecord): Promise<void> {
    const optional = { content: sent.content, sesMessageId: sent.sesMessageId };
    const present = Object.entries(optional).filter(([, value]) => value !== undefined);
    const set = ['#state = :sent', 'sentAt = :sentAt', 'subject = :subject', 'locale = :locale', 'reason = :reason', 'updatedAt = :sentAt', 'attempts = attempts + :one', 'expiresAt = :expiresAt', ...present.map(([name]) => `${name} = :${name}`)];
    await this.updateClaimed(messageId, claimId, { set: `SET ${set.join(', ')}`, remove: ['dueShard'] }, {
      ...Object.fromEntries(present.map(([name, value]) => [`:${name}`, value])),
      ':sent': 'sent',
      ':sentAt': sent.sentAt.toISOString(),
      ':subject': sent.subject,
      ':locale': sent.locale,
      ':reason': sent.unconfirmed ?? null,
      ':one': 1,
      ':expiresAt': await this.expiryFor(sent.sentAt),
    }, { state: 'sent', updatedAt: sent.sentAt.toISOString() });
  }

  async release(messageId: string, claimId: string, release: { state: 'planned' | 'deferred'; sendAfter: Date; reason: string }, now: Date): Promise<void> {
    await this.updateClaimed(
      messageId,
      claimId,
      {
        // Its `dueShard` stays: a claim never takes the message out of `byDue`.
        set: 'SET #state = :state, sendAfter = :sendAfter, reason = :reason, waitingCustomerId = customerId, updatedAt = :now, attempts = attempts + :attempt, deferrals = if_not_exists(deferrals, :zero) + :deferral',
        // A send the mail service refused was not handed over after all: the message may be tried again.
        remove: ['handedOverAt', 'expiresAt'],
      },
      {
        ':state': release.state,
        ':sendAfter': release.sendAfter.toISOString(),
        ':reason': release.reason,
        ':now': now.toISOString(),
        // A deferral is not an attempt to send; a transient failure is.
        ':attempt': release.state === 'planned' ? 1 : 0,
        ':deferral': release.state === 'deferred' ? 1 : 0,
        ':zero': 0,
      },
      { state: release.state, updatedAt: now.toISOString() },
    );
  }

  async finish(messageId: string, claimId: string, state: Exclude<MessageState, 'planned' | 'sending' | 'sent' | 'deferred'>, reason: string, now: Date): Promise<void> {
    await this.updateClaimed(messageId, claimId, { set: 'SET #state = :state, reason = :reason, updatedAt = :now, expiresAt = :expiresAt', remove: ['dueShard'] }, {
      ':state': state,
      ':reason': reason,
      ':now': now.toISOString(),
      ':expiresAt': await this.expiryFor(now),
    }, { state, updatedAt: now.toISOString() });
  }

  /**
   * Every step after a claim is conditional on holding it; the claim itself is then dropped. `applied`
   * is what the item shows once this write is done: when the answer to a first attempt that applied is
   * lost, the SDK's retry finds the claim gone, and an item showing this very write (its state and time,
   * no claim) means it is done, not refused.
   */
  private async updateClaimed(messageId: string, claimId: string, update: { set: string; remove: string[] }, values: Record<string, unknown>, applied: { readonly state: MessageState; readonly updatedAt: string }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { messageId },
          UpdateExpression: `${update.set} REMOVE ${[...update.remove, 'claimId', 'claimedUntil'].join(', ')}`,
          ConditionExpression: 'claimId = :claimId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ...values, ':claimId': claimId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const item = isConditionFailure(error) ? itemAtConditionFailure(error) : undefined;
      if (item && item.claimId === undefined && item.state === applied.state && item.updatedAt === applied.updatedAt) return;
      throw error;
    }
  }
}
