import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoff, batchGetAll } from './batch-get.js';
import { queryAll, queryPagesWithKeys } from './query-pages.js';
import { ignoreConditionFailure, itemAtConditionFailure } from './conditions.js';
import { LEDGER_DATE_NAMES, ledgerDatesInZone } from '../core/ledger-zone.js';
import type { LocalDate } from '../core/calendar.js';
import { NEVER } from '../core/cadence.js';
import type { CapReservation, DatePage, FloorCheckCursors, FloorCheckPartition, LedgerCustomerFacts, LedgerEntry, LedgerStore } from '../core/ports.js';
import { ledgerTable } from './tables.js';
import { customerShard } from '../core/customer-shard.js';

/**
 * How many floor checks a page holds: a planner run whose time runs out stops between two pages
 * (plan-floor.ts), so a page is the most a run begins without the time to finish it (~1 s at 10 M customers).
 */
export const FLOOR_CHECKS_PER_PAGE = 500;

/**
 * A date's floor checks are spread over as many `byFloorCheck` partitions as `byDue` has shards (the
 * deploy setting `dueShards`), by the same hash. Every send moves its customer's check to a date 23
 * days on, so a busy hour's sends all write one date, as fast as the senders send: each partition then
 * takes the writes of one sender (at most ~250 a second), below DynamoDB's 1,000 a second per partition.
 * A customer's check is kept under `YYYY-MM-DD#NN` (NN its shard), and the planner reads a date's
 * shards at once, each at the pace of its own customers' checks (docs/scale.md, "Sharding the hot
 * keys"). Raised with `dueShards`, never lowered: the shards so far are among the new ones, so a check
 * written before the raise is still read.
 */
const floorCheckPartition = (date: LocalDate, shard: number): string => `${date}#${String(shard).padStart(2, '0')}`;

/** The `floorCheckDate` stored for a customer's check on `date`: the date and the customer's shard among `shards`. */
export const floorCheckKey = (date: LocalDate, customerId: string, shards: number): string => floorCheckPartition(date, customerShard(customerId, shards));

/**
 * A date's partitions: the date alone, where checks written before the shards existed still are (a
 * stack deployed before; each moves to its shard when next written), and its shards.
 */
const floorCheckPartitions = (date: LocalDate, shards: number): string[] => [date, ...Array.from({ length: shards }, (_, shard) => floorCheckPartition(date, shard))];

/** The instant of a send the ledger does not know (a caller that gave none, a ledger from before instants were kept). */
const UNKNOWN_INSTANT = '';

/** How many times opening a ledger whose customer changed zone reads it again when a send moved its dates meanwhile. */
const OPEN_ATTEMPTS = 5;

/**
 * Taking a customer off the floor for a suppression is a transaction, which the SDK does not retry: a
 * conflict with a write in flight or a throttle of either item is tried again here, as the SDK would a
 * single write (its default: 3 attempts, exponential backoff), with the batch reads' backoff.
 */
const MARK_ATTEMPTS = 3;
const RETRYABLE_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** A partition read to its end in an earlier run. */
async function* noPages(): AsyncIterable<DatePage<LedgerEntry>> {}

/** A ledger item as the rest of the system sees it: its floor check a date, without the shard. */
const entryOf = (item: Record<string, unknown>): LedgerEntry =>
  (typeof item.floorCheckDate === 'string' ? { ...item, floorCheckDate: item.floorCheckDate.split('#')[0] } : item) as unknown as LedgerEntry;

/**
 * The Ledger table. The cap is a conditional write on the customer's item, never a read followed by
 * a write: two dispatchers racing for the same customer cannot both pass it.
 */
