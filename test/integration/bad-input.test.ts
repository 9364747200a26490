import { NumberValue, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import type { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import type { LinkServer } from '../../functions/local/link-server.js';
import { readAllMessages } from '../../functions/local/report.js';
import { type LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, dispatchAt, systemWithLinks, uniquePrefix } from './helpers.js';
import { importCorpus } from './import-corpus.js';
import { itemBytes, MAX_ITEM_BYTES, storedItemOf, UnwritableRecordsError } from '../../functions/core/stored-record.js';
import { parseRecord, type BusinessRecord } from '../../functions/core/records.js';

const prefix = uniquePrefix('bad');
const id = (name: string) => `${prefix}${name}`;
const customer = (name: string, fields: Record<string, unknown> = {}) =>
  ({ type: 'customer', customerId: id(name), email: `${id(name)}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name, marketingOptIn: true, ...fields }) as Record<string, unknown>;
const huge = 'x'.repeat(300_000);
const injection = `'; DROP TABLE customers; -- <script>alert(1)</script> {{constructor.constructor('return process')()}}`;

/**
 * A corpus of bad input at every door: NDJSON lines, items written straight into the table (so they
 * reach the stream unvalidated), link requests and SES notifications. Each is refused with a clear
 * error naming what is wrong; every good record around it goes through.
 */
describe('bad input at every door, on the real local stack', () => {
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  let system: LocalSystem;
  let server: LinkServer;
  let customers: DynamoCustomerStore;
  let tried = 0;

  beforeAll(async () => {
    ({ system, server, customers } = await systemWithLinks(prefix, clock));
  });
  afterAll(async () => {
    await server.close();
  });

  it('NDJSON: each bad line is rejected with its line, field and value; every good line is imported', async () => {
    const lines: [string, string | null][] = [
      [JSON.stringify(customer('ana')), null],
      ['not json at all', 'line is not JSON'],
      ['[1, 2, 3]', 'record: not a JSON object'],
      [JSON.stringify({ customerId: id('x') }), 'record.type: required field is missing'],
      [JSON.stringify({ type: 'alien', customerId: id('x') }), "record.type: unknown record type 'alien'"],
      [JSON.stringify(customer('b1', { timeZone: 'Mars/Olympus' })), "customer.timeZone: unknown time zone 'Mars/Olympus'"],
      [JSON.stringify(customer('b2', { email: 'not-an-address' })), 'customer.email: is not a valid e-mail address'],
      [JSON.stringify(customer('b3', { birthday: '1990-02-30' })), "customer.birthday: is not a date (YYYY-MM-DD or --MM-DD) '1990-02-30'"],
      [JSON.stringify(customer('b4', { loyaltyPoints: -5 })), "customer.loyaltyPoints: must be an integer ≥ 0 '-5'"],
      [JSON.stringify(customer('b5', { marketingOptIn: 'yes' })), "customer.marketingOptIn: must be true or false 'yes'"],
      [JSON.stringify(customer('b6', { customerId: 42 })), 'customer.customerId'],
      [JSON.stringify(customer('b7', { name: huge })), 'customer.name'],
      [JSON.stringify(customer('b8', { tier: 'platinum' })), "customer.tier: is not one of standard, silver, gold, diamond 'platinum'"],
      [JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: id('ana'), endsOn: 'next year' }), "contract.endsOn: is not a date (YYYY-MM-DD) 'next year'"],
      [JSON.stringify({ type: 'complaint', complaintId: 'q-1', customerId: id('ana') }), 'complaint.openedAt: required field is missing'],
      [JSON.stringify({ type: 'complaint', complaintId: 'q-2', customerId: id('ana'), openedAt: '2027-03-01T10:00:00Z', status: 'resolved' }), 'complaint.resolvedAt: required when status is resolved'],
      [JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId: id('ana'), completedAt: 'yesterday' }), "interaction.completedAt: is not an ISO-8601 instant 'yesterday'"],
      [JSON.stringify({ type: 'surveyResponse', surveyId: 's-1', customerId: id('ana'), score: 11 }), "surveyResponse.score: must be an integer from 0 to 10 '11'"],
      [JSON.stringify({ ...customer('b9'), at: 'soon' }), "record.at: is not an ISO-8601 instant 'soon'"],
      [JSON.stringify(customer('injected', { name: injection })), null],
      [JSON.stringify({ type: 'complaint', complaintId: 'q-ok', customerId: id('ana'), openedAt: '2027-03-01T10:00:00Z', subject: injection }), null],
    ];
    tried += lines.filter(([, reason]) => reason !== null).length;
    const result = await system.importText(lines.map(([line]) => line).join('\n'));
    expect(result.imported).toBe(lines.filter(([, reason]) => reason === null).length);
    lines.forEach(([, reason], index) => {
      const rejection = result.rejected.find((r) => r.line === index + 1);
      if (reason === null) expect(rejection).toBeUndefined();
      else expect(rejection?.reason).toContain(reason);
    });
    for (const rejection of result.rejected) expect(rejection.reason.length).toBeLessThan(200); // a huge value is shortened, never echoed whole
    expect(JSON.stringify(result.rejected)).not.toMatch(/b2@|example\.com/); // and an address is never shown whole
  });

  it('stream: items written straight into the table that fail validation are logged with key, field and value and skipped; the good ones around them are planned', async () => {
    const logError = vi.spyOn(system.runtime('customerStream').logger, 'error');
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: system.tables.Customers, Item: item }));
    const bad = [
      { ...customer('s1'), recordKey: 'customer', timeZone: 'Nowhere/Land' },
      { ...customer('s2'), recordKey: 'customer', email: 42 },
      { customerId: id('ana'), recordKey: 'complaint#s-q1', type: 'complaint', complaintId: 's-q1' },
      { customerId: id('ana'), recordKey: 'complaint#s-q2', complaintId: 's-q2', openedAt: '2027-03-01T10:00:00Z', status: 'escalated' },
      { customerId: id('ana'), recordKey: 'interaction#s-o1', interactionId: 's-o1', completedAt: 12345 },
      { customerId: id('ana'), recordKey: 'surveyResponse#s-s1', surveyId: 's-s1', score: 'ten' },
      { customerId: id('ana'), recordKey: 'contract#s-k1', contractId: 's-k1', endsOn: '2027-13-01' },
      { customerId: id('ana'), recordKey: 'complaint#s-q3', complaintId: 's-q3', openedAt: '2027-03-01T10:00:00Z', subject: huge.slice(0, 1000) },
      // Misspelt fields are held to what import holds them to: a cancelled contract must not read as active, nor consent as left out
      { customerId: id('ana'), recordKey: 'contract#s-k2', contractId: 's-k2', endsOn: '2027-04-01', Status: 'cancelled' },
      { ...customer('s3', { marketingOptIn: undefined }), recordKey: 'customer', marketingOptin: true },
    ];
    tried += bad.length;
    await put({ customerId: id('ana'), recordKey: 'complaint#good-1', type: 'complaint', complaintId: 'good-1', openedAt: '2027-03-01T10:00:00Z' });
    for (const item of bad) await put(item);
    await put({ customerId: id('ana'), recordKey: 'complaint#good-2', complaintId: 'good-2', openedAt: '2027-03-01T10:00:00Z' }); // without `type`, as a business system may write it
    await system.drainStreams();

    expect(logError).toHaveBeenCalledTimes(bad.length);
    expect(logError.mock.calls.map(([, details]) => (details as { reason: string }).reason)).toEqual(
      expect.arrayContaining(["contract s-k2: contract.Status: not a field of contract; did you mean 'status'?", `customer ${id('s3')}: customer.marketingOptin: not a field of customer; did you mean 'marketingOptIn'?`]),
    );
    for (const [, details] of logError.mock.calls) expect(details).toMatchObject({ key: expect.objectContaining({ customerId: expect.any(String) }), field: expect.any(String), reason: expect.any(String) });
    expect(JSON.stringify(logError.mock.calls)).not.toContain(huge.slice(0, 200));
    expect(system.parked).toEqual([]);
    const planned = (await readAllMessages(db, system.tables.Messages)).map((m) => m.messageId);
    expect(planned).toEqual(expect.arrayContaining([`${id('ana')}#complaintFollowUp#good-1#1`, `${id('ana')}#complaintFollowUp#good-2#1`, `${id('ana')}#complaintFollowUp#q-ok#1`]));
  });

  it('links: every malformed, tampered or replayed request gets a clear page and changes nothing; a good click between them works', async () => {
    clock.set(new Date('2027-03-02T10:00:00Z'));
    // Ana's complaints are open, so she gets no survey: the customer with the hostile name does.
    await system.importText(JSON.stringify({ type: 'interaction', interactionId: 'o-ok', customerId: id('injected'), completedAt: '2027-02-27T10:00:00Z' }));
    await system.drainStreams();
    await system.runDispatcher();
    const survey = (await emailsTo((to) => to.startsWith(id('injected')))).find((e) => e.subject.startsWith('¿Qué tal'));
    expect(survey?.body.html).not.toContain('<script>'); // the hostile name is text
    const answer = (score: number) => new RegExp(`^${score}: (\\S+)$`, 'm').exec(survey!.body.text!)![1]!;
    const preferencesUrl = /^Elige qué te enviamos: (\S+)$/m.exec(survey!.body.text!)![1]!;
    const token = new URL(answer(9)).searchParams.get('t')!;
    const form = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

    expect((await fetch(answer(9), form('score=9'))).status).toBe(200); // the good click, sent from its page
    const requests: [string, RequestInit | undefined, number][] = [
      [answer(9), form('score=9'), 200], // replayed: the same answer, nothing changes
      [`${server.url}/survey?t=${token.slice(0, -2)}`, undefined, 400], // truncated
      [`${server.url}/survey?t=${token.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'))}`, undefined, 400], // tampered
      [`${server.url}/survey`, undefined, 400], // no token
      [`${server.url}/survey?t=`, undefined, 400],
      [`${server.url}/survey?t=${encodeURIComponent(injection)}`, undefined, 400],
      [`${server.url}/survey?t=${'A'.repeat(5_000)}.${'B'.repeat(43)}`, undefined, 400],
      [`${server.url}/unsubscribe?t=${token}`, form('List-Unsubscribe=One-Click'), 400], // a survey token on another path
      [`${server.url}/survey?t=${token}`, form('x=1'), 400], // an answer without its score
      [`${server.url}/admin`, undefined, 404],
      [`${server.url}/survey?t=${token}`, { method: 'PUT' }, 404],
      [preferencesUrl, form('receive=root'), 400],
      [preferencesUrl, form(`receive=service&x=${huge.slice(0, 10_000)}`), 400],
    ];
    tried += requests.length - 1; // the replayed click is the same good answer again
    for (const [url, init, status] of requests) {
      const response = await fetch(url, init);
      expect({ url: url.slice(0, 60), status: response.status }).toEqual({ url: url.slice(0, 60), status });
      const page = await response.text();
      expect(page).toMatch(/<h1>[^<]+<\/h1>/); // a page that says what happened
      expect(page).not.toContain('<script>');
      expect(response.headers.get('location')).toBeNull(); // and nothing redirects
    }
    expect(await customers.recordsOfType(id('injected'), 'surveyResponse')).toEqual([expect.objectContaining({ score: 9 })]);
    expect((await customers.getItems([{ customerId: id('injected'), recordKey: 'preferences' }])).size).toBe(0);
  });

  it('SES notifications: unreadable ones are parked with the field at fault; the readable ones around them act', async () => {
    const bad = ['{', 'null', '{"eventType":"Bounce"}', '{"eventType":"Complaint","complaint":{"complainedRecipients":"everyone"}}', JSON.stringify({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: injection }] } })];
    tried += bad.length;
    const result = await system.deliverMailEvents([...bad, { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: `${id('injected')}@example.com` }] } }]);
    expect(result).toEqual({ suppressed: 1, ignored: 0, unreadable: bad.length });
    expect(system.mailEventsParked).toHaveLength(bad.length); // each parked with its reason, never an address
    expect(JSON.stringify(system.mailEventsParked)).not.toContain('@');
    expect(tried).toBe(45); // 18 NDJSON lines, 10 stream items, 12 link requests, 5 SES notifications
  });
});

