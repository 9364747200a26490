import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetentionConfig } from '../core/config.js';
import { checkedDueShards } from '../core/messages.js';
import { numberAsStored } from '../core/inexact-number.js';
import { maskEmailsIn } from '../core/mask.js';
import { cachedConfig, DynamoConfigStore } from './dynamo-config.js';
import type { TemplateSet } from '../core/templates/types.js';
import type { PacingClock, SendRate } from '../core/pacing.js';
import type { ConfigStore, ControlStore, CustomerStore, ErasureStore, LedgerStore, Mailer, Outbox, SuppressionStore } from '../core/ports.js';
import { DynamoErasureStore } from './dynamo-erasure.js';
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
  /** The configuration, to change it (handlers read it through `HandlerRuntime.config`, cached). */
  readonly config: ConfigStore;
  /** Erasure receipts, and the deletes of an erasure across every table. */
  readonly erasures: ErasureStore;
}

export interface HandlerRuntime {
  readonly logger: Logger;
  /**
   * Where the handler's figures go (CloudWatch embedded metric format, handlers/metrics.ts). Lambda's
   * and the local runner's runtimes always have one; a unit test's hand-made runtime may leave it out,
   * and its handler then records no figures.
   */
  readonly metrics?: Metrics;
  readonly clock: () => Date;
  readonly config: () => Promise<RetentionConfig>;
  /** The active templates (`retention templates push`), cached like the configuration. */
  readonly templates: () => Promise<TemplateSet>;
  readonly stores: () => Stores;
  /** The secret one-click links are signed with: the dispatcher signs, the link handler verifies. */
  readonly linkSecret: () => Promise<string>;
  /** Where one-click links point (only the dispatcher, which writes them, needs it). */
  readonly linksBaseUrl: () => string;
  /**
   * How the dispatcher paces its sends (core/pacing.ts): in Lambda, real time at the SES account's rate.
   * Absent: unpaced (the local runner's simulations, whose clock is virtual and must not be slowed).
   */
  readonly pacing?: () => SendPacing;
  /**
   * How many `byDue` partitions waiting messages (and each date's floor checks) are spread over: the
   * deploy setting `dueShards`, in Lambda from the environment (`DUE_SHARDS`, set by the compute stack).
   */
  readonly dueShards: number;
}

/** Real time and the SES account's rate, for the dispatcher's pacer. */
export interface SendPacing {
  readonly clock: PacingClock;
  /** The SES account's `MaxSendRate`, cached per function instance, or the fallback (adapters/ses-account.ts); read only when `sending.maxSendRate` is null. */
  readonly accountRate: () => Promise<SendRate>;
}

/**
 * How every read turns DynamoDB's numbers into JavaScript: exact ones as numbers, any other (beyond
 * 2^53, which DynamoDB's 38 digits allow in an item written by a business system) as its digits, so
 * one such item is an invalid record, never a read that fails for every item beside it.
 */
export const unmarshallOptions = { wrapNumbers: numberAsStored } as const;

export const documentClientFor = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false }, unmarshallOptions });

/**
 * The stores of one function; `config` is its cached configuration reader (the outbox reads `retention`
 * from it when a message ends); `dueShards` the deploy setting (HandlerRuntime).
 */
