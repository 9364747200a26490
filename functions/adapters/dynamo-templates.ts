import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { shippedTemplates } from '../core/templates/index.js';
import { filesOfTemplateSet, templateSetFromFiles, type TemplateFiles } from '../core/templates/template-files.js';
import type { TemplateSet } from '../core/templates/types.js';
import { keptFor } from './kept-for.js';

/**
 * The business's templates in the Control table, as versions: `templates#v000007` holds one pushed
 * set (its files), never changed; the item `templates` says which version is active and which were
 * active before it (what `rollback` goes back to). Version 0 is the shipped templates. Pushes and
 * rollbacks are conditional on the pointer's revision: two at once never lose one.
 */

const POINTER_KEY = 'templates';
const versionKey = (version: number) => `templates#v${String(version).padStart(6, '0')}`;
/** How many earlier versions `rollback` can go back through. */
const HISTORY_LENGTH = 20;
/** DynamoDB's item limit is 400 KB; a set is about 50 KB. */
const MAX_STORED_BYTES = 350_000;

export const SHIPPED_VERSION = 0;

export interface TemplateVersion {
  readonly version: number;
  readonly set: TemplateSet;
  /** When it was pushed; undefined for the shipped templates. */
  readonly pushedAt?: string;
}

interface Pointer {
  readonly active: number;
  readonly latest: number;
  /** The versions active before, oldest first. */
  readonly history: readonly number[];
  readonly revision: number;
}

export class TemplateStoreError extends Error {}

export class DynamoTemplateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The number of the active version (0: the shipped templates). */
  async activeVersion(): Promise<number> {
    return (await this.pointer())?.active ?? SHIPPED_VERSION;
  }

  async active(): Promise<TemplateVersion> {
    return this.version(await this.activeVersion());
  }

  /** A version's templates; a template a version lacks (one added to the product after it was pushed) is the shipped one. */
  async version(version: number): Promise<TemplateVersion> {
    if (version === SHIPPED_VERSION) return { version, set: shippedTemplates };
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key: versionKey(version) }, ConsistentRead: true }));
    if (!Item) throw new TemplateStoreError(`there is no template version ${version}`);
    const stored = JSON.parse(Item.files as string) as TemplateFiles;
    const storedKeys = new Set(Object.keys(stored).map((path) => path.split('/')[0]));
    const shipped = filesOfTemplateSet(shippedTemplates);
    const files = { ...Object.fromEntries(Object.entries(shipped).filter(([path]) => !storedKeys.has(path.split('/')[0]))), ...stored };
    const { set, problems } = templateSetFromFiles(files);
    if (!set) throw new TemplateStoreError(`template version ${version} cannot be read: ${problems.join('; ')}`);
    return { version, set, pushedAt: Item.pushedAt as string };
  }

  /** Versions from the newest, at most `limit`, with the active one marked. */
  async list(limit = 10): Promise<{ readonly active: number; readonly versions: readonly { version: number; pushedAt?: string }[] }> {
    const pointer = await this.pointer();
    const versions: { version: number; pushedAt?: string }[] = [];
    for (let version = pointer?.latest ?? 0; version > 0 && versions.length < limit; version--) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key: versionKey(version) }, ProjectionExpression: 'pushedAt' }));
      if (Item) versions.push({ version, pushedAt: Item.pushedAt as string });
    }
    if (versions.length < limit) versions.push({ version: SHIPPED_VERSION });
    return { active: pointer?.active ?? SHIPPED_VERSION, versions };
  }

  /** Stores `set` as a new version and makes it the active one; the one active before is what `rollback` restores. */
  async push(set: TemplateSet, now: Date): Promise<{ readonly version: number; readonly previous: number }> {
    const files = JSON.stringify(filesOfTemplateSet(set));
    if (Buffer.byteLength(files) > MAX_STORED_BYTES) throw new TemplateStoreError(`the templates are ${Buffer.byteLength(files)} bytes; at most ${MAX_STORED_BYTES} can be stored`);
    return this.changePointer((pointer) => {
      const version = pointer.latest + 1;
      return {
        next: { active: version, latest: version, history: [...pointer.history, pointer.active].slice(-HISTORY_LENGTH) },
        also: { Put: { TableName: this.tableName, Item: { key: versionKey(version), version, files, pushedAt: now.toISOString() }, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'key' } } },
        result: { version, previous: pointer.active },
      };
    }, now);
  }

  /** Makes the version active before the current one active again. */
  async rollback(now: Date): Promise<{ readonly version: number; readonly from: number }> {
    return this.changePointer((pointer) => {
      const previous = pointer.history[pointer.history.length - 1];
      if (previous === undefined) {
        throw new TemplateStoreError(pointer.active === SHIPPED_VERSION ? 'nothing to roll back: the shipped templates are active' : `nothing to roll back to: version ${pointer.active} is the oldest kept`);
      }
      return { next: { active: previous, latest: pointer.latest, history: pointer.history.slice(0, -1) }, result: { version: previous, from: pointer.active } };
    }, now);
  }

  private async changePointer<T>(change: (pointer: Pointer) => { next: Omit<Pointer, 'revision'>; also?: Record<string, unknown>; result: T }, now: Date): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.pointer();
      const pointer = stored ?? { active: SHIPPED_VERSION, latest: 0, history: [], revision: 0 };
      const { next, also, result } = change(pointer);
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...(also ? [also] : []),
              {
                Put: {
                  TableName: this.tableName,
                  Item: { key: POINTER_KEY, ...next, revision: pointer.revision + 1, updatedAt: now.toISOString() },
                  ConditionExpression: stored ? 'revision = :seen' : 'attribute_not_exists(#key)',
                  ...(stored ? { ExpressionAttributeValues: { ':seen': stored.revision } } : { ExpressionAttributeNames: { '#key': 'key' } }),
                },
              },
            ],
          }),
        );
        return result;
      } catch (error) {
        // Someone pushed or rolled back in between: read again and redo the change on what they left.
        if (!(error instanceof TransactionCanceledException) || attempt >= 5) throw error;
      }
    }
  }

  private async pointer(): Promise<Pointer | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key: POINTER_KEY }, ConsistentRead: true }));
    if (!Item) return undefined;
    return { active: Number(Item.active), latest: Number(Item.latest), history: (Item.history as number[]).map(Number), revision: Number(Item.revision) };
  }
}

/**
 * What the dispatcher renders with: the active version, its pointer read again once `ttlMs` has passed
 * on the given clock (the virtual one in a simulation), so a push or a rollback is used within that
 * time with nothing restarted. A version's templates never change, so only a new number is fetched.
 */
export const cachedTemplates = (store: Pick<DynamoTemplateStore, 'activeVersion' | 'version'>, clock: () => Date, ttlMs = 60_000): (() => Promise<TemplateSet>) => {
  let current: TemplateVersion | undefined;
  return keptFor(
    async () => {
      const version = await store.activeVersion();
      if (current?.version !== version) current = await store.version(version);
      return current.set;
    },
    () => clock().getTime(),
    () => ttlMs,
  );
};
