import { type DynamoDBDocumentClient, DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ignoreConditionFailure } from './conditions.js';
import type { CustomerStore } from '../core/ports.js';
import { PROFILE_RECORD_KEY, recordKeyOf, storedAttributes, type BusinessRecord, type RecordType, type SurveyResponse } from '../core/records.js';
import { PREFERENCES_RECORD_KEY, type Preferences } from '../core/preferences.js';
import { storedItemOf, UnwritableRecordsError, type UnwritableRecord } from '../core/stored-record.js';
import { customersTable } from './tables.js';
import { queryAll, queryPages } from './query-pages.js';
import { batchGetAll, batchWriteAll } from './batch-get.js';

/** The Customers table: every business record of a customer in one partition. */
export class DynamoCustomerStore implements CustomerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  customersWithBirthday(monthDay: string): AsyncIterable<readonly unknown[]> {
    return queryPages(this.client, {
      TableName: this.tableName,
      IndexName: customersTable.indexes[0].indexName,
      KeyConditionExpression: 'birthdayMonthDay = :monthDay',
      ExpressionAttributeValues: { ':monthDay': monthDay },
    });
  }

  async getProfiles(customerIds: readonly string[]): Promise<Map<string, unknown>> {
    const items = await this.getItems(customerIds.map((customerId) => ({ customerId, recordKey: PROFILE_RECORD_KEY })));
    return new Map([...items].map(([key, item]) => [key.slice(0, key.lastIndexOf('|')), item]));
  }

  async getItems(keys: readonly { customerId: string; recordKey: string }[], options: { readonly consistent?: boolean } = {}): Promise<Map<string, unknown>> {
    const unique = [...new Map(keys.map(({ customerId, recordKey }) => [`${customerId}|${recordKey}`, { customerId, recordKey }])).values()];
    const items = await batchGetAll(this.client, this.tableName, unique, options);
    return new Map(items.map((item) => [`${item.customerId}|${item.recordKey}`, item]));
  }

  contractsEndingOn(endsOn: string): AsyncIterable<readonly unknown[]> {
    return queryPages(this.client, {
      TableName: this.tableName,
      IndexName: customersTable.indexes[1].indexName,
      KeyConditionExpression: 'renewalEndsOn = :endsOn',
      ExpressionAttributeValues: { ':endsOn': endsOn },
    });
  }

  async setRenewalIndexKey(customerId: string, recordKey: string, endsOn: string | undefined): Promise<void> {
    await this.setIndexKey({ customerId, recordKey }, 'renewalEndsOn', endsOn);
  }

  async setBirthdayIndexKey(customerId: string, monthDay: string | undefined): Promise<void> {
    await this.setIndexKey({ customerId, recordKey: PROFILE_RECORD_KEY }, 'birthdayMonthDay', monthDay);
  }

  /** Sets or removes a sparse index key on a record that still exists (a late stream record must not resurrect one). */
  private async setIndexKey(key: { customerId: string; recordKey: string }, attribute: string, value: string | undefined): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: 'attribute_exists(customerId)',
          ExpressionAttributeNames: { '#key': attribute },
          ...(value === undefined ? { UpdateExpression: 'REMOVE #key' } : { UpdateExpression: 'SET #key = :value', ExpressionAttributeValues: { ':value': value } }),
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async recordsOfType(customerId: string, type: RecordType): Promise<unknown[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'customerId = :id AND begins_with(recordKey, :prefix)',
      ExpressionAttributeValues: { ':id': customerId, ':prefix': `${type}#` },
      ConsistentRead: true,
    });
  }

  async recordSurveyAnswer(response: SurveyResponse): Promise<'recorded' | 'updated' | 'unchanged'> {
    try {
      const { Attributes } = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: storedItemOf(response),
          // The same score again writes nothing, so it starts nothing on the stream either.
          ConditionExpression: 'attribute_not_exists(recordKey) OR score <> :score',
          ExpressionAttributeValues: { ':score': response.score },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes === undefined ? 'recorded' : 'updated';
    } catch (error) {
      ignoreConditionFailure(error);
      return 'unchanged';
    }
  }

  async deleteRecord(key: { readonly customerId: string; readonly recordKey: string }): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { customerId: key.customerId, recordKey: key.recordKey } }));
  }

  async setPreferences(preferences: Preferences): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...preferences, recordKey: PREFERENCES_RECORD_KEY } }));
  }

  async recordKeysOf(customerId: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'customerId = :id',
      ExpressionAttributeValues: { ':id': customerId },
      ProjectionExpression: 'recordKey',
      ConsistentRead: true,
    });
    return items.map((item) => String((item as { recordKey?: unknown }).recordKey));
  }

  /**
   * Writes validated records, 25 a request, each with its key and, for a profile, its index key. A
   * record given twice is written once, the later one (a batch may not hold one key twice). When the
   * table refuses a batch for what one of its records is, the batch is written record by record and
   * the refused ones are named in an UnwritableRecordsError thrown after every other record is written.
   */
  async putRecords(records: readonly BusinessRecord[]): Promise<void> {
    const lastOf = new Map<string, number>();
    records.forEach((record, index) => lastOf.set(`${record.customerId}|${recordKeyOf(record)}`, index));
    const indexes = [...lastOf.values()].sort((a, b) => a - b);
    const refused: UnwritableRecord[] = [];
    for (let i = 0; i < indexes.length; i += 25) {
      const batch = indexes.slice(i, i + 25);
      try {
        await this.batchWrite(batch.map((index) => storedItemOf(records[index]!)));
      } catch (error) {
        if (!isRefusedRecord(error)) throw error;
        for (const index of batch) {
          try {
            await this.client.send(new PutCommand({ TableName: this.tableName, Item: storedItemOf(records[index]!) }));
          } catch (itemError) {
            if (!isRefusedRecord(itemError)) throw itemError;
            refused.push({ index, reason: (itemError as Error).message });
          }
        }
      }
    }
    if (refused.length > 0) throw new UnwritableRecordsError(refused);
  }

  /** One BatchWriteItem (at most 25 items), with what DynamoDB hands back unprocessed under load written again. */
  private async batchWrite(items: readonly Record<string, unknown>[]): Promise<void> {
    await batchWriteAll(this.client, this.tableName, items.map((Item) => ({ PutRequest: { Item } })));
  }
}

/**
 * The table (or the SDK, before sending) refused a write for what a record holds, not for the
 * table's state: writing the same record again would fail the same way.
 */
const isRefusedRecord = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ValidationException' || /Number\.(MAX|MIN)_SAFE_INTEGER|Special numeric value|Unsupported type passed|removeUndefinedValues/.test(error.message));

/** A customer's items as business records: without the preferences item (the customer's own word, not a business record) and without the keys the store adds. */
export const businessRecordsOf = (items: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
  items.filter((item) => item.recordKey !== PREFERENCES_RECORD_KEY).map((item) => Object.fromEntries(Object.entries(item).filter(([name]) => !(storedAttributes as readonly string[]).includes(name))));
