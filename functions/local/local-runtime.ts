import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import { STREAM_RECORD_FAILED } from '../handlers/customer-stream.js';
import type { LinkSigning } from '../core/links.js';
import type { RetentionConfig } from '../core/config.js';
import { documentClientFor, maskingAddresses, once, retentionLogger, retentionMetrics, storesFor, warnOfUnknownSettings, type HandlerRuntime } from '../adapters/runtime.js';
import { maskEmailsIn } from '../core/mask.js';
import { sesPacing } from '../adapters/ses-account.js';
import { cachedConfig, DynamoConfigStore } from '../adapters/dynamo-config.js';
import { cachedTemplates, DynamoTemplateStore } from '../adapters/dynamo-templates.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { senderAddress } from '../adapters/deploy-settings.js';
import type { TableNames } from '../adapters/tables.js';
import type { Outbox } from '../core/ports.js';
import { countDynamoRequests, type DynamoStats } from './dynamo-stats.js';
import { recordDynamoDbCalls, recordIfInvoked, recordSesCalls, type FunctionName } from './aws-calls.js';
import { dynamoDbClient, sesClientConfig } from './local-stack.js';

export interface LocalEndpoints {
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  readonly tables: TableNames;
}

export interface LocalRuntimeOptions {
  /** The deployed function this runtime stands for: its AWS calls are recorded under this name (aws-calls.ts). */
  readonly functionName: FunctionName;
  readonly clock: () => Date;
  /** Where the handler gets its configuration; by default the stored one, read through this runtime's own client and cache, as in Lambda. */
  readonly config?: () => Promise<RetentionConfig>;
  readonly logger?: Logger;
  /** Filled with every DynamoDB request this runtime's handler makes. */
  readonly stats?: DynamoStats;
  /** The deploy setting `dueShards` this runtime's function is deployed with (HandlerRuntime). */
  readonly dueShards: number;
  /** Wraps the outbox (fault injection: a dispatcher that stops between two steps). */
  readonly wrapOutbox?: (outbox: Outbox) => Outbox;
  /** Where one-click links point and their secret; by default the local link server's port and a secret of this process. */
  readonly links?: LinkSigning;
  /**
   * Pace the dispatcher's sends in real time at the SES account's rate (read with GetAccount through this
   * runtime's SES client; the coordinator reads it too, to size the run), as in Lambda. Off by default:
   * a simulation's clock is virtual, and pacing it in real time would only slow it (docs/scale.md).
   */
  readonly pacing?: boolean;
}

/** The loopback port the local runner serves one-click links on. */
export const LOCAL_LINKS_PORT = 8007;
const processSecret = randomBytes(32).toString('base64url');
export const defaultLocalLinks = (): LinkSigning => ({ baseUrl: `http://127.0.0.1:${LOCAL_LINKS_PORT}`, secret: processSecret });

const quietLevel = () => (process.env.RETENTION_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN';
export const quietLogger = (): Logger => retentionLogger({ serviceName: 'retention', logLevel: quietLevel() });

/**
 * A stream handler's logger that also keeps, by sequence number, why a record failed: in AWS the
 * parked record carries only its position and the reason is in the logs; the local runner reports both together.
 */
export class StreamFailureLog extends Logger {
  readonly reasons = new Map<string, string>();
  constructor() {
    super({ serviceName: 'retention', logLevel: quietLevel(), jsonReplacerFn: maskingAddresses });
  }
  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    const details = extra[0] as { sequenceNumber?: string; error?: string } | undefined;
    if (input === STREAM_RECORD_FAILED && details?.sequenceNumber) this.reasons.set(details.sequenceNumber, maskEmailsIn(details.error ?? String(input)));
    super.warn(input, ...extra);
  }
}

/**
 * The handlers' Metrics in the local runner: each EMF document is made exactly as in Lambda (same
 * namespace, dimensions, serialization), but kept here instead of written to stdout, so a simulation's
 * output stays what it was and tests can read the figures. Only the latest documents are kept.
 */
export class CollectedMetrics extends Metrics {
  static readonly KEPT = 10_000;
  private documents: EmfOutput[] = [];
  override publishStoredMetrics(): this {
    try {
      if (this.hasStoredMetrics()) {
        this.documents.push(this.serializeMetrics());
        if (this.documents.length > CollectedMetrics.KEPT) this.documents.splice(0, this.documents.length - CollectedMetrics.KEPT);
      }
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
  /** The documents written since the last call, oldest first, as the lines Lambda would log (parsed). */
  take(): EmfOutput[] {
    const taken = this.documents;
    this.documents = [];
    return taken;
  }
}

/** A handler runtime against DynamoDB Local and the SES emulator, with the given (virtual) clock. */
export const localRuntime = (endpoints: LocalEndpoints, options: LocalRuntimeOptions): HandlerRuntime => {
  const { functionName } = options;
  const dynamo = dynamoDbClient(endpoints.dynamodbEndpoint);
  if (options.stats) countDynamoRequests(dynamo, options.stats);
  recordDynamoDbCalls(dynamo, functionName, endpoints.tables);
  const mailer = new SesMailer(sesClientConfig(endpoints.sesEndpoint), { from: senderAddress(), configurationSetName: 'retention-local' });
  recordSesCalls(mailer.client, functionName);
  const documentClient = documentClientFor(dynamo);
  const logger = options.logger ?? quietLogger();
  const config = options.config ?? cachedConfig(new DynamoConfigStore(documentClient, endpoints.tables.Control, warnOfUnknownSettings(logger)), options.clock);
  const real = storesFor(documentClient, endpoints.tables, mailer, config, options.dueShards);
  const stores = options.wrapOutbox ? { ...real, outbox: options.wrapOutbox(real.outbox) } : real;
  const templates = cachedTemplates(new DynamoTemplateStore(documentClient, endpoints.tables.Control), options.clock);
  const links = options.links ?? defaultLocalLinks();
  // In AWS the secret is a Secrets Manager read (link-secret.ts); here it is in memory, so the call it stands for is recorded by hand.
  const linkSecret = async () => {
    recordIfInvoked(functionName, () => ['secretsmanager:GetSecretValue LinkSecret']);
    return links.secret;
  };
  const metrics = retentionMetrics((metricsOptions) => new CollectedMetrics(metricsOptions), logger);
  const pacing = options.pacing ? once(() => sesPacing(mailer.client, logger)) : undefined;
  return { logger, metrics, clock: options.clock, config, templates, stores: () => stores, linkSecret, linksBaseUrl: () => links.baseUrl, pacing, dueShards: options.dueShards };
};
