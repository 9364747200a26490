import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { BIRTHDAY_PLANNER } from '../../functions/core/jobs/plan-birthdays.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, simulate, VirtualClock, type SimulationResult } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';
import { watermarkKey } from '../../functions/adapters/dynamo-control.js';

const prefix = uniquePrefix('e2e');
const address = (id: string) => `${prefix}${id}@example.com`;
const mine = (to: string) => to.startsWith(prefix);
const customer = (id: string, fields: Record<string, unknown>) =>
  JSON.stringify({ type: 'customer', customerId: `${prefix}${id}`, email: address(id), marketingOptIn: true, ...fields });

// Window: 20 Feb – 6 Mar 2027 (2027 is a common year).
const cohort = [
  customer('madrid', { timeZone: 'Europe/Madrid', locale: 'es', name: 'Lucía', birthday: '1990-02-25' }),
  customer('kiritimati', { timeZone: 'Pacific/Kiritimati', locale: 'ro', name: 'Ioana', birthday: '--03-01' }),
  customer('baker', { timeZone: 'Etc/GMT+12', locale: 'en', name: 'Sam', birthday: '1979-02-21' }),
  customer('kathmandu', { timeZone: 'Asia/Kathmandu', locale: 'en', name: 'Asha', birthday: '1988-03-03' }),
  customer('leapling', { timeZone: 'America/St_Johns', locale: 'es', name: 'Bisiesto', birthday: '1996-02-29' }),
  customer('optedout', { timeZone: 'UTC', locale: 'en', name: 'Quiet', birthday: '1990-02-24', marketingOptIn: false }),
  customer('outside', { timeZone: 'UTC', locale: 'en', name: 'Later', birthday: '1990-04-24' }),
  customer('nobirthday', { timeZone: 'UTC', locale: 'en', name: 'Nobody' }),
  customer('mars', { timeZone: 'Mars/Olympus', birthday: '1990-02-22' }),
  // Arrives mid-window, birthday three days later.
  JSON.stringify({ at: '2027-02-27T12:00:00Z', ...JSON.parse(customer('late', { timeZone: 'America/Los_Angeles', locale: 'en', name: 'Late', birthday: '2001-03-02' })) }),
].join('\n');

const expected = [
  { id: 'baker', localDate: '2027-02-21', timeZone: 'Etc/GMT+12', subject: 'Happy birthday, Sam!', sentAt: '2027-02-21T21:00:00.000Z' },
  { id: 'madrid', localDate: '2027-02-25', timeZone: 'Europe/Madrid', subject: '¡Feliz cumpleaños, Lucía!', sentAt: '2027-02-25T08:00:00.000Z' },
  { id: 'leapling', localDate: '2027-02-28', timeZone: 'America/St_Johns', subject: '¡Feliz cumpleaños, Bisiesto!', sentAt: '2027-02-28T12:30:00.000Z' },
  { id: 'kiritimati', localDate: '2027-03-01', timeZone: 'Pacific/Kiritimati', subject: 'La mulți ani, Ioana!', sentAt: '2027-02-28T19:00:00.000Z' },
  { id: 'late', localDate: '2027-03-02', timeZone: 'America/Los_Angeles', subject: 'Happy birthday, Late!', sentAt: '2027-03-02T17:00:00.000Z' },
  { id: 'kathmandu', localDate: '2027-03-03', timeZone: 'Asia/Kathmandu', subject: 'Happy birthday, Asha!', sentAt: '2027-03-03T03:15:00.000Z' },
];

