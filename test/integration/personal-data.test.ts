import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { DynamoOutbox } from '../../functions/adapters/dynamo-outbox.js';
import { plannedMessage } from '../../functions/core/messages.js';
import { watermarkKey } from '../../functions/adapters/dynamo-control.js';
import { floorCheckKey } from '../../functions/adapters/dynamo-ledger.js';
import { scanAll } from '../../functions/adapters/query-pages.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { FLOOR_JOBS } from '../../functions/core/jobs/plan-floor.js';
import { erasureKeyOf, SECOND_PASS_AFTER_MINUTES } from '../../functions/core/erasure.js';
import type { Outbox } from '../../functions/core/ports.js';
import { serveLinks, type LinkServer } from '../../functions/local/link-server.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { cli, emailsTo, endpoints, uniquePrefix, type StoredEmail } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

const db = () => documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));

/** Every item of every table of the system, as JSON text, table by table. */
const everyItem = async (system: LocalSystem): Promise<{ table: string; json: string }[]> =>
  (await Promise.all(Object.entries(system.tables).map(async ([table, name]) => (await scanAll(db(), { TableName: name })).map((item) => ({ table, json: JSON.stringify(item, (_, value: unknown) => (value instanceof Set ? [...value] : value)) }))))).flat();

/** The items that still name this customer or their address (its local part too, however it is written). */
const tracesOf = async (system: LocalSystem, customerId: string, address: string) =>
  (await everyItem(system)).filter(({ json }) => json.includes(customerId) || json.toLowerCase().includes(address.split('@')[0]!.toLowerCase()));

const line = (record: Record<string, unknown>) => JSON.stringify(record);

const hardBounce = (address: string) => ({
  eventType: 'Bounce',
  bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: address, diagnosticCode: `smtp; 550 5.1.1 <${address}>: user unknown` }] },
  mail: { destination: [address] },
});

/**
 * Erasure on the real local stack: an `erasure` record written while the stream still holds the
 * customer's earlier records and while a dispatcher run that read them is half-way through a send;
 * then everything that could bring the customer back: old links, a business system's late writes, a
 * replayed planner run, an old file imported again.
 */