export const storesFor = (documentClient: DynamoDBDocumentClient, tables: TableNames, mailer: Mailer, config: () => Promise<RetentionConfig>, dueShards: number): Stores => ({
  customers: new DynamoCustomerStore(documentClient, tables.Customers),
  outbox: new DynamoOutbox(documentClient, tables.Messages, config, dueShards),
  control: new DynamoControlStore(documentClient, tables.Control),
  ledger: new DynamoLedgerStore(documentClient, tables.Ledger, dueShards, tables.Suppressions),
  suppressions: new DynamoSuppressionStore(documentClient, tables.Suppressions),
  mailer,
  config: new DynamoConfigStore(documentClient, tables.Control),
  erasures: new DynamoErasureStore(documentClient, tables),
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
  /** How the active templates are read (the dispatcher's, dynamo-templates.ts), so the other functions bundle no template. */
  readonly templates?: (client: DynamoDBDocumentClient, controlTable: string, clock: () => Date) => () => Promise<TemplateSet>;
  /** How the dispatcher paces its sends (adapters/ses-account.ts), so only the dispatcher bundles it. */
  readonly pacing?: (logger: Logger) => SendPacing;
}

/** The namespace every figure of ours is in, unless `POWERTOOLS_METRICS_NAMESPACE` says otherwise. */
export const METRICS_NAMESPACE = 'Retention';

/**
 * A Metrics of ours, in the namespace `Retention` (or `POWERTOOLS_METRICS_NAMESPACE`). Powertools adds
 * the default dimension `service` (`retention`, or `POWERTOOLS_SERVICE_NAME`) to every dimension set it
 * writes; it is kept, so a figure's dimension sets are `[service]` plus what the handler gives it
 * (`[service, outcome]`, `[service, campaign, outcome]`; `[service]` alone for a figure without
 * dimensions). infra/monitoring.ts names exactly these.
 */
export const retentionMetrics = <T extends Metrics>(make: (options: { namespace: string; serviceName: string; logger: Logger }) => T, logger: Logger): T =>
  make({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'retention', logger });

const notInThisFunction = (what: string) => (): never => {
  throw new Error(`${what} is not available in this function`);
};

/** The deploy setting `dueShards` as the compute stack gives it to every function (`DUE_SHARDS`). */
export const dueShardsFromEnv = (env: NodeJS.ProcessEnv = process.env): number =>
  checkedDueShards(env.DUE_SHARDS === undefined ? undefined : Number(env.DUE_SHARDS), `environment variable DUE_SHARDS (${JSON.stringify(env.DUE_SHARDS)})`);

/** What a function logs (WARN) when the stored configuration holds settings its version does not know: deploy the version that does. */
export const UNKNOWN_SETTINGS_LEFT_OUT = 'the stored configuration has settings this version does not know; they are left out until the stack is deployed with the version that stored them';
export const warnOfUnknownSettings = (logger: Pick<Logger, 'warn'>) => (settings: readonly string[]) => logger.warn(UNKNOWN_SETTINGS_LEFT_OUT, { settings });

/**
 * What every function's logger writes through: each string of each line with its addresses masked
 * (`a***@example.com`). A customer id may be an address, and so carried whole in message ids, record
 * keys and reasons; a provider's error may quote a recipient.
 */
export const maskingAddresses = (_key: string, value: unknown): unknown => (typeof value === 'string' ? maskEmailsIn(value) : value);

/** A function's logger (see `maskingAddresses`). */
export const retentionLogger = (options: { readonly serviceName: string; readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' }): Logger =>
  new Logger({ ...options, jsonReplacerFn: maskingAddresses });

/** The runtime of a deployed Lambda: clients are made on first use, so importing a handler costs nothing. */
export const lambdaRuntime = (parts: LambdaParts = {}): HandlerRuntime => {
  const clock = () => new Date();
  const documentClient = once(() => documentClientFor(new DynamoDBClient({})));
  const tables = once(() => tableNamesFromEnv());
  const logger = retentionLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'retention' });
  const config = once(() => cachedConfig(new DynamoConfigStore(documentClient(), tables().Control, warnOfUnknownSettings(logger)), clock));
  const templates = once(() => (parts.templates ? parts.templates(documentClient(), tables().Control, clock) : notInThisFunction('the templates')));
  const missingMailer: Mailer = { send: notInThisFunction('the mail service') };
  const dueShards = dueShardsFromEnv();
  return {
    logger,
    metrics: retentionMetrics((options) => new Metrics(options), logger),
    clock,
    config: () => config()(),
    templates: () => templates()(),
    stores: once(() => storesFor(documentClient(), tables(), parts.mailer ? parts.mailer() : missingMailer, () => config()(), dueShards)),
    linkSecret: parts.linkSecret ?? notInThisFunction('the link secret'),
    linksBaseUrl: () => requiredEnv('LINKS_BASE_URL'),
    pacing: parts.pacing && once(() => parts.pacing!(logger)),
    dueShards,
  };
};

export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};