/**
 * Issue #11 findings 8 and 9: a record the table would refuse, or the same record twice, never stops
 * an import; a misspelt or missing consent never becomes consent.
 */
describe('records that once stopped an import, and consent never assumed, on the real local stack', () => {
  const corpusPrefix = uniquePrefix('imp');
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  const { id, lines, text } = importCorpus(corpusPrefix);
  let system: LocalSystem;
  let server: LinkServer;
  let customers: DynamoCustomerStore;

  beforeAll(async () => {
    ({ system, server, customers } = await systemWithLinks(corpusPrefix, clock));
  });
  afterAll(async () => {
    await server.close();
  });

  it('rejects each with its line and reason, warns where a line went in but perhaps not as meant, and imports every good record around them', async () => {
    // Act
    const result = await system.importText(text);

    // Assess
    const expected = (kind: 'rejected' | 'warning') =>
      lines.flatMap((line, index) => (line[kind] ? [{ line: index + 1, reason: expect.stringContaining(line[kind]!) }] : []));
    expect(result.rejected).toEqual(expected('rejected').map((r) => expect.objectContaining(r)));
    expect(result.warnings).toEqual(expected('warning').map((w) => expect.objectContaining(w)));
    expect(result.rejected.find((r) => r.line === 25)).toMatchObject({ record: `customer ${id('cy')}`, field: 'notes', reason: expect.stringMatching(new RegExp(`^customer ${id('cy')}: 410,\\d{3} bytes as stored, over the 400 KB`)) });
    expect(result.imported).toBe(lines.filter((line) => line.rejected === null).length - 1); // Ben's first line is not written: his second is
    expect(result.consentDefaulted).toBe(1); // Fay
    const profiles = await customers.getProfiles([id('ana'), id('ben'), id('cy'), id('dee'), id('eve'), id('fay'), id('gil'), id('filler-1'), id('filler-50')]);
    expect([...profiles.keys()].sort()).toEqual([id('ana'), id('ben'), id('fay'), id('filler-1'), id('filler-50'), id('gil')].sort());
    expect(profiles.get(id('ben'))).toMatchObject({ name: 'New Ben' });
    expect(profiles.get(id('fay'))).toMatchObject({ marketingOptIn: false }); // stored explicitly: a later change of the default never flips her
    expect(profiles.get(id('gil'))).toMatchObject({ locale: 'fr' });
  });

  it('sends the birthday greeting to those who consented (in English for French), none to the customer without marketingOptIn', async () => {
    // Act
    await dispatchAt(system, clock, '2027-03-02T08:00:00Z'); // 09:00 in Madrid

    // Assess
    const subjects = async (name: string) => (await emailsTo((to) => to.startsWith(`${id(name)}@`))).map((email) => email.subject);
    expect(await subjects('ana')).toEqual(['Happy birthday, ana!']);
    expect(await subjects('gil')).toEqual(['Happy birthday, gil!']);
    expect(await subjects('fay')).toEqual([]);
    const fays = (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages)).filter((m) => m.customerId === id('fay'));
    expect(fays.filter((m) => m.messageClass === 'marketing' && m.state !== 'suppressed')).toEqual([]);
  });

  it('writes a record of exactly 400 KB as DynamoDB counts it; one byte more is a reject before anything is written', async () => {
    // Prepare
    const profile = (notes: string) => ({ type: 'customer', customerId: id('max'), email: `${id('max')}@example.com`, timeZone: 'UTC', marketingOptIn: true, createdAt: '2020-01-01T00:00:00.000Z', notes });
    const parsed = parseRecord(profile(''), clock.now());
    const room = MAX_ITEM_BYTES - itemBytes(storedItemOf((parsed as { record: BusinessRecord }).record));

    // Act
    const atLimit = await system.importText(JSON.stringify(profile('x'.repeat(room))));
    const over = await system.importText(JSON.stringify({ ...profile('y'.repeat(room + 1)), customerId: id('mby') }));

    // Assess
    expect(atLimit).toMatchObject({ imported: 1, rejected: [] });
    expect(over).toMatchObject({ imported: 0, rejected: [{ line: 1, field: 'notes', reason: expect.stringContaining('409,601 bytes as stored') }] });
  });

  it('the store writes a record given twice once, the later; one the table refuses is named after every other record is written', async () => {
    // Prepare: records that skipped the import's checks
    const record = (name: string, fields: Record<string, unknown> = {}) => ({ type: 'customer', customerId: id(name), email: `${id(name)}@example.com`, timeZone: 'UTC', marketingOptIn: true, ...fields }) as unknown as BusinessRecord;
    const batch = [record('p1'), record('p2', { name: 'first' }), record('p3', { notes: 'z'.repeat(420_000) }), record('p2', { name: 'second' }), ...Array.from({ length: 30 }, (_, i) => record(`q${i}`))];

    // Act
    const error = await customers.putRecords(batch).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UnwritableRecordsError);
    expect((error as UnwritableRecordsError).records).toEqual([{ index: 2, reason: expect.stringContaining('Item size has exceeded the maximum allowed size') }]);
    const stored = await customers.getProfiles(batch.map((r) => r.customerId));
    expect(stored.size).toBe(32); // p1, p2 and the 30 q's
    expect(stored.get(id('p2'))).toMatchObject({ name: 'second' });
    expect(stored.has(id('p3'))).toBe(false);
  });
});

