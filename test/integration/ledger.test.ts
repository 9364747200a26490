import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedgerStore, FLOOR_CHECKS_PER_PAGE, floorCheckKey } from '../../functions/adapters/dynamo-ledger.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import type { LedgerEntry } from '../../functions/core/ports.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { endpoints, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

let ledger: DynamoLedgerStore;
let db: DynamoDBDocumentClient;
let ledgerTable: string;

beforeAll(async () => {
  const dynamo = dynamoDbClient(endpoints().dynamodbEndpoint);
  const tables = await createTables(dynamo, uniquePrefix('ledger'));
  db = documentClientFor(dynamo);
  ledgerTable = tables.Ledger;
  ledger = new DynamoLedgerStore(db, ledgerTable, deployedDueShards);
});

/** A customer whose last capped message went on 2027-06-01, so the cap allows another from 2027-06-08. */
const customerCappedOn = async (customerId: string) => {
  await ledger.open(customerId, '2027-05-01', '2027-05-31', { timeZone: 'UTC', marketingOptIn: true });
  expect(await ledger.reserveCap(customerId, `${customerId}#birthday#2027`, '2027-06-01', '2027-05-25')).toEqual({ taken: true });
};

describe('the cap on the ledger: reserve and release are idempotent per message', () => {
  it('a message reserving twice (a retry after a lost answer, a re-claim) and then released restores the date before it', async () => {
    await customerCappedOn('twice');
    const renewal = 'twice#renewal#k-1#30';
    expect(await ledger.reserveCap('twice', renewal, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    expect(await ledger.reserveCap('twice', renewal, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    await ledger.releaseCap('twice', renewal);
    expect((await ledger.get('twice'))?.lastCappedDate).toBe('2027-06-01');
  });

  it('a message re-claimed on a later day takes the cap on that day, and its release still restores the date before it', async () => {
    await customerCappedOn('later');
    const renewal = 'later#renewal#k-1#30';
    expect(await ledger.reserveCap('later', renewal, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    expect(await ledger.reserveCap('later', renewal, '2027-06-11', '2027-06-04')).toEqual({ taken: true });
    expect((await ledger.get('later'))?.lastCappedDate).toBe('2027-06-11');
    await ledger.releaseCap('later', renewal);
    expect((await ledger.get('later'))?.lastCappedDate).toBe('2027-06-01');
  });

  it('a second release changes nothing, and does not give back a cap another message took since', async () => {
    await customerCappedOn('release');
    const first = 'release#renewal#k-1#30';
    const second = 'release#survey#o-1';
    await ledger.reserveCap('release', first, '2027-06-10', '2027-06-03');
    await ledger.releaseCap('release', first);
    await ledger.releaseCap('release', first);
    expect((await ledger.get('release'))?.lastCappedDate).toBe('2027-06-01');
    expect(await ledger.reserveCap('release', second, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    await ledger.releaseCap('release', first);
    expect((await ledger.get('release'))?.lastCappedDate).toBe('2027-06-10');
  });

  it('another message inside the cap is refused, told the last capped date', async () => {
    await customerCappedOn('refused');
    expect(await ledger.reserveCap('refused', 'refused#survey#o-1', '2027-06-05', '2027-05-29')).toEqual({ taken: false, lastCappedDate: '2027-06-01' });
    expect((await ledger.get('refused'))?.lastCappedMessageId).toBe('refused#birthday#2027');
  });
});

describe("floor checks spread over a date's shards", () => {
  const facts = { timeZone: 'Europe/Madrid', marketingOptIn: true };
  const storedCheck = async (customerId: string) => (await db.send(new GetCommand({ TableName: ledgerTable, Key: { customerId } }))).Item?.floorCheckDate;
  /** Every page of a date's checks, from `after` when given. */
  const pagesOn = async (date: string, after?: unknown) => {
    const pages: { ids: string[]; dates: (string | undefined)[]; next?: unknown }[] = [];
    for await (const page of ledger.floorChecksOn(date, after)) pages.push({ ids: page.items.map((entry: LedgerEntry) => entry.customerId), dates: page.items.map((entry) => entry.floorCheckDate), next: page.next });
    return pages;
  };

  it("keeps each check in its customer's shard of the date, whichever write set it, and reads it back as the date", async () => {
    // Act: a check set by opening the ledger, by a contact, and by the planner
    const ids = Array.from({ length: 160 }, (_, i) => `shard-${i}`);
    for (const id of ids) await ledger.open(id, '2027-05-01', '2027-05-31', facts);
    await ledger.recordContact('shard-0', '2027-06-02', '2027-06-25');
    await ledger.setFloorCheck('shard-1', '2027-06-26');

    // Assess
    expect(await storedCheck('shard-0')).toBe(floorCheckKey('2027-06-25', 'shard-0', deployedDueShards));
    expect(await storedCheck('shard-1')).toBe(floorCheckKey('2027-06-26', 'shard-1', deployedDueShards));
    expect((await ledger.get('shard-0'))?.floorCheckDate).toBe('2027-06-25');
    const stored = await Promise.all(ids.slice(2).map(storedCheck));
    expect(stored.every((check) => /^2027-05-31#\d\d$/.test(String(check)))).toBe(true);
    // 158 customers over the shards: every shard has some, none more than twice its share.
    const perShard = new Map<string, number>();
    for (const check of stored) perShard.set(String(check), (perShard.get(String(check)) ?? 0) + 1);
    expect(perShard.size).toBe(deployedDueShards);
    expect(Math.max(...perShard.values())).toBeLessThanOrEqual((2 * stored.length) / deployedDueShards);
  });

  it("reads a date's own partition (checks from before the shards) and then every shard, each customer once, and goes on from any page's next", async () => {
    // Prepare: more than a page of checks on one date kept as before the shards, a shard's worth in shards, and another date's
    const date = '2027-07-01';
    const unsharded = Array.from({ length: FLOOR_CHECKS_PER_PAGE + 20 }, (_, i) => `old-${i}`);
    const sharded = Array.from({ length: 100 }, (_, i) => `new-${i}`);
    for (const customerId of unsharded) await db.send(new PutCommand({ TableName: ledgerTable, Item: { customerId, lastContactDate: '2027-06-08', lastCappedDate: '0000-01-01', floorCheckDate: date, ...facts } }));
    for (const id of sharded) await ledger.open(id, '2027-06-08', date, facts);
    await ledger.open('other-date', '2027-06-08', '2027-07-02', facts);

    // Act
    const pages = await pagesOn(date);

    // Assess: the date's own partition first (two pages), then the shards; every check once, as the date
    const ids = pages.flatMap((page) => page.ids);
    expect(ids.slice(0, unsharded.length).sort()).toEqual([...unsharded].sort());
    expect([...ids].sort()).toEqual([...unsharded, ...sharded].sort());
    expect(pages.flatMap((page) => page.dates).every((checkDate) => checkDate === date)).toBe(true);
    expect(pages.length).toBe(2 + deployedDueShards);
    expect(pages.at(-1)!.next).toBeUndefined();
    // From each page's next, exactly the checks after it.
    for (let index = 0; index < pages.length - 1; index++) {
      const rest = await pagesOn(date, pages[index]!.next);
      expect(rest.flatMap((page) => page.ids)).toEqual(pages.slice(index + 1).flatMap((page) => page.ids));
    }
  });

  it('after dueShards is raised, still reads every check written before, and writes each customer’s next check to its new shard', async () => {
    // Prepare: checks on one date written with 4 shards, then read and moved with 8
    const date = '2027-08-01';
    const ids = Array.from({ length: 40 }, (_, i) => `raise-${i}`);
    const before = new DynamoLedgerStore(db, ledgerTable, 4);
    const after = new DynamoLedgerStore(db, ledgerTable, 8);
    for (const id of ids) await before.open(id, '2027-07-01', date, facts);
    // Customers whose shard among 8 is not their shard among 4: the raise moves them.
    const moving = ids.filter((id) => floorCheckKey(date, id, 8) !== floorCheckKey(date, id, 4));
    expect(moving.length).toBeGreaterThan(0);

    // Act
    const read: string[] = [];
    for await (const page of after.floorChecksOn(date)) read.push(...page.items.map((entry) => entry.customerId));
    for (const id of moving) await after.setFloorCheck(id, '2027-08-20');

    // Assess: every check once; a moved check is in its new shard (among the 8) and read there
    expect([...read].sort()).toEqual([...ids].sort());
    for (const id of moving) expect(await storedCheck(id)).toBe(floorCheckKey('2027-08-20', id, 8));
    const moved: string[] = [];
    for await (const page of after.floorChecksOn('2027-08-20')) moved.push(...page.items.map((entry) => entry.customerId));
    expect(moved.sort()).toEqual([...moving].sort());
  });
});

describe('many ledgers at once', () => {
  it('reads each customer’s ledger as get does (its floor check a date), past 100 customers, and leaves out customers without one', async () => {
    // Prepare: 130 customers with a ledger (more than one BatchGetItem holds), asked for with 2 unknown ones and a repeat.
    const ids = Array.from({ length: 130 }, (_, i) => `many-${i}`);
    for (const id of ids) await ledger.open(id, '2027-05-01', '2027-05-31', { timeZone: 'UTC', marketingOptIn: true });

    // Act
    const entries = await ledger.getMany([...ids, 'many-unknown-1', ids[0]!, 'many-unknown-2']);

    // Assess
    expect([...entries.keys()].sort()).toEqual([...ids].sort());
    for (const id of [ids[0]!, ids[129]!]) expect(entries.get(id)).toEqual(await ledger.get(id));
    expect(entries.get(ids[0]!)?.floorCheckDate).toBe('2027-05-31');
  });
});