describe('birthday greetings on the real local stack', () => {
  let result: SimulationResult;

  beforeAll(async () => {
    result = await simulate({ ...endpoints(), data: cohort, start: new Date('2027-02-20T00:00:00Z'), days: 14, config: defaultConfig, tablePrefix: prefix });
  });

  it('sends each greeting at 09:00 local on the local birthday, in the customer’s language', async () => {
    // Keep-in-touch messages of customers whose first floor falls in the window go too; these are the greetings.
    const sent = result.report.messages.filter((m) => m.state === 'sent' && m.campaign === 'birthday');
    expect(sent.map((m) => ({ id: m.customerId.slice(prefix.length), localDate: m.localDate, timeZone: m.timeZone, subject: m.subject, sentAt: m.sentAt }))).toEqual(expected);
    expect(sent.every((m) => m.localTime === '09:00')).toBe(true);

    const keepInTouch = new Set(result.report.messages.filter((m) => m.state === 'sent' && m.campaign === 'keepInTouch').map((m) => m.sesMessageId));
    const emails = (await emailsTo(mine)).filter((e) => !keepInTouch.has(e.messageId));
    expect(emails.map((e) => [e.destination.to[0], e.subject]).sort()).toEqual(expected.map((e) => [address(e.id), e.subject]).sort());
    for (const message of sent) expect(emails.map((e) => e.messageId)).toContain(message.sesMessageId);
    const lucia = emails.find((e) => e.destination.to[0] === address('madrid'))!;
    expect(lucia.body.html).toContain('Todo el equipo');
    expect(lucia.body.text).toContain('Todo el equipo');
  });

  it('gives nothing to an opted-out customer and reports the invalid line', async () => {
    expect((await emailsTo((to) => to === address('optedout')))).toEqual([]);
    expect(result.report.rejected).toEqual([{ line: 9, record: `customer ${prefix}mars`, reason: "customer.timeZone: unknown time zone 'Mars/Olympus'" }]);
    expect(result.parked).toEqual([]);
  });

  it('sends nothing more when the planner and the dispatcher are replayed, even from scratch', async () => {
    // Prepare: the same tables, a new set of handlers, the clock back in the window.
    const before = (await emailsTo(mine)).length;
    const clock = new VirtualClock(new Date('2027-02-20T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));

    // Act: replay every planner run and a dispatcher tick each hour; then forget the watermark and plan again.
    for (let hour = 0; hour < 14 * 24; hour += 1) {
      clock.set(new Date(Date.parse('2027-02-20T00:00:00Z') + hour * 3_600_000));
      if (hour % 24 === 0) await system.runPlanner();
      await system.runDispatcher();
    }
    await db.send(new DeleteCommand({ TableName: system.tables.Control, Key: { key: watermarkKey(BIRTHDAY_PLANNER) } }));
    clock.set(new Date('2027-02-21T00:00:00Z'));
    await system.runPlanner();
    await system.runDispatcher();

    // Assess
    expect((await emailsTo(mine)).length).toBe(before);
    const messages = await readAllMessages(db, system.tables.Messages);
    expect(messages.filter((m) => m.state === 'sent')).toHaveLength(result.report.messages.filter((m) => m.state === 'sent').length);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(messages.length);
  });

  it('reads only the customers whose birthday is being planned', () => {
    // Six indexed customers have a birthday in view; the opted-out and birthday-less ones are never read.
    expect(result.stats.planner.itemsReadByOperation['Query byBirthday']).toBeLessThanOrEqual(expected.length);
  });
});

describe('the leap-day policy changed after its greeting was planned', () => {
  it('moves the greeting to the day the new policy says, and it goes that day', async () => {
    // Prepare: a 29 February birthday greeted on 1 March in common years; planned on 10 February.
    const leapPrefix = uniquePrefix('leap');
    const id = `${leapPrefix}ida`;
    let config: RetentionConfig = { ...defaultConfig, campaigns: { ...defaultConfig.campaigns, birthday: { ...defaultConfig.campaigns.birthday, leapDayPolicy: 'mar1' } } };
    const clock = new VirtualClock(new Date('2027-02-10T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: leapPrefix, clock, config: async () => config });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    await system.importText(JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', locale: 'en', name: 'Ida', birthday: '1996-02-29', marketingOptIn: true }));
    await system.drainStreams();
    await system.runPlanner();
    const greeting = async () => (await readAllMessages(db, system.tables.Messages)).find((m) => m.messageId === `${id}#birthday#2027`)!;
    expect((await greeting()).localDate).toBe('2027-03-01');

    // Act: on 20 February the business greets leaplings on 28 February instead.
    config = { ...config, campaigns: { ...config.campaigns, birthday: { ...config.campaigns.birthday, leapDayPolicy: 'feb28' } } };
    clock.set(new Date('2027-02-20T00:00:00Z'));
    await system.runPlanner();

    // Assess
    expect([(await greeting()).localDate, (await greeting()).state]).toEqual(['2027-02-28', 'planned']);
    clock.set(new Date('2027-02-28T09:00:00Z'));
    await system.runDispatcher();
    expect([(await greeting()).state, (await greeting()).sentAt]).toEqual(['sent', '2027-02-28T09:00:00.000Z']);
  });
});
