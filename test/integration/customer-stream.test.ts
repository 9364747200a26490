import { NumberValue, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { STREAM_RECORD_FAILED } from '../../functions/handlers/customer-stream.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock, type LocalSystemOptions } from '../../functions/local/simulation.js';
import { failPlanningOf } from '../../functions/local/stream-faults.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

/** One customer's items written straight into the Customers table, as a business system writes them, on a system of their own from `start`. */
const oneCustomer = async (name: string, start: string, options: Pick<LocalSystemOptions, 'wrapStreamOutbox'> = {}) => {
  const prefix = uniquePrefix(name);
  const customerId = `${prefix}${name}`;
  const clock = new VirtualClock(new Date(start));
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, ...options });
  const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
  const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId, ...item } }));
  return { customerId, clock, system, db, put };
};

describe('customer profiles written straight into the table by a business system', () => {
  it('are indexed and greeted through the stream; a malformed one is logged with its key and skipped', async () => {
    // Prepare
    const prefix = uniquePrefix('stream');
    const clock = new VirtualClock(new Date('2027-05-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    const logError = vi.spyOn(system.runtime('customerStream').logger, 'error');
    const put = (id: string, fields: Record<string, unknown>) =>
      db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId: `${prefix}${id}`, recordKey: 'customer', email: `${prefix}${id}@example.com`, marketingOptIn: true, ...fields } }));

    // Act: three profiles without the derived index key, the middle one malformed; then a contract.
    await put('a', { timeZone: 'Europe/Bucharest', locale: 'ro', name: 'Ana', birthday: '1991-05-20' });
    await put('bad', { timeZone: 'Europe/Bucharest', birthday: '1991-05-32' });
    await put('c', { timeZone: 'America/Mexico_City', locale: 'es', name: 'Carla', birthday: '--07-01' });
    await db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId: `${prefix}a`, recordKey: 'contract#k-1', type: 'contract', contractId: 'k-1', endsOn: 'not a date' } }));
    await system.drainStreams();

    // Assess: a's greeting is inside the horizon and planned by the stream; c's is not yet.
    const planned = await readAllMessages(db, system.tables.Messages);
    expect(planned.filter((m) => m.campaign === 'birthday').map((m) => [m.messageId, m.state, m.dueAt])).toEqual([[`${prefix}a#birthday#2027`, 'planned', '2027-05-20T06:00:00.000Z']]);
    // Nothing else reaches c inside her first floor: its keep-in-touch is planned from the start (a's greeting holds hers).
    expect(planned.filter((m) => m.campaign === 'keepInTouch' && m.state === 'planned').map((m) => m.customerId)).toEqual([`${prefix}c`]);
    expect(system.parked).toEqual([]);
    expect(logError).toHaveBeenCalledWith('skipped an invalid customer profile', expect.objectContaining({
      key: { customerId: `${prefix}bad`, recordKey: 'customer' },
      field: 'birthday',
    }));

    // Act: the daily planner reaches 1 July through the index the stream filled in; send both.
    for (const day of ['2027-05-20T06:00:00Z', '2027-05-27T00:00:00Z', '2027-07-01T15:00:00Z']) {
      clock.set(new Date(day));
      await system.runPlanner();
      await system.runDispatcher();
    }

    // Assess
    const greetings = (await emailsTo((to) => to.startsWith(prefix))).filter((e) => /mulți ani|cumpleaños/.test(e.subject));
    expect(greetings.map((e) => e.subject).sort()).toEqual(['La mulți ani, Ana!', '¡Feliz cumpleaños, Carla!']);
  });
});