describe('erasure, with functions writing for the customer around it', () => {
  const prefix = uniquePrefix('erase');
  const ana = `${prefix}ana`;
  const bea = `${prefix}bea`;
  const dee = `${prefix}dee`;
  const deeAddress = `dee.bounced.${prefix}@example.com`;
  const anaAddress = `ana.erased.${prefix}@example.com`;
  const clock = new VirtualClock(new Date('2027-03-01T08:00:00Z'));
  let system: LocalSystem;
  let server: LinkServer;
  let anaSurvey: StoredEmail;
  let erasureRequestedAt: Date;
  /** Set by the test: runs inside the dispatcher, right after it claimed one of Ana's messages. */
  let onClaimOfAna: (() => Promise<void>) | undefined;

  const customer = (customerId: string, email: string, extra: Record<string, unknown> = {}) =>
    line({ type: 'customer', customerId, email, timeZone: 'Europe/Madrid', locale: 'es', name: customerId.endsWith('ana') ? 'Ana' : 'Bea', birthday: '1990-03-12', marketingOptIn: true, createdAt: '2026-01-10T10:00:00Z', ...extra });
  const at = async (instant: string) => {
    clock.set(new Date(instant));
    await system.drainStreams();
    await system.runDispatcher();
  };
  const sentTo = async (address: string) => emailsTo((to) => to === address);

  beforeAll(async () => {
    let running: LocalSystem | undefined;
    server = await serveLinks((event) => running!.handleLink(event), 0);
    // The dispatcher's outbox, with a hook after a claim: the erasure can land while a run is half-way through a send.
    const pauseAfterClaim = (outbox: Outbox): Outbox =>
      Object.assign(Object.create(outbox) as Outbox, {
        claim: async (messageId: string, ...rest: [string, Date, Date]) => {
          const claimed = await outbox.claim(messageId, ...rest);
          if (claimed && messageId.startsWith(`${ana}#`) && onClaimOfAna) await onClaimOfAna();
          return claimed;
        },
      });
    system = running = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, links: { baseUrl: server.url, secret: randomBytes(32).toString('base64url') }, wrapOutbox: pauseAfterClaim });
    await system.configStore.put(defaultConfig, clock.now());
    await system.importText(
      [
        customer(ana, anaAddress),
        line({ type: 'interaction', interactionId: 'o-1', customerId: ana, completedAt: '2027-03-01T07:00:00Z' }),
        line({ type: 'contract', contractId: 'k-1', customerId: ana, endsOn: '2027-05-20', plan: 'Familia' }),
        customer(bea, `bea.${prefix}@example.com`),
        line({ type: 'interaction', interactionId: 'o-2', customerId: bea, completedAt: '2027-03-01T07:00:00Z' }),
        customer(dee, deeAddress),
      ].join('\n'),
    );
    await system.deliverMailEvents([hardBounce(deeAddress)]);
    await system.drainStreams();
    await system.runPlanner();
    await at('2027-03-04T09:00:00Z'); // both surveys
    anaSurvey = (await sentTo(anaAddress))[0]!;
  });

  afterAll(async () => {
    await server.close();
  });

  it('exports everything held about the customer as one JSON document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-'));
    const out = join(dir, 'ana.json');
    const result = await cli(prefix, 'customer', 'export', ana, '--out', out);
    expect(result.code).toBe(0);
    const document = JSON.parse(await readFile(out, 'utf8')) as Record<string, any>;
    expect(document.customerId).toBe(ana);
    expect(document.records.map((record: { recordKey: string }) => record.recordKey).sort()).toEqual(['contract#k-1', 'customer', 'interaction#o-1']);
    expect(document.records.find((record: { type: string }) => record.type === 'customer').email).toBe(anaAddress); // their own data, whole
    const survey = document.messages.find((message: { campaign: string }) => message.campaign === 'survey');
    expect(survey).toMatchObject({ state: 'sent', subject: anaSurvey.subject });
    // For a person to read: what and when first, the time to live as a date.
    expect(Object.keys(survey).slice(0, 8)).toEqual(['customerId', 'messageId', 'campaign', 'occurrence', 'subject', 'state', 'reason', 'locale']);
    expect(survey.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(document.messages.some((message: { state: string }) => message.state !== 'sent')).toBe(true); // the greeting still waiting
    expect(document.ledger).toMatchObject({ customerId: ana, lastSurveyDate: '2027-03-04' });
    expect(document.suppression).toEqual({ suppressed: false });
    expect(document.preferences).toBeNull();
  });

  it('deletes every item of the customer, including what the stream and a dispatcher run wrote after the erasure was asked for', async () => {
    // The stream still holds a new contract of Ana's when the erasure is written behind it; a dispatcher run
    // claims her birthday greeting, and the erasure is applied before it goes on (it takes the cap on her ledger).
    clock.set(new Date('2027-03-12T08:00:00Z'));
    await new DynamoCustomerStore(db(), system.tables.Customers).putRecords([{ type: 'contract', contractId: 'k-2', customerId: ana, endsOn: '2027-04-01', plan: 'Extra', autoRenew: false, status: 'active' }]);
    onClaimOfAna = async () => {
      onClaimOfAna = undefined;
      erasureRequestedAt = clock.now();
      // Written as a business system would, into the table (the dispatcher's own clients are for its calls alone).
      await new DynamoCustomerStore(db(), system.tables.Customers).putRecords([
        { type: 'erasure', customerId: ana, requestedAt: '2027-03-11T18:00:00Z' },
        { type: 'erasure', customerId: dee },
      ]);
      await system.drainStreams();
    };
    const run = await system.runDispatcher();
    expect(onClaimOfAna).toBeUndefined(); // the hook ran
    // The claimed greeting found its item gone: not sent, and no failure (nothing is left claimed to alarm about).
    expect(run).toMatchObject({ erased: 1, failed: 0 });

    // Nothing went to Ana after the request; Bea's greeting went.
    expect((await sentTo(anaAddress)).map((email) => email.subject)).toEqual([anaSurvey.subject]);
    expect((await sentTo(`bea.${prefix}@example.com`)).map((email) => email.subject)).toHaveLength(2);
    // Two more late writers, through the same adapters: a click whose read of her came before the erasure saves
    // her preferences, and a planner run that read her floor check before it plans a keep-in-touch.
    const late = db();
    await new DynamoCustomerStore(late, system.tables.Customers).setPreferences({ customerId: ana, receive: 'service', updatedAt: clock.now().toISOString() });
    await new DynamoOutbox(late, system.tables.Messages, async () => defaultConfig, deployedDueShards).plan(
      plannedMessage({ customerId: ana, timeZone: 'Europe/Madrid' }, 'keepInTouch', defaultConfig.campaigns.keepInTouch, '2027-04-10', { dueAt: new Date('2027-04-10T07:00:00Z'), deadline: new Date('2027-04-11T07:00:00Z') }),
      clock.now(),
    );
    // What the half-way run and those wrote after the first pass is still there (her ledger, with the cap it took): the second pass is for it.
    const early = await tracesOf(system, ana, anaAddress);
    expect(early.map(({ table }) => table).sort()).toEqual(['Control', 'Customers', 'Ledger', 'Messages']); // the pending second pass holds the id until then
    // Dee's suppression is kept, stripped to its hash; only the pending second pass still holds her id.
    expect((await tracesOf(system, dee, deeAddress)).map(({ table }) => table)).toEqual(['Control']);
    // Ana's survey bounces late: the mail service's event suppresses her address, with the address masked.
    await system.deliverMailEvents([hardBounce(anaAddress)]);

    // Past the second pass, the dispatcher's run makes it.
    await at(new Date(erasureRequestedAt.getTime() + (SECOND_PASS_AFTER_MINUTES + 1) * 60_000).toISOString());
    expect(await tracesOf(system, ana, anaAddress)).toEqual([]);
    expect(await tracesOf(system, dee, deeAddress)).toEqual([]);
    // Both suppressions stay, under the address's hash alone: no masked address, no address in the reason.
    expect(await scanAll(db(), { TableName: system.tables.Suppressions })).toEqual([
      { addressKey: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'hard bounce (General)', since: expect.any(String) },
      { addressKey: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'hard bounce (General)', since: expect.any(String) },
    ]);
    const receipts = (await everyItem(system)).filter(({ json }) => json.includes(erasureKeyOf(ana)));
    expect(receipts).toHaveLength(1);
    expect(JSON.parse(receipts[0]!.json)).toEqual({ key: `erasure#${erasureKeyOf(ana)}`, customerHash: erasureKeyOf(ana), erasedAt: erasureRequestedAt.toISOString(), requestedAt: '2027-03-11T18:00:00Z', requestedBy: 'record' });
    expect(system.parked).toEqual([]);
  });

  it('answers an old link of the erased customer with a neutral page and writes nothing', async () => {
    const surveyLink = /^7: (\S+)$/m.exec(anaSurvey.body.text!)![1]!;
    const preferencesLink = /^Elige qué te enviamos: (\S+)$/m.exec(anaSurvey.body.text!)![1]!;
    const form = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const token = new URL(surveyLink).searchParams.get('t')!;
    for (const response of [await fetch(surveyLink), await fetch(surveyLink, form(`t=${token}&score=2`)), await fetch(preferencesLink), await fetch(preferencesLink, form('receive=marketing'))]) {
      expect(response.status).toBe(410);
      expect(await response.text()).toContain('Aquí ya no hay nada');
    }
    await system.drainStreams();
    expect(await tracesOf(system, ana, anaAddress)).toEqual([]);
  });

  it('deletes what a business system writes for the erased customer later, and plans nothing for it; a replayed planner run plans nothing either', async () => {
    await new DynamoCustomerStore(db(), system.tables.Customers).putRecords([
      { type: 'customer', customerId: ana, email: anaAddress, timeZone: 'Europe/Madrid', locale: 'es', tier: 'standard', loyaltyPoints: 0, marketingOptIn: true, birthday: '1990-03-13', createdAt: '2026-01-10T10:00:00Z' },
      { type: 'complaint', complaintId: 'q-1', customerId: ana, openedAt: '2027-03-12T09:00:00Z', status: 'open' },
    ]);
    await system.drainStreams();
    await system.runPlanner();
    await at('2027-03-13T09:00:00Z');
    expect(await tracesOf(system, ana, anaAddress)).toEqual([]);
    expect((await sentTo(anaAddress))).toHaveLength(1);
    expect(system.parked).toEqual([]);
  });

  it('refuses an old file\'s records of the erased customer on import, with the reason; a customer record created after the erasure registers them again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'old-file-'));
    const oldFile = join(dir, 'old.ndjson');
    await writeFile(oldFile, [customer(ana, anaAddress, { createdAt: undefined }), line({ type: 'contract', contractId: 'k-1', customerId: ana, endsOn: '2027-05-20' }), line({ type: 'contract', contractId: 'k-9', customerId: bea, endsOn: '2027-06-01' })].join('\n'));
    const result = await cli(prefix, 'import', oldFile);
    expect(result.stdout).toContain(`line 1: customer: customer ${ana} was erased at ${erasureRequestedAt.toISOString()}; a customer record registers them again only with createdAt later than that`);
    expect(result.stdout).toContain(`line 2 (contract k-1): contract: customer ${ana} was erased at ${erasureRequestedAt.toISOString()}; their records are refused until a customer record created after that registers them again`);
    await system.drainStreams();
    expect(await tracesOf(system, ana, anaAddress)).toEqual([]);

    await writeFile(oldFile, customer(ana, anaAddress, { createdAt: '2027-03-20T10:00:00Z' }));
    clock.set(new Date('2027-03-20T10:00:00Z'));
    expect((await cli(prefix, 'import', oldFile)).stdout).toMatch(/^Imported 1 record/m);
    await system.drainStreams();
    // Welcome again: her profile, a ledger opened, the floor's keep-in-touch planned.
    expect([...new Set((await tracesOf(system, ana, anaAddress)).map(({ table }) => table))].sort()).toEqual(['Customers', 'Ledger', 'Messages']);
  });

  it('does not erase her again for the old erasure imported or synced again once she is back; a new request does', async () => {
    // Prepare: the day after she came back, the old file with her erasure (asked on 03-11) is imported again.
    clock.set(new Date('2027-03-21T10:00:00Z'));
    const dir = await mkdtemp(join(tmpdir(), 'old-erasure-'));
    const oldFile = join(dir, 'old.ndjson');
    const oldErasure = { type: 'erasure' as const, customerId: ana, requestedAt: '2027-03-11T18:00:00Z' };
    await writeFile(oldFile, line(oldErasure));

    // Act: imported again, and written again into the table by a business system's sync.
    const imported = await cli(prefix, 'import', oldFile);
    await new DynamoCustomerStore(db(), system.tables.Customers).putRecords([oldErasure]);
    await system.drainStreams();

    // Assess: refused with the reason, skipped by the stream; she is still there.
    expect(imported.code).toBe(1);
    expect(imported.stdout).toContain(`erasure: requested at 2027-03-11T18:00:00Z, before customer ${ana} registered again (createdAt 2027-03-20T10:00:00Z, after their erasure at ${erasureRequestedAt.toISOString()})`);
    expect([...new Set((await tracesOf(system, ana, anaAddress)).map(({ table }) => table))].sort()).toEqual(['Customers', 'Ledger', 'Messages']);
    expect(system.parked).toEqual([]);

    // A new request, asked after she came back, erases her.
    await new DynamoCustomerStore(db(), system.tables.Customers).putRecords([{ ...oldErasure, requestedAt: '2027-03-21T09:00:00Z' }]);
    await system.drainStreams();
    expect((await tracesOf(system, ana, anaAddress)).map(({ table }) => table)).toEqual(['Control']); // the receipt, until its second pass
  });
});

