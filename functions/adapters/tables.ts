import { DUE_MESSAGE_FIELDS } from '../core/messages.js';

/**
 * The one description of every DynamoDB table: keys, indexes, streams.
 * The CDK data stack and the local stack both build their tables from this, so they cannot drift.
 */
export type Projection = 'ALL' | 'KEYS_ONLY' | readonly string[];

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly projection: Projection;
}

export interface TableDefinition {
  /** Logical name: CDK construct id stem and the suffix of the local table name. */
  readonly logicalName: string;
  /** Environment variable through which handlers learn the physical table name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly IndexDefinition[];
  readonly stream?: 'NEW_AND_OLD_IMAGES';
  /**
   * The attribute DynamoDB's time to live reads (epoch seconds): an item whose value has passed is
   * deleted. In AWS DynamoDB deletes it; locally the runner does, on its own clock.
   */
  readonly timeToLiveAttribute?: string;
}

/** Every business record of a customer lives in one partition: the profile under `customer`, the rest under `<type>#<id>`. */
export const customersTable = {
  logicalName: 'Customers',
  envVar: 'CUSTOMERS_TABLE',
  partitionKey: 'customerId',
  sortKey: 'recordKey',
  indexes: [
    // Sparse: only consenting customers with a birthday carry `birthdayMonthDay`, so a day's planner reads only them.
    { indexName: 'byBirthday', partitionKey: 'birthdayMonthDay', sortKey: 'customerId', projection: 'ALL' },
    // Sparse: only contracts that may still lapse (active, not auto-renewing) carry `renewalEndsOn`.
    { indexName: 'byRenewal', partitionKey: 'renewalEndsOn', sortKey: 'customerId', projection: 'ALL' },
  ],
  stream: 'NEW_AND_OLD_IMAGES',
} as const satisfies TableDefinition;

/**
 * The outbox: one item per message id, whatever its state, until `retention.messagesDays` after it ended.
 * Waiting messages carry the keys of two sparse indexes; every message is in `byCustomer`.
 */
export const messagesTable = {
  logicalName: 'Messages',
  envVar: 'MESSAGES_TABLE',
  partitionKey: 'messageId',
  indexes: [
    // Sparse: only messages still waiting to go carry `dueShard`; the dispatcher reads what is due and nothing else.
    // Only what the dispatcher reads of a due message (messages.ts DUE_MESSAGE_FIELDS): a claim, a hand-over mark
    // and the bookkeeping of a send change nothing projected, so they write the table's item and not this index.
    { indexName: 'byDue', partitionKey: 'dueShard', sortKey: 'sendAfter', projection: DUE_MESSAGE_FIELDS },
    // Sparse too: a customer's messages still waiting, for the planner's per-customer arrangement; history is not read.
    { indexName: 'waitingByCustomer', partitionKey: 'waitingCustomerId', sortKey: 'dueAt', projection: 'ALL' },
    // Every message of a customer, whatever its state (explain): keys only, so only making a message or moving its due time writes the index.
    { indexName: 'byCustomer', partitionKey: 'customerId', sortKey: 'dueAt', projection: 'KEYS_ONLY' },
  ],
  // Set on a message that ended for good, `retention.messagesDays` after it ended (messages.ts `expiryOf`).
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

/**
 * An index's projection as deployed: `byDue` keeps every attribute on a stack deployed before it was
 * narrowed (the deploy setting `dueIndexProjection`: DynamoDB cannot change a projection in place).
 */
export const deployedProjection = (index: IndexDefinition, dueIndexProjection?: 'all'): IndexDefinition['projection'] =>
  index.indexName === messagesTable.indexes[0].indexName && dueIndexProjection === 'all' ? 'ALL' : index.projection;

/**
 * Each customer's contact ledger: when they were last written to (the floor) and last sent a capped
 * message (the cap). The cap is enforced by a conditional write on this item.
 */
export const ledgerTable = {
  logicalName: 'Ledger',
  envVar: 'LEDGER_TABLE',
  partitionKey: 'customerId',
  indexes: [
    // The local date on which the floor planner must look at a customer: a day's run reads only those.
    { indexName: 'byFloorCheck', partitionKey: 'floorCheckDate', sortKey: 'customerId', projection: 'ALL' },
    // Sparse: only a customer taken off the floor because their address is suppressed carries the address's
    // hash, until their profile is written again; lifting that suppression puts them back (`suppression remove`).
    { indexName: 'byUnreachableAddress', partitionKey: 'unreachableAddress', sortKey: 'customerId', projection: 'KEYS_ONLY' },
  ],
} as const satisfies TableDefinition;

/** Small operational state: planner watermarks, the runtime configuration, erasure receipts. */
export const controlTable = {
  logicalName: 'Control',
  envVar: 'CONTROL_TABLE',
  partitionKey: 'key',
  indexes: [
    // Sparse: only an erasure receipt whose second pass is still to come carries `secondPass`, until that pass ran;
    // the dispatch coordinator reads those due, oldest first, and no receipt of the past (dynamo-erasure.ts).
    { indexName: 'bySecondPass', partitionKey: 'secondPass', sortKey: 'sweepAfter', projection: ['customerId', 'addressKey', 'erasedAt'] },
  ],
} as const satisfies TableDefinition;

/**
 * Addresses nothing may be sent to any more (a hard bounce, a spam complaint), keyed by a hash of the
 * address so the table never holds one in clear; whichever customer record carries the address.
 */
export const suppressionsTable = {
  logicalName: 'Suppressions',
  envVar: 'SUPPRESSIONS_TABLE',
  partitionKey: 'addressKey',
  indexes: [],
} as const satisfies TableDefinition;

export const tableDefinitions = [customersTable, messagesTable, ledgerTable, controlTable, suppressionsTable] as const;

export type TableName = (typeof tableDefinitions)[number]['logicalName'];

/** Physical table names, as handlers receive them. */
export type TableNames = Record<TableName, string>;

export const tableNamesFromEnv = (env: NodeJS.ProcessEnv = process.env): TableNames => {
  const names = {} as TableNames;
  for (const table of tableDefinitions) {
    const value = env[table.envVar];
    if (!value) throw new Error(`environment variable ${table.envVar} is not set (the ${table.logicalName} table name)`);
    names[table.logicalName] = value;
  }
  return names;
};

/** The key of the stack output naming a table (`CustomersTableName`): the data stack writes it, the CLI reads it. */
export const tableOutputKey = (logicalName: string): string => `${logicalName}TableName`;
