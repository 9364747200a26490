import { describe, expect, it, vi } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { PermanentError, TransientError } from '../../functions/core/errors.js';
import type { Mailer, Outbox } from '../../functions/core/ports.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

/** A fault-injecting layer in front of the real SES emulator. */
const failing = (decide: (attempt: number, to: string) => Error | undefined) => (mailer: Mailer): Mailer => {
  const attempts = new Map<string, number>();
  return {
    send: async (email) => {
      const attempt = (attempts.get(email.to) ?? 0) + 1;
      attempts.set(email.to, attempt);
      const fault = decide(attempt, email.to);
      if (fault) throw fault;
      return mailer.send(email);
    },
  };
};

const setUp = async (name: string, wrapMailer?: (mailer: Mailer) => Mailer) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, wrapMailer });
  const ids = ['a', 'b', 'c'].map((id) => `${prefix}${id}`);
  const data = ids.map((id) => JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: '1990-06-12' })).join('\n');
  await system.importText(data);
  await system.drainStreams();
  await system.runPlanner();
  const messages = async () => readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages);
  const emails = () => emailsTo((to) => to.startsWith(prefix));
  /** Runs the dispatcher every 5 minutes from `from` for `hours`. */
  const tick = async (from: string, hours: number) => {
    for (let t = Date.parse(from); t < Date.parse(from) + hours * 3_600_000; t += 300_000) {
      clock.set(new Date(t));
      await system.runDispatcher();
    }
  };
  return { system, clock, messages, emails, tick };
};

describe('the dispatcher on the real local stack', () => {
  it('sends every due message exactly once when two dispatchers run at the same time', async () => {
    const { system, clock, messages, emails } = await setUp('race');
    clock.set(new Date('2027-06-12T09:00:00Z'));
    const results = await Promise.all([system.runDispatcher(), system.runDispatcher(), system.runDispatcher()]);
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(3);
    expect((await emails()).length).toBe(3);
    expect((await messages()).every((m) => m.state === 'sent')).toBe(true);
  });

  it('retries a throttled send with backoff and sends it once it goes through', async () => {
    const throttled = new TransientError('TooManyRequestsException: Maximum sending rate exceeded');
    const { messages, emails, tick } = await setUp('throttle', failing((attempt) => (attempt <= 3 ? throttled : undefined)));
    await tick('2027-06-12T09:00:00Z', 2);
    const sent = await messages();
    expect(sent.map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
    // Attempts at 09:00, 09:05, 09:15, then 09:35: first delay 5 minutes, doubling.
    expect(new Set(sent.map((m) => m.sentAt))).toEqual(new Set(['2027-06-12T09:35:00.000Z']));
    expect(sent.map((m) => m.attempts)).toEqual([4, 4, 4]);
    expect((await emails()).length).toBe(3);
  });

  it('expires a message whose transient failures last until its deadline, with the reason', async () => {
    const { messages, emails, tick } = await setUp('outage', failing(() => new TransientError('TimeoutError: socket hang up')));
    await tick('2027-06-12T09:00:00Z', 16);
    const final = await messages();
    const greetings = final.filter((m) => m.campaign === 'birthday');
    expect(greetings.map((m) => m.state)).toEqual(['expired', 'expired', 'expired']);
    expect(greetings[0]!.reason).toBe('transient failures until its deadline; last: TimeoutError: socket hang up');
    expect(await emails()).toEqual([]);
    // Each greeting held its customer's floor: once it expired, their plan was made again at once.
    expect(final.filter((m) => m.campaign === 'keepInTouch' && m.state === 'planned')).toHaveLength(3);
  });

  it('suppresses a message the mail service rejects for good, and sends the others', async () => {
    const { messages, emails, tick } = await setUp('reject', failing((_, to) => (to.includes('-b@') ? new PermanentError('MessageRejected: Email address is on the suppression list') : undefined)));
    await tick('2027-06-12T09:00:00Z', 1);
    const final = (await messages()).filter((m) => m.campaign === 'birthday').map((m) => [m.customerId.slice(-1), m.state, m.reason]).sort();
    expect(final).toEqual([
      ['a', 'sent', null],
      ['b', 'suppressed', 'rejected by the mail service: MessageRejected: Email address is on the suppression list'],
      ['c', 'sent', null],
    ]);
    expect((await emails()).length).toBe(2);
  });

  it('honours consent at send time, not only when planning', async () => {
    const { system, messages, emails, tick } = await setUp('consent');
    const [first] = await messages();
    await system.importText(JSON.stringify({ type: 'customer', customerId: first!.customerId, email: `${first!.customerId}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: false }));
    await system.drainStreams();
    await tick('2027-06-12T09:00:00Z', 1);
    const states = Object.fromEntries((await messages()).map((m) => [m.customerId, [m.state, m.reason]]));
    expect(states[first!.customerId]).toEqual(['suppressed', 'the customer has no marketing consent']);
    expect((await emails()).length).toBe(2);
  });
});

describe('a dispatcher that stops half-way', () => {
  it('after handing a message to the mail service: the others are sent, and that one is recorded as sent, unconfirmed, never tried again', async () => {
    const { system, messages, emails, tick } = await setUp('bug', failing((_, to) => (to.includes('-a@') ? new Error('socket closed after the request was written') : undefined)));
    const logError = vi.spyOn(system.runtime('dispatcher').logger, 'error');
    await tick('2027-06-12T09:00:00Z', 1); // past the 10-minute claim lease
    const states = (await messages()).map((m) => [m.customerId.slice(-1), m.state, m.reason]).sort();
    expect(states).toEqual([
      ['a', 'sent', 'unconfirmed: handed to the mail service, then its dispatcher stopped before recording the result; never sent again (at most once)'],
      ['b', 'sent', null],
      ['c', 'sent', null],
    ]);
    expect((await emails()).length).toBe(2); // this fault happened before SES: at most once means it is lost, never doubled
    expect(logError).toHaveBeenCalledWith('message failed with an unknown outcome; left claimed', expect.objectContaining({ error: 'socket closed after the request was written' }));
  });

  it('before handing a message over: its claim lapses and it is sent once, by the next run', async () => {
    let crashes = 1;
    const crashing = (outbox: Outbox): Outbox =>
      Object.assign(Object.create(outbox) as Outbox, {
        markHandedOver: async (...args: Parameters<Outbox['markHandedOver']>) => {
          if (crashes-- > 0) throw new Error('the process stopped');
          return outbox.markHandedOver(...args);
        },
      });
    const prefix = uniquePrefix('crash');
    const clock = new VirtualClock(new Date('2027-06-12T09:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, wrapOutbox: crashing });
    await system.importText(JSON.stringify({ type: 'customer', customerId: `${prefix}a`, email: `${prefix}a@example.com`, timeZone: 'UTC', birthday: '1990-06-12' }));
    await system.drainStreams();
    await system.runDispatcher(); // claims, then stops before the mail service
    const [claimed] = await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages);
    expect(claimed!.state).toBe('sending');
    clock.set(new Date('2027-06-12T09:05:00Z'));
    await system.runDispatcher(); // the lease still holds
    expect(await emailsTo((to) => to.startsWith(prefix))).toHaveLength(0);
    clock.set(new Date('2027-06-12T09:10:00Z'));
    await system.runDispatcher(); // the lease has run out
    clock.set(new Date('2027-06-12T09:15:00Z'));
    await system.runDispatcher();
    const [sent] = await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages);
    expect([sent!.state, sent!.reason]).toEqual(['sent', null]);
    expect(await emailsTo((to) => to.startsWith(prefix))).toHaveLength(1);
  });
});