describe('retention customer erase', () => {
  /** A customer on a local stack of their own, their birthday greeting planned. */
  const customerWithGreeting = async (label: string, name: string) => {
    const prefix = uniquePrefix(label);
    const clock = new VirtualClock(new Date('2027-03-01T08:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(defaultConfig, clock.now());
    const id = `${prefix}${name}`;
    const address = `${name}.${prefix}@example.com`;
    await system.importText(line({ type: 'customer', customerId: id, email: address, timeZone: 'UTC', birthday: '1990-03-05', marketingOptIn: true }));
    await system.drainStreams();
    await system.runPlanner();
    return { prefix, system, id, address };
  };

  it('erases on the local stack at once: every item gone, the suppression kept under its hash alone, a receipt with no id', async () => {
    const { prefix, system, id, address } = await customerWithGreeting('erase-cli', 'cal');
    await system.deliverMailEvents([
      { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: address }] }, mail: { destination: [address] } },
    ]);
    const exported = await cli(prefix, 'customer', 'export', id);
    expect(JSON.parse(exported.stdout).suppression).toMatchObject({ suppressed: true, reason: 'hard bounce (General)' });
    // A floor planner run, and a re-read of the checks ahead after the band narrowed, each stopped inside a
    // date right after this customer's check: each kept their key to go on from in their partition.
    const watermarks = FLOOR_JOBS.map((job) => ({ key: watermarkKey(job) }));
    const partition = floorCheckKey('2027-03-02', id, deployedDueShards);
    const point = { date: '2027-03-02', after: { '2027-03-02': null, [partition]: { customerId: id, floorCheckDate: partition } } };
    for (const watermark of watermarks) {
      await db().send(new UpdateCommand({ TableName: system.tables.Control, Key: watermark, UpdateExpression: 'SET resumeAfter = :point', ExpressionAttributeValues: { ':point': point } }));
    }

    const erased = await cli(prefix, 'customer', 'erase', id);

    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain(`Erased ${id}: deleted 1 record (Customers), 1 message (Messages), 1 ledger (Ledger).`);
    expect(erased.stdout).toContain('Second pass done at once');
    expect(await tracesOf(system, id, address)).toEqual([]);
    const suppressions = await scanAll(db(), { TableName: system.tables.Suppressions });
    expect(suppressions).toEqual([{ addressKey: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'hard bounce (General)', since: expect.any(String) }]);
    expect((await cli(prefix, 'customer', 'export', id)).code).toBe(1); // nothing on record
    // The watermarks stay; the next runs read that date from its start.
    const kept = await Promise.all(watermarks.map(async (watermark) => (await db().send(new GetCommand({ TableName: system.tables.Control, Key: watermark }))).Item));
    expect(kept).toEqual([{ ...watermarks[0], plannedThrough: expect.any(String) }, watermarks[1]]);
  });

  it('applies an imported erasure record on the local stack at once, as the command does', async () => {
    // Prepare: a customer on the local stack, with a planned message; then a file asking to forget them.
    const { prefix, system, id, address } = await customerWithGreeting('erase-import', 'eve');
    const file = join(await mkdtemp(join(tmpdir(), 'erasure-')), 'erasure.ndjson');
    await writeFile(file, line({ type: 'erasure', customerId: id, requestedAt: '2027-03-01T07:00:00Z' }));

    // Act
    const imported = await cli(prefix, 'import', file);

    // Assess: erased, both passes, nothing of theirs left but a receipt with no id.
    expect(imported.code).toBe(0);
    // The records: the profile, and the erasure record itself (deleted last).
    expect(imported.stdout).toContain(`line 1: erased ${id}: deleted 2 records (Customers), 1 message (Messages), 1 ledger (Ledger); both passes at once`);
    expect(await tracesOf(system, id, address)).toEqual([]);
    const receipt = (await db().send(new GetCommand({ TableName: system.tables.Control, Key: { key: `erasure#${erasureKeyOf(id)}` } }))).Item;
    expect(receipt).toMatchObject({ requestedAt: '2027-03-01T07:00:00Z', requestedBy: 'record' });
  });
});
