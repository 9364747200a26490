import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultConfig, parseConfig, type RetentionConfig } from '../core/config.js';

const CONFIG_KEY = 'config';

/** The runtime configuration, one validated document in the Control table; the shipped defaults until ops change it. */
export class DynamoConfigStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<RetentionConfig> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key: CONFIG_KEY }, ConsistentRead: true }));
    return Item ? parseConfig(JSON.parse(Item.document as string)) : defaultConfig;
  }

  /** Stores a configuration; it is validated first, so an invalid one never reaches the handlers. */
  async put(config: RetentionConfig, now: Date): Promise<void> {
    const document = JSON.stringify(parseConfig(config));
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { key: CONFIG_KEY, document, updatedAt: now.toISOString() } }));
  }
}

/**
 * What handlers call: the stored configuration, read again once `ttlMs` has passed on the given clock
 * (the virtual one in a simulation), so a change reaches every handler within that time, no redeploy.
 */
export const cachedConfig = (store: Pick<DynamoConfigStore, 'get'>, clock: () => Date, ttlMs = 60_000): (() => Promise<RetentionConfig>) => {
  let cached: { config: RetentionConfig; readAt: number } | undefined;
  return async () => {
    const now = clock().getTime();
    if (!cached || now - cached.readAt >= ttlMs || now < cached.readAt) cached = { config: await store.get(), readAt: now };
    return cached.config;
  };
};
