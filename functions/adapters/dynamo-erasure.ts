import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { erasureKeyOf, type ErasureReceipt } from '../core/erasure.js';
import { redactEmailsIn } from '../core/mask.js';
import type { ErasureCounts, ErasureStore, PendingErasure } from '../core/ports.js';
import { PROFILE_RECORD_KEY } from '../core/records.js';
import { addressKey } from '../core/suppression.js';
import { batchGetAll, batchWriteAll } from './batch-get.js';
import { ignoreConditionFailure, isConditionFailure } from './conditions.js';
import { queryAll } from './query-pages.js';
import { DynamoControlStore } from './dynamo-control.js';
import { FLOOR_JOBS } from '../core/jobs/plan-floor.js';
import { controlTable, messagesTable, type TableNames } from './tables.js';

/** The value of `secondPass` on a receipt whose second pass is still to come: the key of the sparse index `bySecondPass`. */
const SECOND_PASS_PENDING = 'pending';
/**
 * Where an earlier version listed the pending second passes: one Control item, a string set of their
 * hashes, which DynamoDB refused past 400 KB (some 6,000 erasures within a pass's wait). Nothing is
 * added to it any more; a stack upgraded with hashes in it has them swept as before, until it is empty.
 */
const OLD_PENDING_KEY = 'erasures#pending';
const receiptKey = (customerId: string) => `erasure#${erasureKeyOf(customerId)}`;

/**
 * Erasure across every table. Receipts live in the Control table under `erasure#<hash of the id>`;
 * while a second pass is to come, the receipt also holds the id (and the address's hash), when the
 * pass is due (`sweepAfter`) and `secondPass`, which puts it in the sparse index `bySecondPass`; the
 * second pass removes them all. Each pending pass is its own item: no list grows with the erasures.
 */
