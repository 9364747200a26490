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
import { DynamoErasureStore } from './dynamo-erasure.js';
import { deployedDueShards } from './deploy-settings.js';
import type { ErasureReceipt } from '../core/erasure.js';
import { holdoutStatusOf, type HoldoutStatus } from '../core/measurement/holdout.js';

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
  /**
   * Their holdout group under the stored configuration (`measurement`): the campaigns whose messages
   * are recorded `heldOut`, never sent. Absent when the stored configuration does not validate.
   */
  readonly holdout?: HoldoutStatus;
}

/** No profile, no record, no ledger, no message: nothing is known of this id. */
export const isUnknownCustomer = (story: CustomerStory): boolean => story.records.length === 0 && !story.ledger && story.messages.length === 0;

export const readCustomerStory = async (client: DynamoDBDocumentClient, tables: TableNames, customerId: string): Promise<CustomerStory> => {
  const partition = await queryAll(client, { TableName: tables.Customers, KeyConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': customerId } });
  const preferences = preferencesFromItem(partition.find((item) => item.recordKey === PREFERENCES_RECORD_KEY));
  const records = businessRecordsOf(partition);
  const profile = records.find((record) => record.type === 'customer');

  const ledger = await new DynamoLedgerStore(client, tables.Ledger, deployedDueShards).get(customerId);
  const email = typeof profile?.email === 'string' ? profile.email : undefined;
  const suppression = email ? ((await client.send(new GetCommand({ TableName: tables.Suppressions, Key: { addressKey: addressKey(email) } }))).Item as Suppression | undefined) : undefined;

  // Only read here: the configuration it is given is what a write that ends a message would read.
  const configStore = new DynamoConfigStore(client, tables.Control);
  const messages = await new DynamoOutbox(client, tables.Messages, () => configStore.get(), deployedDueShards).allFor(customerId);
  // The group follows from the id and the configuration alone (measurement/holdout.ts); a stored
  // configuration that no longer validates (after an upgrade) leaves it unknown, not the story.
  const holdout = await configStore.get().then(
    (config) => holdoutStatusOf(customerId, config.measurement),
    () => undefined,
  );
  return {
    customerId,
    records,
    ...(preferences ? { preferences } : {}),
    ...(ledger ? { ledger } : {}),
    ...(suppression ? { suppression } : {}),
    messages,
    ...(holdout ? { holdout } : {}),
  };
};

/** `retention customer export`: every item held about one customer, in every table, as stored. */
export interface CustomerExport {
  readonly customerId: string;
  readonly exportedAt: string;
  /** Their business records as stored (the profile under `customer`), index keys included. */
  readonly records: readonly Record<string, unknown>[];
  /** What they chose on their preference page or by unsubscribing; null when they never chose. */
  readonly preferences: Record<string, unknown> | null;
  /** Every message, whatever its state: subject, state, reason, times. */
  readonly messages: readonly Record<string, unknown>[];
  /** Their contact ledger: last contact, last capped send, next floor check. */
  readonly ledger: Record<string, unknown> | null;
  /** Whether their address is suppressed, why and since when. */
  readonly suppression: { readonly suppressed: false } | { readonly suppressed: true; readonly reason: string; readonly since: string };
  /** Their holdout group (`treated`, `heldOut`, `mixed`) and the campaigns they are held out of; null when the stored configuration does not validate. */
  readonly holdout: HoldoutStatus | null;
  /** The receipt of an earlier erasure of this id (they were registered again since), or null. */
  readonly erasure: ErasureReceipt | null;
}

const mapOrNull = <T, U>(value: T | undefined, map: (value: T) => U): U | null => (value === undefined ? null : map(value));

/** The fields a reader looks for first, in this order; any other follows alphabetically. */
const EXPORT_FIELD_ORDER = [
  'customerId', 'recordKey', 'type', 'messageId', 'campaign', 'occurrence', 'subject', 'state', 'reason',
  'name', 'email', 'locale', 'timeZone', 'birthday', 'marketingOptIn', 'createdAt',
  'dueAt', 'sentAt', 'deadline', 'expiresAt',
];

/**
 * One item for a person to read: its fields in a stable order (DynamoDB gives them in any), and the
 * time to live (epoch seconds, as DynamoDB needs it) as a date. Nothing is left out.
 */
const readableItem = (item: Record<string, unknown>): Record<string, unknown> => {
  const rank = (field: string) => {
    const index = EXPORT_FIELD_ORDER.indexOf(field);
    return index === -1 ? EXPORT_FIELD_ORDER.length : index;
  };
  const fields = Object.keys(item).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return Object.fromEntries(fields.map((field) => [field, field === 'expiresAt' && typeof item[field] === 'number' ? new Date(item[field] * 1000).toISOString() : item[field]]));
};

export const readCustomerExport = async (client: DynamoDBDocumentClient, tables: TableNames, customerId: string, now: Date): Promise<CustomerExport> => {
  const partition = await queryAll(client, { TableName: tables.Customers, KeyConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': customerId }, ConsistentRead: true });
  const story = await readCustomerStory(client, tables, customerId);
  const erasure = (await new DynamoErasureStore(client, tables).receiptsOf([customerId])).get(customerId) ?? null;
  return {
    customerId,
    exportedAt: now.toISOString(),
    records: partition.filter((item) => item.recordKey !== PREFERENCES_RECORD_KEY).map(readableItem),
    preferences: mapOrNull(partition.find((item) => item.recordKey === PREFERENCES_RECORD_KEY), readableItem),
    messages: (story.messages as unknown as Record<string, unknown>[]).map(readableItem),
    ledger: mapOrNull(story.ledger as unknown as Record<string, unknown> | undefined, readableItem),
    suppression: story.suppression ? { suppressed: true, reason: story.suppression.reason, since: story.suppression.since } : { suppressed: false },
    holdout: story.holdout ? { group: story.holdout.group, heldOutOf: [...story.holdout.heldOutOf] } : null,
    erasure,
  };
};