export class DynamoLedgerStore implements LedgerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How many partitions a date's floor checks are spread over (the deploy setting `dueShards`). */
    private readonly floorCheckShards: number,
    /** The Suppressions table, which `markUnreachable` checks when a suppression is the cause. */
    private readonly suppressionsTable?: string,
  ) {}

  async get(customerId: string): Promise<LedgerEntry | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { customerId }, ConsistentRead: true }));
    return Item && entryOf(Item);
  }

  async getMany(customerIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const items = await batchGetAll(this.client, this.tableName, [...new Set(customerIds)].map((customerId) => ({ customerId })), { consistent: true });
    return new Map(items.map((item) => [item.customerId as string, entryOf(item)]));
  }

  async open(customerId: string, lastContactDate: LocalDate, floorCheckDate: LocalDate | undefined, facts: LedgerCustomerFacts, recordsPlannedIn?: string): Promise<LedgerEntry> {
    // One write: a new ledger gets its history; an existing one keeps it; both get the profile's facts.
    // Without a floor check date (a customer without marketing consent) one it has is kept, none is added.
    const set: Record<string, string> = {
      lastContactDate: 'if_not_exists(lastContactDate, :contact)',
      openedOn: 'if_not_exists(openedOn, :contact)',
      lastCappedDate: 'if_not_exists(lastCappedDate, :never)',
      ...(floorCheckDate === undefined ? {} : { floorCheckDate: 'if_not_exists(floorCheckDate, :check)' }),
      ...(recordsPlannedIn === undefined ? {} : { recordsPlannedIn: ':planned' }),
      '#timeZone': ':timeZone',
      marketingOptIn: ':marketing',
    };
    const values: Record<string, unknown> = { ':contact': lastContactDate, ':never': NEVER, ...(floorCheckDate === undefined ? {} : { ':check': floorCheckKey(floorCheckDate, customerId, this.floorCheckShards) }), ':timeZone': facts.timeZone, ':marketing': facts.marketingOptIn, ...(recordsPlannedIn === undefined ? {} : { ':planned': recordsPlannedIn }) };
    const write = (condition: string, conditionValues: Record<string, unknown>, moved: Record<string, string>) => {
      // The profile written again decides whether the customer can be reached: a suppression's mark goes.
      const update = `SET ${Object.entries({ ...set, ...moved }).map(([name, value]) => `${name} = ${value}`).join(', ')} REMOVE unreachableAddress`;
      // DynamoDB refuses a value no expression uses (the dates a move sets replace their defaults).
      const used = Object.entries({ ...values, ...conditionValues }).filter(([name]) => new RegExp(`${name}\\b`).test(`${update} ${condition}`));
      return this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { customerId },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#timeZone': 'timeZone' }, // a reserved word in expressions
          ExpressionAttributeValues: Object.fromEntries(used),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    };
    let attempt = 0;
    for (;;) {
      try {
        const { Attributes } = await write('attribute_not_exists(#timeZone) OR #timeZone = :timeZone', {}, {});
        return entryOf(Attributes!);
      } catch (error) {
        ignoreConditionFailure(error);
        // The customer is in another zone now: their dates are read again there (ledger-zone.ts), in a
        // write that holds only if no send has moved them since; one that did is read again.
        const was = itemAtConditionFailure(error)!;
        const dates = ledgerDatesInZone(was, String(was.timeZone), facts.timeZone);
        const moved = Object.fromEntries(Object.keys(dates).map((name) => [name, `:moved_${name}`]));
        // Every date as it was read, present or absent: a send that adds one (a first survey) is read again too.
        const unchanged = ['#timeZone = :wasZone', ...LEDGER_DATE_NAMES.map((name) => (name in dates ? `${name} = :was_${name}` : `attribute_not_exists(${name})`))].join(' AND ');
        const movedValues = Object.fromEntries(Object.entries(dates).flatMap(([name, date]) => [[`:moved_${name}`, date], [`:was_${name}`, was[name]]]));
        try {
          const { Attributes } = await write(unchanged, { ':wasZone': was.timeZone, ...movedValues }, moved);
          return entryOf(Attributes!);
        } catch (raced) {
          ignoreConditionFailure(raced);
          if (++attempt >= OPEN_ATTEMPTS) throw new Error(`the ledger of ${customerId} changed under every one of ${OPEN_ATTEMPTS} attempts to move it to ${facts.timeZone}`);
        }
      }
    }
  }

  async reserveCap(customerId: string, messageId: string, today: LocalDate, threshold: LocalDate, at?: Date): Promise<CapReservation> {
    // A new holder: the previous date is kept so a reservation whose message does not go can be given back.
    const taken = await this.conditionalUpdate({
      Key: { customerId },
      UpdateExpression: 'SET previousCappedDate = if_not_exists(lastCappedDate, :never), previousCappedAt = if_not_exists(lastCappedAt, :unknown), lastCappedDate = :today, lastCappedAt = :at, lastCappedMessageId = :messageId',
      ConditionExpression: '(attribute_not_exists(lastCappedDate) OR lastCappedDate <= :threshold) AND (attribute_not_exists(lastCappedMessageId) OR lastCappedMessageId <> :messageId)',
      ExpressionAttributeValues: { ':never': NEVER, ':unknown': UNKNOWN_INSTANT, ':today': today, ':at': at?.toISOString() ?? UNKNOWN_INSTANT, ':messageId': messageId, ':threshold': threshold },
    });
    if (taken) return { taken: true };
    const entry = await this.get(customerId);
    if (entry?.lastCappedMessageId === messageId) {
      // This message holds it already (taken again after a re-claim): keep what a release would restore.
      const stillHeld = await this.conditionalUpdate({
        Key: { customerId },
        UpdateExpression: 'SET lastCappedDate = :today, lastCappedAt = :at',
        ConditionExpression: 'lastCappedMessageId = :messageId',
        ExpressionAttributeValues: { ':today': today, ':at': at?.toISOString() ?? UNKNOWN_INSTANT, ':messageId': messageId },
      });
      if (stillHeld) return { taken: true };
    }
    return { taken: false, lastCappedDate: entry?.lastCappedDate ?? today };
  }

  /** True when the write happened, false when its condition did not hold. */
  private async conditionalUpdate(update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, ...update }));
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  async releaseCap(customerId: string, messageId: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { customerId },
          UpdateExpression: 'SET lastCappedDate = previousCappedDate, lastCappedAt = if_not_exists(previousCappedAt, :unknown) REMOVE lastCappedMessageId',
          ConditionExpression: 'lastCappedMessageId = :messageId AND attribute_exists(previousCappedDate)',
          ExpressionAttributeValues: { ':messageId': messageId, ':unknown': UNKNOWN_INSTANT },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async recordContact(customerId: string, today: LocalDate, floorCheckDate: LocalDate, sent: { readonly survey?: boolean; readonly keepInTouchContent?: string; readonly at?: Date } = {}): Promise<void> {
    // Only forwards: a late record of an older send never moves the floor back.
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { customerId },
          UpdateExpression: `SET lastContactDate = :today, lastContactAt = :at, floorCheckDate = :check, lastCappedDate = if_not_exists(lastCappedDate, :never)${sent.survey ? ', lastSurveyDate = :today, lastSurveyAt = :at' : ''}${sent.keepInTouchContent ? ', lastKeepInTouchContent = :content' : ''}`,
          ConditionExpression: 'attribute_not_exists(lastContactDate) OR lastContactDate <= :today',
          ExpressionAttributeValues: { ':today': today, ':at': sent.at?.toISOString() ?? UNKNOWN_INSTANT, ':check': floorCheckKey(floorCheckDate, customerId, this.floorCheckShards), ':never': NEVER, ...(sent.keepInTouchContent ? { ':content': sent.keepInTouchContent } : {}) },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  /**
   * A date's checks, a reader per partition: the date alone (checks written before the shards) and each
   * shard. A page's `next` is the index key it ended on; a partition's cursor in `after` is where it
   * goes on from (null: read to its end). Anything else there (a resume point an earlier version kept)
   * names no partition, so the date is read from its start: a check already made has left it, or plans nothing new.
   */
  floorChecksOn(date: LocalDate, after: FloorCheckCursors = {}): FloorCheckPartition[] {
    const cursors: FloorCheckCursors = after !== null && typeof after === 'object' ? after : {};
    return floorCheckPartitions(date, this.floorCheckShards).map((name) => {
      const from = Object.hasOwn(cursors, name) ? cursors[name] : undefined;
      const startKey = from !== null && typeof from === 'object' ? (from as Record<string, unknown>) : undefined;
      return { name, from: from === null ? null : startKey, pages: from === null ? noPages() : this.floorCheckPages(name, startKey) };
    });
  }

  private async *floorCheckPages(partition: string, startKey: Record<string, unknown> | undefined): AsyncIterable<DatePage<LedgerEntry>> {
    const pages = queryPagesWithKeys(this.client, {
      TableName: this.tableName,
      IndexName: ledgerTable.indexes[0].indexName,
      KeyConditionExpression: 'floorCheckDate = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      Limit: FLOOR_CHECKS_PER_PAGE,
      ExclusiveStartKey: startKey,
    });
    for await (const page of pages) yield { items: page.items.map(entryOf), next: page.next };
  }

  async markUnreachable(customerId: string, suppressedAddress?: string): Promise<void> {
    if (suppressedAddress === undefined) {
      await this.updateExisting(customerId, 'SET marketingOptIn = :false REMOVE floorCheckDate', { ':false': false });
      return;
    }
    if (this.suppressionsTable === undefined) throw new Error('DynamoLedgerStore: markUnreachable for a suppressed address needs the Suppressions table');
    // Only while the suppression is still there: a dispatcher run read it before ops lifted it
    // (`suppression remove`), and the lift, done meanwhile, must not be undone by that old read.
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { ConditionCheck: { TableName: this.suppressionsTable, Key: { addressKey: suppressedAddress }, ConditionExpression: 'attribute_exists(addressKey)' } },
        {
          Update: {
            TableName: this.tableName,
            Key: { customerId },
            UpdateExpression: 'SET marketingOptIn = :false, unreachableAddress = :address REMOVE floorCheckDate',
            ConditionExpression: 'attribute_exists(customerId)',
            ExpressionAttributeValues: { ':false': false, ':address': suppressedAddress },
          },
        },
      ],
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(transaction);
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // A condition that failed (the suppression lifted, no ledger) means there is nothing to mark; a
        // conflict with a write in flight (the lift's delete) or a throttle is tried again after a pause;
        // anything else is thrown.
        const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code).filter((code): code is string => code !== undefined && code !== 'None');
        if (reasons.length > 0 && reasons.every((code) => code === 'ConditionalCheckFailed')) return;
        const retryable = reasons.some((code) => RETRYABLE_CANCELLATIONS.has(code)) && reasons.every((code) => code === 'ConditionalCheckFailed' || RETRYABLE_CANCELLATIONS.has(code));
        if (!retryable || attempt >= MARK_ATTEMPTS) throw error;
        await backoff(attempt);
      }
    }
  }

  async unreachableBecauseOf(suppressedAddress: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: ledgerTable.indexes[1].indexName,
      KeyConditionExpression: 'unreachableAddress = :address',
      ExpressionAttributeValues: { ':address': suppressedAddress },
    });
    return items.map((item) => String(item.customerId));
  }

  async setRecordsPlannedIn(customerId: string, timeZone: string): Promise<void> {
    await this.updateExisting(customerId, 'SET recordsPlannedIn = :zone', { ':zone': timeZone });
  }

  /** An update of the customer's ledger if they have one: an update would otherwise create one holding nothing but this. */
  private async updateExisting(customerId: string, update: string, values: Record<string, unknown>): Promise<void> {
    await this.client
      .send(new UpdateCommand({ TableName: this.tableName, Key: { customerId }, UpdateExpression: update, ConditionExpression: 'attribute_exists(customerId)', ExpressionAttributeValues: values }))
      .catch(ignoreConditionFailure);
  }

  async setFloorCheck(customerId: string, date: LocalDate | undefined): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { customerId },
        ...(date === undefined
          ? { UpdateExpression: 'REMOVE floorCheckDate' }
          : { UpdateExpression: 'SET floorCheckDate = :check', ExpressionAttributeValues: { ':check': floorCheckKey(date, customerId, this.floorCheckShards) } }),
      }),
    );
  }
}