describe('an item no read can hold exactly, on the real local stack', () => {
  it('a profile written with a number beyond 2^53 ends its own messages with the field and digits; the dispatcher run and the other customers go on', async () => {
    // Prepare: two customers whose greetings are due; then one profile is written again by a business system, with a 2^53+ fraction.
    const numbersPrefix = uniquePrefix('inexact');
    const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
    const { system, server } = await systemWithLinks(numbersPrefix, clock);
    try {
      const [good, odd] = ['good', 'odd'].map((name) => `${numbersPrefix}${name}`);
      const profile = (customerId: string) => ({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'UTC', marketingOptIn: true, birthday: '1990-03-03' });
      await system.importText([profile(good!), profile(odd!)].map((line) => JSON.stringify(line)).join('\n'));
      await system.drainStreams();
      await system.runPlanner();
      const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
      await db.send(new PutCommand({ TableName: system.tables.Customers, Item: { ...profile(odd!), recordKey: 'customer', loyalty: { balance: NumberValue.from('9007199254740993.25') } } }));

      // Act
      clock.set(new Date('2027-03-03T09:00:00Z'));
      const outcomes = await system.runDispatcher();

      // Assess
      expect(outcomes).toMatchObject({ sent: 1, suppressed: 1, failed: 0 });
      expect(await emailsTo((to) => to === `${good}@example.com`)).toHaveLength(1);
      const [oddGreeting] = (await readAllMessages(db, system.tables.Messages)).filter((m) => m.customerId === odd && m.campaign === 'birthday');
      expect(oddGreeting).toMatchObject({ state: 'suppressed' });
      expect(oddGreeting!.reason).toContain("customer.loyalty.balance: number '9007199254740993.25' cannot be read exactly");
    } finally {
      await server.close();
    }
  });
});