describe('records written before their customer profile', () => {
  it('are planned when the profile arrives, though the daily planner has read their dates already', async () => {
    // Prepare: the daily planner has run today (its horizon read); a late joiner's records come first.
    const { customerId, system, db, put } = await oneCustomer('lee', '2027-05-01T00:00:00Z');
    await system.runPlanner();
    await put({ recordKey: 'contract#k-1', type: 'contract', contractId: 'k-1', endsOn: '2027-05-31' });
    await put({ recordKey: 'complaint#q-1', type: 'complaint', complaintId: 'q-1', openedAt: '2027-04-30T20:00:00Z' });
    await put({ recordKey: 'interaction#i-1', type: 'interaction', interactionId: 'i-1', completedAt: '2027-04-30T18:00:00Z' });
    await system.drainStreams();
    expect(await readAllMessages(db, system.tables.Messages).then((all) => all.filter((m) => m.customerId === customerId))).toEqual([]);

    // Act: the profile.
    await put({ recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', marketingOptIn: true });
    await system.drainStreams();

    // Assess: the renewal reminders inside the horizon, the complaint's follow-ups and the survey.
    const planned = (await readAllMessages(db, system.tables.Messages)).filter((m) => m.customerId === customerId);
    const bySource = (campaign: string) => planned.filter((m) => m.campaign === campaign).map((m) => m.sourceKey);
    expect(bySource('renewal').length).toBeGreaterThan(0);
    expect(new Set(bySource('renewal'))).toEqual(new Set(['contract#k-1']));
    expect(bySource('complaintFollowUp').length).toBeGreaterThan(0);
    expect(new Set(bySource('complaintFollowUp'))).toEqual(new Set(['complaint#q-1']));
    expect(bySource('survey')).toEqual(['interaction#i-1']);
    expect(system.parked).toEqual([]);
  });

  it('are planned by the retry of a profile write that failed half-way through them (the ledger it opened is there by then)', async () => {
    // Prepare: a late joiner's complaint and interaction; planning the interaction's survey is throttled once.
    const { customerId, system, db, put } = await oneCustomer('max', '2027-05-01T00:00:00Z', { wrapStreamOutbox: failPlanningOf((messageId) => messageId.includes('#survey#')) });
    await put({ recordKey: 'complaint#q-1', type: 'complaint', complaintId: 'q-1', openedAt: '2027-04-30T20:00:00Z' });
    await put({ recordKey: 'interaction#i-1', type: 'interaction', interactionId: 'i-1', completedAt: '2027-04-30T18:00:00Z' });
    await system.drainStreams();

    // Act: the profile; its first try fails after the ledger is opened and the complaint planned, and is retried.
    await put({ recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', marketingOptIn: true });
    await system.drainStreams();

    // Assess
    const planned = (await readAllMessages(db, system.tables.Messages)).filter((m) => m.customerId === customerId);
    expect(planned.filter((m) => m.campaign === 'survey').map((m) => m.sourceKey)).toEqual(['interaction#i-1']);
    expect(planned.some((m) => m.campaign === 'complaintFollowUp')).toBe(true);
    expect(system.parked).toEqual([]);
  });

  it('are planned by the profile that mends an invalid one, when they were written while it was invalid', async () => {
    // Prepare: a known customer; their profile is then written with a zone that does not exist, and an interaction comes.
    const { customerId, system, db, put } = await oneCustomer('ola', '2027-05-01T00:00:00Z');
    const profile = { recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'Europe/Oslo', locale: 'en', marketingOptIn: true };
    await put(profile);
    await system.drainStreams();
    await put({ ...profile, timeZone: 'Europe/Olso' });
    await put({ recordKey: 'interaction#i-1', type: 'interaction', interactionId: 'i-1', completedAt: '2027-04-30T18:00:00Z' });
    await system.drainStreams();
    const surveys = async () => (await readAllMessages(db, system.tables.Messages)).filter((m) => m.customerId === customerId && m.campaign === 'survey');
    expect(await surveys()).toEqual([]);

    // Act: the profile mended, in the zone it had
    await put(profile);
    await system.drainStreams();

    // Assess
    expect((await surveys()).map((m) => [m.sourceKey, ['planned', 'deferred'].includes(m.state)])).toEqual([['interaction#i-1', true]]);
  });

  it('are re-timed when the profile moves to another time zone: a renewal reminder goes at 09:00 where the customer now lives', async () => {
    // Prepare: a customer in Tokyo whose contract ends on 4 April; its 30-day reminder (5 March) is inside the horizon.
    const { customerId, clock, system, db, put } = await oneCustomer('kei', '2027-02-20T00:00:00Z');
    const profile = { recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'Asia/Tokyo', locale: 'en', marketingOptIn: true };
    await put(profile);
    await put({ recordKey: 'contract#k-1', type: 'contract', contractId: 'k-1', endsOn: '2027-04-04' });
    await system.drainStreams();
    const reminder = async () => (await readAllMessages(db, system.tables.Messages)).find((m) => m.messageId === `${customerId}#renewal#k-1#30`)!;
    expect([(await reminder()).dueAt, (await reminder()).timeZone]).toEqual(['2027-03-05T00:00:00.000Z', 'Asia/Tokyo']);

    // Act: the customer moves to New York.
    clock.set(new Date('2027-02-25T00:00:00Z'));
    await put({ ...profile, timeZone: 'America/New_York' });
    await system.drainStreams();

    // Assess: 09:00 in New York on 5 March (UTC−5), its deadline the contract's end there.
    const moved = await reminder();
    expect([moved.dueAt, moved.deadline, moved.timeZone, moved.state]).toEqual(['2027-03-05T14:00:00.000Z', '2027-04-04T04:00:00.000Z', 'America/New_York', 'planned']);
  });
});

describe('a birthday corrected on the profile', () => {
  it('moves the greeting already waiting to the new date, even beyond the planner\'s horizon, and it goes on that day', async () => {
    // Prepare: on 20 January, a greeting waits for 10 February.
    const { customerId, clock, system, db, put } = await oneCustomer('ida', '2027-01-20T00:00:00Z');
    const profile = { recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'UTC', locale: 'en', name: 'Ida', marketingOptIn: true };
    await put({ ...profile, birthday: '1990-02-10' });
    await system.drainStreams();
    const greeting = async () => (await readAllMessages(db, system.tables.Messages)).find((m) => m.messageId === `${customerId}#birthday#2027`)!;
    expect([(await greeting()).localDate, (await greeting()).state]).toEqual(['2027-02-10', 'planned']);

    // Act: the birthday was 20 April, 90 days ahead, beyond the planner's 35.
    await put({ ...profile, birthday: '1990-04-20' });
    await system.drainStreams();

    // Assess: the greeting moved, and goes on the 20th.
    expect([(await greeting()).localDate, (await greeting()).state]).toEqual(['2027-04-20', 'planned']);
    clock.set(new Date('2027-04-20T09:00:00Z'));
    await system.runDispatcher();
    expect([(await greeting()).state, (await greeting()).sentAt]).toEqual(['sent', '2027-04-20T09:00:00.000Z']);
  });
});

describe('stream order when a record fails', () => {
  it('applies a complaint resolved only after its opened version, which failed once, went through on the retry', async () => {
    // Prepare: planning the complaint's "how did we do?" is throttled once (the opened version's record is
    // the first to plan it: each record's job acts on the complaint as it is now, resolved).
    const prefix = uniquePrefix('stream-order');
    const customerId = `${prefix}ana`;
    const clock = new VirtualClock(new Date('2027-05-01T00:00:00Z'));
    const system = await LocalSystem.create({
      ...endpoints(),
      tablePrefix: prefix,
      clock,
      config: async () => defaultConfig,
      wrapStreamOutbox: failPlanningOf((messageId) => messageId === `${customerId}#complaintFollowUp#q-1#resolved`),
    });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId, ...item } }));
    await put({ recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Ana', marketingOptIn: true });
    await system.drainStreams();
    const warn = vi.spyOn(system.runtime('customerStream').logger, 'warn');

    // Act: the business system opens the complaint and resolves it; both versions wait on the stream.
    const complaint = { recordKey: 'complaint#q-1', type: 'complaint', complaintId: 'q-1', subject: 'Late delivery', openedAt: '2027-04-30T20:00:00Z' };
    await put(complaint);
    await put({ ...complaint, status: 'resolved', resolvedAt: '2027-04-30T23:00:00Z' });
    await system.drainStreams();

    // Assess: the "how did we do?" stands, and no open-state check-in was ever planned.
    const followUps = (await readAllMessages(db, system.tables.Messages))
      .filter((m) => m.customerId === customerId && m.campaign === 'complaintFollowUp')
      .map((m) => [m.messageId.slice(`${customerId}#complaintFollowUp#`.length), m.state, m.reason ?? null])
      .sort();
    expect(followUps).toEqual([['q-1#resolved', 'planned', null]]);
    expect(system.parked).toEqual([]);
    // It failed once, held the resolution back, and went through on the retry.
    expect(warn.mock.calls.filter(([text]) => text === STREAM_RECORD_FAILED)).toEqual([
      [STREAM_RECORD_FAILED, expect.objectContaining({ key: { customerId, recordKey: 'complaint#q-1' }, heldBack: 1, error: expect.stringMatching(/ProvisionedThroughputExceeded/) })],
    ]);
  });

  it('logs a record whose image holds a number JavaScript cannot read exactly with its key, field and value, skips it, and lets the records around it through', async () => {
    // Prepare
    const prefix = uniquePrefix('stream-number');
    const clock = new VirtualClock(new Date('2027-05-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    const logError = vi.spyOn(system.runtime('customerStream').logger, 'error');
    const profile = (name: string) => ({ customerId: `${prefix}${name}`, recordKey: 'customer', type: 'customer', email: `${prefix}${name}@example.com`, timeZone: 'UTC', marketingOptIn: true, birthday: '1990-05-10' });

    // Act: a complaint carrying a refund of 9007199254740993.25 (DynamoDB holds it; JavaScript cannot) between two profiles.
    await db.send(new PutCommand({ TableName: system.tables.Customers, Item: profile('a') }));
    await db.send(new PutCommand({
      TableName: system.tables.Customers,
      Item: { customerId: `${prefix}a`, recordKey: 'complaint#q-9', type: 'complaint', complaintId: 'q-9', subject: 'Refund', openedAt: '2027-04-30T20:00:00Z', details: { refund: NumberValue.from('9007199254740993.25') } },
    }));
    await db.send(new PutCommand({ TableName: system.tables.Customers, Item: profile('b') }));
    await system.drainStreams();

    // Assess
    expect(system.parked).toEqual([]);
    expect(logError).toHaveBeenCalledWith('skipped an invalid complaint', expect.objectContaining({
      key: { customerId: `${prefix}a`, recordKey: 'complaint#q-9' },
      field: 'details.refund',
      reason: `complaint q-9: complaint.details.refund: number '9007199254740993.25' cannot be read exactly (beyond ±9007199254740991)`,
    }));
    const planned = await readAllMessages(db, system.tables.Messages);
    expect(planned.filter((m) => m.campaign === 'birthday').map((m) => m.customerId).sort()).toEqual([`${prefix}a`, `${prefix}b`]);
    expect(planned.filter((m) => m.campaign === 'complaintFollowUp')).toEqual([]);
  });
});
