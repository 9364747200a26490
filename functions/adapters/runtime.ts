import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretFromSecretsManager } from './link-secret.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetentionConfig } from '../core/config.js';
import { cachedConfig, DynamoConfigStore } from './dynamo-config.js';
import type { ControlStore, CustomerStore, LedgerStore, Mailer, Outbox, SuppressionStore } from '../core/ports.js';
import { DynamoSuppressionStore } from './dynamo-suppressions.js';
import { DynamoLedgerStore } from './dynamo-ledger.js';
import { DynamoControlStore } from './dynamo-control.js';
import { DynamoCustomerStore } from './dynamo-customers.js';
import { DynamoOutbox } from './dynamo-outbox.js';
import { SesMailer } from './ses-mailer.js';
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

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

/** The runtime of a deployed Lambda: clients are made on first use, so importing a handler costs nothing. */
export const lambdaRuntime = (): HandlerRuntime => {
  const clock = () => new Date();
  const documentClient = once(() => documentClientFor(new DynamoDBClient({})));
  const tables = once(() => tableNamesFromEnv());
  const config = once(() => cachedConfig(new DynamoConfigStore(documentClient(), tables().Control), clock));
  return {
    logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'retention' }),
    clock,
    config: () => config()(),
    stores: once(() =>
      storesFor(
        documentClient(),
        tables(),
        new SesMailer(new SESv2Client({}), { from: requiredEnv('SENDER_ADDRESS'), configurationSetName: process.env.SES_CONFIGURATION_SET }),
      ),
    ),
    brand: process.env.BRAND_NAME ?? 'Retention',
    linkSecret: once(() => secretFromSecretsManager(new SecretsManagerClient({}), requiredEnv('LINK_SECRET_ARN'))),
    linksBaseUrl: () => requiredEnv('LINKS_BASE_URL'),
  };
};

const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};
