import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetentionConfig } from '../core/config.js';
import { cachedConfig, DynamoConfigStore } from './dynamo-config.js';
import type { ControlStore, CustomerStore, LedgerStore, Mailer, Outbox, SuppressionStore } from '../core/ports.js';
import { DynamoSuppressionStore } from './dynamo-suppressions.js';
import { DynamoLedgerStore } from './dynamo-ledger.js';
import { DynamoControlStore } from './dynamo-control.js';
import { DynamoCustomerStore } from './dynamo-customers.js';
import { DynamoOutbox } from './dynamo-outbox.js';
import { tableNamesFromEnv, type TableNames } from './tables.js';

/**
 * Everything a handler needs from outside: clients, table names, clock, configuration, logger.
 * In Lambda it comes from the environment; the local runner builds one against DynamoDB Local, the
 * SES emulator and its virtual clock, and hands it to the very same handler factories.
 */
export interface Stores {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly control: ControlStore;
  readonly ledger: LedgerStore;
  readonly suppressions: SuppressionStore;
  readonly mailer: Mailer;
}

export interface HandlerRuntime {
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly config: () => Promise<RetentionConfig>;
  readonly stores: () => Stores;
  /** The business name e-mails are signed with. */
  readonly brand: string;
  /** The secret one-click links are signed with: the dispatcher signs, the link handler verifies. */
  readonly linkSecret: () => Promise<string>;
  /** Where one-click links point (only the dispatcher, which writes them, needs it). */
  readonly linksBaseUrl: () => string;
}

export const documentClientFor = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });

export const storesFor = (documentClient: DynamoDBDocumentClient, tables: TableNames, mailer: Mailer): Stores => ({
  customers: new DynamoCustomerStore(documentClient, tables.Customers),
  outbox: new DynamoOutbox(documentClient, tables.Messages),
  control: new DynamoControlStore(documentClient, tables.Control),
  ledger: new DynamoLedgerStore(documentClient, tables.Ledger),
  suppressions: new DynamoSuppressionStore(documentClient, tables.Suppressions),
  mailer,
});

export const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

/**
 * What only some functions use, passed in by their handler files, so the SDK clients behind them are
 * bundled only into the functions that call them (the SES client into the dispatcher, Secrets Manager
 * into the dispatcher and the link handler).
 */
export interface LambdaParts {
  readonly mailer?: () => Mailer;
  readonly linkSecret?: () => Promise<string>;
}

const notInThisFunction = (what: string) => (): never => {
  throw new Error(`${what} is not available in this function`);
};

/** The runtime of a deployed Lambda: clients are made on first use, so importing a handler costs nothing. */
export const lambdaRuntime = (parts: LambdaParts = {}): HandlerRuntime => {
  const clock = () => new Date();
  const documentClient = once(() => documentClientFor(new DynamoDBClient({})));
  const tables = once(() => tableNamesFromEnv());
  const config = once(() => cachedConfig(new DynamoConfigStore(documentClient(), tables().Control), clock));
  const missingMailer: Mailer = { send: notInThisFunction('the mail service') };
  return {
    logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'retention' }),
    clock,
    config: () => config()(),
    stores: once(() => storesFor(documentClient(), tables(), parts.mailer ? parts.mailer() : missingMailer)),
    brand: process.env.BRAND_NAME ?? 'Retention',
    linkSecret: parts.linkSecret ?? notInThisFunction('the link secret'),
    linksBaseUrl: () => requiredEnv('LINKS_BASE_URL'),
  };
};

export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};
