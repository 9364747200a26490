import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Message } from '../core/messages.js';
import type { LedgerEntry } from '../core/ports.js';
import { businessRecordsOf } from './dynamo-customers.js';
import { DynamoLedgerStore } from './dynamo-ledger.js';
import { queryAll } from './query-pages.js';
import { PREFERENCES_RECORD_KEY, preferencesFromItem, type Preferences } from '../core/preferences.js';
import { addressKey, type Suppression } from '../core/suppression.js';
import { DynamoOutbox } from './dynamo-outbox.js';
import { DynamoConfigStore } from './dynamo-config.js';
import type { TableNames } from './tables.js';

/** Everything stored about one customer's contact, for `retention explain`: read-only, every read by key or by index. */
export interface CustomerStory {
  readonly customerId: string;
  /** The customer's business records as stored (profile under `customer`), without index keys. */
  readonly records: readonly Record<string, unknown>[];
  readonly preferences?: Preferences;
  readonly ledger?: LedgerEntry;
  /** The suppression of the profile's address, if it is suppressed. */
  readonly suppression?: Suppression;
  /** Every message of the customer, whatever its state, oldest due first. */
  readonly messages: readonly Message[];
}

/** No profile, no record, no ledger, no message: nothing is known of this id. */
export const isUnknownCustomer = (story: CustomerStory): boolean => story.records.length === 0 && !story.ledger && story.messages.length === 0;

export const readCustomerStory = async (client: DynamoDBDocumentClient, tables: TableNames, customerId: string): Promise<CustomerStory> => {
  const partition = await queryAll(client, { TableName: tables.Customers, KeyConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': customerId } });
  const preferences = preferencesFromItem(partition.find((item) => item.recordKey === PREFERENCES_RECORD_KEY));
  const records = businessRecordsOf(partition);
  const profile = records.find((record) => record.type === 'customer');

  const ledger = await new DynamoLedgerStore(client, tables.Ledger).get(customerId);
  const email = typeof profile?.email === 'string' ? profile.email : undefined;
  const suppression = email ? ((await client.send(new GetCommand({ TableName: tables.Suppressions, Key: { addressKey: addressKey(email) } }))).Item as Suppression | undefined) : undefined;

  // Only read here: the configuration it is given is what a write that ends a message would read.
  const messages = await new DynamoOutbox(client, tables.Messages, () => new DynamoConfigStore(client, tables.Control).get()).allFor(customerId);
  return {
    customerId,
    records,
    ...(preferences ? { preferences } : {}),
    ...(ledger ? { ledger } : {}),
    ...(suppression ? { suppression } : {}),
    messages,
  };
};
