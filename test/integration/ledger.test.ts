import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedgerStore, FLOOR_CHECKS_PER_PAGE, floorCheckKey } from '../../functions/adapters/dynamo-ledger.js';
import { DynamoControlStore } from '../../functions/adapters/dynamo-control.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import type { LedgerEntry } from '../../functions/core/ports.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { endpoints, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

let ledger: DynamoLedgerStore;
let db: DynamoDBDocumentClient;
let ledgerTable: string;
let control: DynamoControlStore;

beforeAll(async () => {
  const dynamo = dynamoDbClient(endpoints().dynamodbEndpoint);
  const tables = await createTables(dynamo, uniquePrefix('ledger'));
  db = documentClientFor(dynamo);
  ledgerTable = tables.Ledger;
  ledger = new DynamoLedgerStore(db, ledgerTable, deployedDueShards);
  control = new DynamoControlStore(db, tables.Control);
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

describe('a customer who moves to another time zone', () => {
  const open = (customerId: string, timeZone: string) => ledger.open(customerId, '2027-01-01', '2027-01-20', { timeZone, marketingOptIn: true });
  const survey = (customerId: string) => `${customerId}#survey#o-1`;

  it('has their dates read again in the new zone, each on the side of the band: the cap counted from the later day, the floor from the earlier', async () => {
    // Opened in Los Angeles; the last capped message (a survey) went there on 3 January, after one on 20 December.
    await open('moves-west-east', 'America/Los_Angeles');
    expect(await ledger.reserveCap('moves-west-east', 'moves-west-east#birthday#2026', '2026-12-20', '2026-12-13')).toEqual({ taken: true });
    expect(await ledger.reserveCap('moves-west-east', survey('moves-west-east'), '2027-01-03', '2026-12-27')).toEqual({ taken: true });
    await ledger.recordContact('moves-west-east', '2027-01-03', '2027-01-26', { survey: true });
    // Los Angeles' 3 January is 3 and 4 January in Kiritimati (UTC+14).
    const moved = await open('moves-west-east', 'Pacific/Kiritimati');
    expect(moved).toMatchObject({ timeZone: 'Pacific/Kiritimati', lastCappedDate: '2027-01-04', lastSurveyDate: '2027-01-04', lastContactDate: '2027-01-03', openedOn: '2027-01-01' });
    // 10 January in Kiritimati is only 6 days after the 4th: the cap holds there...
    expect(await ledger.reserveCap('moves-west-east', 'moves-west-east#renewal#k-1#7', '2027-01-10', '2027-01-03')).toEqual({ taken: false, lastCappedDate: '2027-01-04' });
    // ...and giving the survey's cap back restores the message before it, read in Kiritimati too.
    await ledger.releaseCap('moves-west-east', survey('moves-west-east'));
    expect((await ledger.get('moves-west-east'))?.lastCappedDate).toBe('2026-12-21');
  });

  it('reads the dates of sends whose instants it kept exactly: moving there and back leaves them as they were', async () => {
    await open('round-trip', 'America/Los_Angeles');
    // 09:00 on 3 January in Los Angeles is 07:00 on the 4th in Kiritimati.
    const sentAt = new Date('2027-01-03T17:00:00Z');
    expect(await ledger.reserveCap('round-trip', survey('round-trip'), '2027-01-03', '2026-12-27', sentAt)).toEqual({ taken: true });
    await ledger.recordContact('round-trip', '2027-01-03', '2027-01-26', { survey: true, at: sentAt });
    expect(await open('round-trip', 'Pacific/Kiritimati')).toMatchObject({ lastCappedDate: '2027-01-04', lastSurveyDate: '2027-01-04', lastContactDate: '2027-01-04' });
    expect(await open('round-trip', 'America/Los_Angeles')).toMatchObject({ lastCappedDate: '2027-01-03', lastSurveyDate: '2027-01-03', lastContactDate: '2027-01-03' });
    // Given back, the cap's date before it (none) comes back with its instant (none).
    await ledger.releaseCap('round-trip', survey('round-trip'));
    expect(await ledger.get('round-trip')).toMatchObject({ lastCappedDate: '0000-01-01', lastCappedAt: '' });
  });

  it('has them read again when a send moves them between the read and the write', async () => {
    await open('raced', 'America/Los_Angeles');
    expect(await ledger.reserveCap('raced', survey('raced'), '2027-01-03', '2026-12-27')).toEqual({ taken: true });
    // Just before the write that moves the dates, a dispatcher still counting in Los Angeles takes the cap on the 12th.
    let raced = false;
    const racing = {
      send: async (command: { input: { ExpressionAttributeValues?: Record<string, unknown> } }) => {
        if (!raced && command.input.ExpressionAttributeValues?.[':wasZone'] !== undefined) {
          raced = true;
          expect(await ledger.reserveCap('raced', 'raced#renewal#k-1#7', '2027-01-12', '2027-01-05')).toEqual({ taken: true });
        }
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const moved = await new DynamoLedgerStore(racing, ledgerTable, deployedDueShards).open('raced', '2027-01-01', '2027-01-20', { timeZone: 'Pacific/Kiritimati', marketingOptIn: true });
    expect(raced).toBe(true);
    expect(moved).toMatchObject({ timeZone: 'Pacific/Kiritimati', lastCappedDate: '2027-01-13', lastCappedMessageId: 'raced#renewal#k-1#7' });
    await ledger.releaseCap('raced', 'raced#renewal#k-1#7');
    expect((await ledger.get('raced'))?.lastCappedDate).toBe('2027-01-04');
  });

  it('has them read again when a send adds a date between the read and the write (a first survey)', async () => {
    await open('first-survey', 'America/Los_Angeles');
    const sentAt = new Date('2027-01-03T17:00:00Z'); // 09:00 on the 3rd in Los Angeles, the 4th in Kiritimati
    await ledger.recordContact('first-survey', '2027-01-03', '2027-01-26', { at: sentAt });
    // Just before the write that moves the dates, the customer's first survey goes, the same day: it adds lastSurveyDate.
    let raced = false;
    const racing = {
      send: async (command: { input: { ExpressionAttributeValues?: Record<string, unknown> } }) => {
        if (!raced && command.input.ExpressionAttributeValues?.[':wasZone'] !== undefined) {
          raced = true;
          await ledger.recordContact('first-survey', '2027-01-03', '2027-01-26', { survey: true, at: sentAt });
        }
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const moved = await new DynamoLedgerStore(racing, ledgerTable, deployedDueShards).open('first-survey', '2027-01-01', '2027-01-20', { timeZone: 'Pacific/Kiritimati', marketingOptIn: true });
    expect(raced).toBe(true);
    expect(moved).toMatchObject({ timeZone: 'Pacific/Kiritimati', lastContactDate: '2027-01-04', lastSurveyDate: '2027-01-04' });
  });

  it('keeps their dates as they are while the zone stays, and opens a new ledger in its zone', async () => {
    await open('stays', 'Pacific/Kiritimati');
    expect(await ledger.reserveCap('stays', survey('stays'), '2027-01-03', '2026-12-27')).toEqual({ taken: true });
    expect(await open('stays', 'Pacific/Kiritimati')).toMatchObject({ lastCappedDate: '2027-01-03', lastContactDate: '2027-01-01', openedOn: '2027-01-01' });
    // Never capped stays never, wherever they go.
    await open('never-capped', 'Europe/Madrid');
    // Madrid's 1 January began at 18:00 on 31 December in New York.
    expect(await open('never-capped', 'America/New_York')).toMatchObject({ timeZone: 'America/New_York', lastCappedDate: '0000-01-01', lastContactDate: '2026-12-31', openedOn: '2026-12-31' });
  });
});

describe("floor checks spread over a date's shards", () => {
  const facts = { timeZone: 'Europe/Madrid', marketingOptIn: true };
  const storedCheck = async (customerId: string) => (await db.send(new GetCommand({ TableName: ledgerTable, Key: { customerId } }))).Item?.floorCheckDate;
  /** Each partition of a date's checks and its pages, from `after` when given (read one after another here). */
  const partitionsOn = async (date: string, after?: Record<string, unknown>, store = ledger) => {
    const partitions: { name: string; from: unknown; pages: { ids: string[]; dates: (string | undefined)[]; next?: unknown }[] }[] = [];
    for (const { name, from, pages } of store.floorChecksOn(date, after)) {
      const read: (typeof partitions)[number]['pages'] = [];
      for await (const page of pages) read.push({ ids: page.items.map((entry: LedgerEntry) => entry.customerId), dates: page.items.map((entry) => entry.floorCheckDate), next: page.next });
      partitions.push({ name, from, pages: read });
    }
    return partitions;
  };
  const idsOn = async (date: string, store = ledger) => (await partitionsOn(date, undefined, store)).flatMap((partition) => partition.pages.flatMap((page) => page.ids));

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

  it("reads a date's own partition (checks from before the shards) and each shard, each customer once, each partition going on from its cursor", async () => {
    // Prepare: more than a page of checks on one date kept as before the shards, a shard's worth in shards, and another date's
    const date = '2027-07-01';
    const unsharded = Array.from({ length: FLOOR_CHECKS_PER_PAGE + 20 }, (_, i) => `old-${i}`);
    const sharded = Array.from({ length: 100 }, (_, i) => `new-${i}`);
    for (const customerId of unsharded) await db.send(new PutCommand({ TableName: ledgerTable, Item: { customerId, lastContactDate: '2027-06-08', lastCappedDate: '0000-01-01', floorCheckDate: date, ...facts } }));
    for (const id of sharded) await ledger.open(id, '2027-06-08', date, facts);
    await ledger.open('other-date', '2027-06-08', '2027-07-02', facts);

    // Act
    const partitions = await partitionsOn(date);

    // Assess: the date's own partition (two pages) and its shards (a page each); every check once, as the date
    const shardNames = Array.from({ length: deployedDueShards }, (_, shard) => `${date}#${String(shard).padStart(2, '0')}`);
    expect(partitions.map((partition) => [partition.name, partition.from, partition.pages.length])).toEqual([[date, undefined, 2], ...shardNames.map((name) => [name, undefined, 1])]);
    expect(partitions[0]!.pages.flatMap((page) => page.ids).sort()).toEqual([...unsharded].sort());
    expect(partitions.flatMap((partition) => partition.pages.flatMap((page) => page.ids)).sort()).toEqual([...unsharded, ...sharded].sort());
    expect(partitions.flatMap((partition) => partition.pages.flatMap((page) => page.dates)).every((checkDate) => checkDate === date)).toBe(true);
    for (const partition of partitions) expect(partition.pages.at(-1)!.next).toBeUndefined();

    // From the cursor a page left (its next), that partition reads exactly the checks after it; one read
    // to its end (null) reads nothing; the partitions not named read from their start.
    const firstPage = partitions[0]!.pages[0]!;
    const fromCursor = await partitionsOn(date, { [date]: firstPage.next, [shardNames[0]!]: null });
    expect(fromCursor.map((partition) => [partition.name, partition.from])).toEqual([[date, firstPage.next], [shardNames[0], null], ...shardNames.slice(1).map((name) => [name, undefined])]);
    expect(fromCursor[0]!.pages.flatMap((page) => page.ids)).toEqual(partitions[0]!.pages[1]!.ids);
    expect(fromCursor[1]!.pages).toEqual([]);
    expect(fromCursor.slice(2)).toEqual(partitions.slice(2));
    // A resume point an earlier version kept (one key for the whole date) names no partition: the date from its start.
    expect(await partitionsOn(date, { customerId: 'old-3', floorCheckDate: date })).toEqual(partitions);
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
    const read = await idsOn(date, after);
    for (const id of moving) await after.setFloorCheck(id, '2027-08-20');

    // Assess: every check once; a moved check is in its new shard (among the 8) and read there
    expect([...read].sort()).toEqual([...ids].sort());
    for (const id of moving) expect(await storedCheck(id)).toBe(floorCheckKey('2027-08-20', id, 8));
    const moved = await idsOn('2027-08-20', after);
    expect(moved.sort()).toEqual([...moving].sort());
  });
});

describe("the floor planner's resume point and an erasure", () => {
  const date = '2027-09-01';
  const cursor = (customerId: string) => ({ customerId, floorCheckDate: floorCheckKey(date, customerId, deployedDueShards) });

  it.each([
    ['a cursor of one partition names them', 'erasure-partition', { [date]: null, [cursor('gone').floorCheckDate]: cursor('gone'), 'unrelated#99': cursor('stays') }],
    ['the one key an earlier version kept for the whole date names them', 'erasure-one-key', { customerId: 'gone', floorCheckDate: date }],
  ])('is forgotten when %s, and the watermark stays', async (_, planner, after) => {
    await control.setPlannedThrough(planner, '2027-08-31');
    await control.setResumePoint(planner, { date, after });

    await control.forgetResumePointAt(planner, 'gone');

    expect(await control.progress(planner)).toEqual({ plannedThrough: '2027-08-31', plannedWith: undefined, resume: undefined });
  });

  it('is kept when no cursor names them', async () => {
    const planner = 'erasure-other';
    const point = { date, after: { [date]: null, [cursor('stays').floorCheckDate]: cursor('stays') } };
    await control.setResumePoint(planner, point);

    await control.forgetResumePointAt(planner, 'gone');

    expect((await control.progress(planner)).resume).toEqual(point);
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
