import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { asBandReach, reachOf, widerReach, type Band, type BandReach } from '../core/cadence.js';
import { ignoreConditionFailure } from './conditions.js';
import { CONFIG_READ_EVERY_MS, defaultConfig, parseConfig, parseStoredConfig, unknownSettingsOf, withSettingsOf, type RetentionConfig } from '../core/config.js';
import type { ConfigStore, FloorReach } from '../core/ports.js';
import { keptFor } from './kept-for.js';

const CONFIG_KEY = 'config';

/** The cadence band a stored document sets, read from its own numbers even where the rest no longer validates; the shipped one's for what it lacks. */
const bandOfDocument = (document: unknown): Band => {
  const cadence = (document as { cadence?: Partial<Record<keyof Band, unknown>> } | undefined)?.cadence;
  const days = (value: unknown, shipped: number) => (typeof value === 'number' && Number.isFinite(value) ? value : shipped);
  return { maxDaysBetween: days(cadence?.maxDaysBetween, defaultConfig.cadence.maxDaysBetween), minDaysBetween: days(cadence?.minDaysBetween, defaultConfig.cadence.minDaysBetween) };
};

/** The runtime configuration, one validated document in the Control table; the shipped defaults until ops change it. */
export class DynamoConfigStore implements ConfigStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Told of stored settings this version does not know, left out (a newer `config set` stored them). */
    private readonly onUnknownSettings: (paths: readonly string[]) => void = () => undefined,
  ) {}

  async get(): Promise<RetentionConfig> {
    const stored = await this.read();
    if (!stored) return defaultConfig;
    const { config, unknownSettings } = parseStoredConfig(stored.document);
    if (unknownSettings.length > 0) this.onUnknownSettings(unknownSettings);
    return config;
  }

  /** Stores a whole configuration; it is validated first, so an invalid one never reaches the handlers. */
  async put(config: RetentionConfig, now: Date): Promise<void> {
    await this.update(() => ({ config }), now);
  }

  /**
   * Changes the stored configuration: `change` gets the document as stored (the shipped defaults when
   * none is; perhaps one that no longer validates, so it can be mended) and returns the whole new one,
   * validated; settings of the stored document this version does not know are kept as they were.
   * Written only if nobody wrote in between (a conditional write on the revision), else read and
   * changed again: ops' `config set` and the reputation alarm's pause never undo each other.
   */
  async update<T extends { readonly config: RetentionConfig }>(change: (stored: unknown) => T, now: Date): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.read();
      const changed = change(stored ? stored.document : defaultConfig);
      // Settings a newer version stored, which this one does not know, are written back as they were; what
      // is written must still read (parseStoredConfig throws, naming the setting, if it would not).
      const known = parseConfig(changed.config);
      const written = stored ? withSettingsOf(known, stored.document, unknownSettingsOf(stored.document)) : known;
      parseStoredConfig(written);
      const document = JSON.stringify(written);
      // Floor checks already stored were set under the bands in force since the floor planner last caught up: the widest of them stays known.
      const floorReach = widerReach(stored ? stored.floorReach : reachOf(defaultConfig.cadence), reachOf(known.cadence));
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { key: CONFIG_KEY, document, updatedAt: now.toISOString(), revision: (stored?.revision ?? 0) + 1, floorReach },
            ConditionExpression: !stored ? 'attribute_not_exists(#key)' : stored.revision === undefined ? 'attribute_not_exists(revision)' : 'revision = :seen',
            ...(!stored ? { ExpressionAttributeNames: { '#key': 'key' } } : {}),
            ...(stored?.revision !== undefined ? { ExpressionAttributeValues: { ':seen': stored.revision } } : {}),
          }),
        );
        return changed;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * How far ahead the floor checks set under the bands in force since the floor planner last caught up
   * can lie (BandReach); undefined while the shipped configuration was never changed. A configuration
   * stored before the reach was kept counts the shipped band and its own.
   */
  async floorReach(): Promise<FloorReach | undefined> {
    const stored = await this.read();
    return stored && { reach: stored.floorReach, revision: stored.revision, updatedAt: stored.updatedAt };
  }

  /** The floor planner has caught up with the configuration of `revision`: the reach is its band's alone (unless it was written again since). */
  async settleFloorReach(reach: BandReach, revision: number | undefined): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: CONFIG_KEY },
          UpdateExpression: 'SET floorReach = :reach',
          ConditionExpression: revision === undefined ? 'attribute_exists(#key) AND attribute_not_exists(revision)' : 'revision = :seen',
          ExpressionAttributeNames: revision === undefined ? { '#key': 'key' } : undefined,
          ExpressionAttributeValues: { ':reach': reach, ...(revision === undefined ? {} : { ':seen': revision }) },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  private async read(): Promise<{ document: unknown; revision: number | undefined; updatedAt: Date; floorReach: BandReach } | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key: CONFIG_KEY }, ConsistentRead: true }));
    if (!Item) return undefined;
    const document: unknown = JSON.parse(Item.document as string);
    const floorReach = asBandReach(Item.floorReach) ?? widerReach(reachOf(defaultConfig.cadence), reachOf(bandOfDocument(document)));
    // A time that does not read counts as long past: the change is taken as settled, not waited for forever.
    const written = typeof Item.updatedAt === 'string' ? new Date(Item.updatedAt) : new Date(NaN);
    const updatedAt = Number.isNaN(written.getTime()) ? new Date(0) : written;
    return { document, revision: typeof Item.revision === 'number' ? Item.revision : undefined, updatedAt, floorReach };
  }
}

/**
 * What handlers call: the stored configuration, read again once `ttlMs` has passed on the given clock
 * (the virtual one in a simulation), so a change reaches every handler within that time, no redeploy.
 */
export const cachedConfig = (store: Pick<DynamoConfigStore, 'get'>, clock: () => Date, ttlMs = CONFIG_READ_EVERY_MS): (() => Promise<RetentionConfig>) =>
  keptFor(() => store.get(), () => clock().getTime(), () => ttlMs);