export class DynamoErasureStore implements ErasureStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async receiptsOf(customerIds: readonly string[]): Promise<Map<string, ErasureReceipt>> {
    const ids = [...new Set(customerIds)];
    if (ids.length === 0) return new Map();
    const byKey = new Map(ids.map((id) => [receiptKey(id), id]));
    const items = await batchGetAll(this.client, this.tables.Control, [...byKey.keys()].map((key) => ({ key })), { consistent: true });
    return new Map(items.map((item) => [byKey.get(String(item.key))!, receiptOf(item)]));
  }

  async recordErasure(customerId: string, receipt: ErasureReceipt, pending?: PendingErasure): Promise<void> {
    const values: Record<string, unknown> = { ':hash': receipt.customerHash, ':erasedAt': receipt.erasedAt, ':requestedAt': receipt.requestedAt, ':by': receipt.requestedBy };
    let update = 'SET customerHash = :hash, erasedAt = :erasedAt, requestedAt = :requestedAt, requestedBy = :by';
    if (pending) {
      update += ', customerId = :id, sweepAfter = :sweepAfter, secondPass = :pending';
      Object.assign(values, { ':id': customerId, ':sweepAfter': pending.sweepAfter, ':pending': SECOND_PASS_PENDING });
      if (pending.addressKey) {
        update += ', addressKey = :addressKey';
        values[':addressKey'] = pending.addressKey;
      }
    }
    await this.client.send(new UpdateCommand({ TableName: this.tables.Control, Key: { key: receiptKey(customerId) }, UpdateExpression: update, ExpressionAttributeValues: values }));
  }

  async profileOf(customerId: string): Promise<{ addressKey?: string; createdAt?: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.Customers, Key: { customerId, recordKey: PROFILE_RECORD_KEY }, ProjectionExpression: 'email, createdAt', ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return { ...(typeof Item.email === 'string' ? { addressKey: addressKey(Item.email) } : {}), ...(typeof Item.createdAt === 'string' ? { createdAt: Item.createdAt } : {}) };
  }

  async deleteEverything(customerId: string, suppressedKey: string | undefined, lastRecordKey?: string): Promise<ErasureCounts> {
    const { Customers, Messages, Ledger } = this.tables;
    // The profile first: from then on nothing plans for this customer.
    const partition = await queryAll(this.client, { TableName: Customers, KeyConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': customerId }, ProjectionExpression: 'customerId, recordKey', ConsistentRead: true });
    const recordKeys = partition.map((item) => String(item.recordKey));
    const order = [...recordKeys.filter((key) => key === PROFILE_RECORD_KEY), ...recordKeys.filter((key) => key !== PROFILE_RECORD_KEY && key !== lastRecordKey), ...recordKeys.filter((key) => key === lastRecordKey)];
    // Three batches in this order (the profile's, the rest, the erasure record's): BatchWriteItem alone deletes.
    const deleteKeys = (keys: readonly string[]) => batchWriteAll(this.client, Customers, keys.map((recordKey) => ({ DeleteRequest: { Key: { customerId, recordKey } } })));
    await deleteKeys(order.filter((key) => key === PROFILE_RECORD_KEY));
    await deleteKeys(order.filter((key) => key !== PROFILE_RECORD_KEY && key !== lastRecordKey));
    await deleteKeys(order.filter((key) => key === lastRecordKey));

    const messageKeys = await queryAll(this.client, {
      TableName: Messages,
      IndexName: messagesTable.indexes[2].indexName,
      KeyConditionExpression: 'customerId = :id',
      ExpressionAttributeValues: { ':id': customerId },
      ProjectionExpression: 'messageId',
    });
    await batchWriteAll(this.client, Messages, messageKeys.map(({ messageId }) => ({ DeleteRequest: { Key: { messageId } } })));

    const { Attributes: ledger } = await this.client.send(new DeleteCommand({ TableName: Ledger, Key: { customerId }, ReturnValues: 'ALL_OLD' }));
    // A floor planner run (or re-read) that stopped inside a date kept the key of the last check it read, which may be theirs (plan-floor.ts).
    const control = new DynamoControlStore(this.client, this.tables.Control);
    for (const job of FLOOR_JOBS) await control.forgetResumePointAt(job, customerId);
    const suppressions = suppressedKey === undefined ? 0 : await this.stripSuppression(suppressedKey);
    return { customers: recordKeys.length, messages: messageKeys.length, ledger: ledger ? 1 : 0, suppressions };
  }

  /** A suppression keeps only its key, the time and its cause (any address in the reason taken out): nothing may point back at the person. */
  private async stripSuppression(key: string): Promise<number> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.Suppressions, Key: { addressKey: key }, ConsistentRead: true }));
    if (!Item) return 0;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.Suppressions,
          Key: { addressKey: key },
          UpdateExpression: 'SET reason = :reason REMOVE address',
          ConditionExpression: 'attribute_exists(addressKey)',
          ExpressionAttributeValues: { ':reason': redactEmailsIn(String(Item.reason ?? '')) },
        }),
      );
      return 1;
    } catch (error) {
      if (isConditionFailure(error)) return 0;
      throw error;
    }
  }

  async dueSecondPasses(now: Date, limit: number): Promise<PendingErasure[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.Control,
        IndexName: controlTable.indexes[0].indexName,
        KeyConditionExpression: 'secondPass = :pending AND sweepAfter <= :now',
        ExpressionAttributeValues: { ':pending': SECOND_PASS_PENDING, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    // The old list's first: they are older. A receipt erased again since is in both; once is enough.
    const due = new Map((await this.dueInOldList(now)).map((entry) => [entry.customerId, entry]));
    for (const entry of Items.map(pendingOf)) if (!due.has(entry.customerId)) due.set(entry.customerId, entry);
    return [...due.values()].slice(0, limit);
  }

  /** The due passes listed in the item an earlier version kept (OLD_PENDING_KEY); one read when it lists none. */
  private async dueInOldList(now: Date): Promise<PendingErasure[]> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.Control, Key: { key: OLD_PENDING_KEY }, ConsistentRead: true }));
    const hashes = [...((Item?.hashes as Set<string> | undefined) ?? [])];
    if (hashes.length === 0) return [];
    const receipts = await batchGetAll(this.client, this.tables.Control, hashes.map((hash) => ({ key: `erasure#${hash}` })), { consistent: true });
    const pending = receipts.filter((item) => typeof item.customerId === 'string' && typeof item.sweepAfter === 'string').map(pendingOf);
    // A hash whose receipt holds no id any more had its pass made (secondPassDone leaves the list alone): it leaves the list.
    const done = hashes.filter((hash) => !pending.some((entry) => erasureKeyOf(entry.customerId) === hash));
    if (done.length > 0) {
      await this.client.send(new UpdateCommand({ TableName: this.tables.Control, Key: { key: OLD_PENDING_KEY }, UpdateExpression: 'DELETE hashes :hashes', ExpressionAttributeValues: { ':hashes': new Set(done) } }));
    }
    return pending.filter((entry) => Date.parse(entry.sweepAfter) <= now.getTime());
  }

  async secondPassDone(pending: PendingErasure): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tables.Control,
          Key: { key: receiptKey(pending.customerId) },
          UpdateExpression: 'REMOVE customerId, addressKey, sweepAfter, secondPass',
          // A later erasure of the same id moved the pass: that one is still to come.
          ConditionExpression: 'sweepAfter = :sweepAfter',
          ExpressionAttributeValues: { ':sweepAfter': pending.sweepAfter },
        }),
      )
      .catch(ignoreConditionFailure);
  }
}

/** A pending second pass, as its receipt (or the index's copy of it) holds it. */
const pendingOf = (item: Record<string, unknown>): PendingErasure => ({
  customerId: String(item.customerId),
  sweepAfter: String(item.sweepAfter),
  erasedAt: String(item.erasedAt),
  ...(typeof item.addressKey === 'string' ? { addressKey: item.addressKey } : {}),
});

const receiptOf = (item: Record<string, unknown>): ErasureReceipt => ({
  customerHash: String(item.customerHash),
  erasedAt: String(item.erasedAt),
  requestedAt: String(item.requestedAt),
  requestedBy: item.requestedBy === 'record' ? 'record' : 'command',
});
