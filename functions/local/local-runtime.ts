import { Logger } from '@aws-lambda-powertools/logger';
import type { RetentionConfig } from '../core/config.js';
import { documentClientFor, storesFor, type HandlerRuntime } from '../adapters/runtime.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { senderAddress } from '../adapters/deploy-settings.js';
import type { TableNames } from '../adapters/tables.js';
import type { Mailer } from '../core/ports.js';
import { countDynamoRequests, type DynamoStats } from './dynamo-stats.js';
import { dynamoDbClient, sesClient } from './local-stack.js';

export interface LocalEndpoints {
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  readonly tables: TableNames;
}

export interface LocalRuntimeOptions {
  readonly clock: () => Date;
  readonly config: () => Promise<RetentionConfig>;
  readonly logger?: Logger;
  /** Filled with every DynamoDB request this runtime's handler makes. */
  readonly stats?: DynamoStats;
  /** Wraps the SES mailer (fault injection in tests). */
  readonly wrapMailer?: (mailer: Mailer) => Mailer;
}

export const quietLogger = (): Logger => new Logger({ serviceName: 'retention', logLevel: (process.env.RETENTION_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN' });

/** A handler runtime against DynamoDB Local and the SES emulator, with the given (virtual) clock. */
export const localRuntime = (endpoints: LocalEndpoints, options: LocalRuntimeOptions): HandlerRuntime => {
  const dynamo = dynamoDbClient(endpoints.dynamodbEndpoint);
  if (options.stats) countDynamoRequests(dynamo, options.stats);
  const mailer = new SesMailer(sesClient(endpoints.sesEndpoint), { from: senderAddress(), configurationSetName: 'retention-local' });
  const stores = storesFor(documentClientFor(dynamo), endpoints.tables, options.wrapMailer ? options.wrapMailer(mailer) : mailer);
  return { logger: options.logger ?? quietLogger(), clock: options.clock, config: options.config, stores: () => stores, brand: 'Retention' };
};
