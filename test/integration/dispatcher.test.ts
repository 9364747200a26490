import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoLedgerStore } from '../../functions/adapters/dynamo-ledger.js';
import { DynamoSuppressionStore } from '../../functions/adapters/dynamo-suppressions.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import type { Outbox } from '../../functions/core/ports.js';
import { addressKey } from '../../functions/core/suppression.js';
import { SENDING_ACCOUNT_FAULT } from '../../functions/handlers/dispatcher.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { faults, startSesFaultProxy, type FaultRule, type SesFaultProxy } from '../../functions/local/ses-fault-proxy.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, eventually, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

/** Every send of these tests goes through a proxy in front of the SES emulator that plays the faults SES and the network really make. */
let proxy: SesFaultProxy;
beforeAll(async () => {
  proxy = await startSesFaultProxy({ target: endpoints().sesEndpoint });
});
afterAll(async () => proxy.close());

const documentClient = () => documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));

const setUp = async (name: string, rule?: (clock: VirtualClock) => FaultRule, options: { wrapOutbox?: (outbox: Outbox) => Outbox } = {}) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
  proxy.setRule(rule ? rule(clock) : () => undefined);
  const system = await LocalSystem.create({ ...endpoints(), sesEndpoint: proxy.url, tablePrefix: prefix, clock, config: async () => defaultConfig, ...options });
  const ids = ['a', 'b', 'c'].map((id) => `${prefix}${id}`);
  const data = ids.map((id) => JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: true })).join('\n');
  await system.importText(data);
  await system.drainStreams();
  await system.runPlanner();
  const messages = async () => readAllMessages(documentClient(), system.tables.Messages);
  const greetings = async () => (await messages()).filter((m) => m.campaign === 'birthday').map((m) => [m.customerId.slice(-1), m.state, m.reason]).sort();
  const emails = () => emailsTo((to) => to.startsWith(prefix));
  /** Runs the dispatcher every 5 minutes from `from` for `hours`. */
  const tick = async (from: string, hours: number) => {
    for (let t = Date.parse(from); t < Date.parse(from) + hours * 3_600_000; t += 300_000) {
      clock.set(new Date(t));
      await system.runDispatcher();
    }
  };
  return { prefix, system, clock, messages, greetings, emails, tick };
};

/** A rule for the customer whose address starts with `-<letter>@`. */
const forCustomer = (letter: string, fault: () => ReturnType<FaultRule>): FaultRule => (request) => (request.to.some((to) => to.includes(`-${letter}@`)) ? fault() : undefined);

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
    const throttledTimes = new Map<string, number>();
    const { messages, emails, tick } = await setUp('throttle', () => (request) => {
      const times = throttledTimes.get(request.to[0]!) ?? 0;
      throttledTimes.set(request.to[0]!, times + 1);
      return times < 3 ? faults.throttle() : undefined;
    });
    await tick('2027-06-12T09:00:00Z', 2);
    const sent = await messages();
    expect(sent.map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
    // Attempts at 09:00, 09:05, 09:15, then 09:35: first delay 5 minutes, doubling.
    expect(new Set(sent.map((m) => m.sentAt))).toEqual(new Set(['2027-06-12T09:35:00.000Z']));
    expect(sent.map((m) => m.attempts)).toEqual([4, 4, 4]);
    expect((await emails()).length).toBe(3);
  });

  it('expires a message SES refuses until its deadline, with the reason', async () => {
    const { messages, emails, tick } = await setUp('outage', () => () => faults.throttle());
    await tick('2027-06-12T09:00:00Z', 16);
    const final = await messages();
    const greetings = final.filter((m) => m.campaign === 'birthday');
    expect(greetings.map((m) => m.state)).toEqual(['expired', 'expired', 'expired']);
    expect(greetings[0]!.reason).toBe('refused by the mail service until its deadline; last: TooManyRequestsException (HTTP 429): Maximum sending rate exceeded.');
    expect(await emails()).toEqual([]);
    // Each greeting held its customer's floor: once it expired, their plan was made again at once. The
    // last try came just before quiet hours, so a keep-in-touch due that day waits for the morning (deferred).
    expect(final.filter((m) => m.campaign === 'keepInTouch' && (m.state === 'planned' || m.state === 'deferred'))).toHaveLength(3);
    // The last try: five minutes before quiet hours (20:00 UTC) on the birthday, after the backoff had passed the deadline.
    expect(greetings.map((m) => m.updatedAt)).toEqual(['2027-06-12T19:55:00.000Z', '2027-06-12T19:55:00.000Z', '2027-06-12T19:55:00.000Z']);
  });

  it('an answer lost after SES took the e-mail: recorded as sent, unconfirmed, and never sent again', async () => {
    const { greetings, emails, tick, prefix } = await setUp('lost', () => forCustomer('a', () => faults.loseAnswer()));
    await tick('2027-06-12T09:00:00Z', 2);
    expect(await greetings()).toEqual([
      ['a', 'sent', expect.stringMatching(/^unconfirmed: the mail service may have taken it \(.*\); never sent again \(at most once\)$/)],
      ['b', 'sent', null],
      ['c', 'sent', null],
    ]);
    // SES took it once: the SDK did not retry the send, and no later run sent it again.
    expect((await emails()).filter((email) => email.destination.to[0] === `${prefix}a@example.com`)).toHaveLength(1);
    expect(proxy.log.filter((entry) => entry.to[0] === `${prefix}a@example.com`)).toHaveLength(1);
  });

  it('an SES server error is ambiguous: recorded as sent, unconfirmed, not tried again (the at-most-once contract)', async () => {
    const { greetings, emails, tick } = await setUp('status500', () => forCustomer('a', () => faults.status(500)));
    await tick('2027-06-12T09:00:00Z', 2);
    expect(await greetings()).toEqual([
      ['a', 'sent', `unconfirmed: the mail service may have taken it (InternalFailure (HTTP 500): ${faults.status(500).message}); never sent again (at most once)`],
      ['b', 'sent', null],
      ['c', 'sent', null],
    ]);
    expect(await emails()).toHaveLength(2);
  });

  it.each([
    { what: 'access denied (IAM)', fault: () => faults.accessDenied() },
    { what: 'an identity not verified (the SES sandbox)', fault: () => faults.notVerified('someone@example.com') },
    { what: 'sending paused', fault: () => faults.sendingPaused() },
    { what: 'a configuration set that does not exist', fault: () => faults.configurationSetDoesNotExist('retention-local') },
    { what: 'a suspended account', fault: () => faults.accountSuspended() },
    { what: 'a MAIL FROM domain not verified', fault: () => faults.mailFromDomainNotVerified() },
  ])('an account fault ($what) for 30 minutes holds every message, raises the alarm, suppresses nothing; all go once it is mended', async ({ fault }) => {
    const mendedAt = Date.parse('2027-06-12T09:30:00Z');
    const { system, prefix, messages, greetings, emails, tick } = await setUp('account', (clock) => () => (clock.now().getTime() < mendedAt ? fault() : undefined));
    const logError = vi.spyOn(system.runtime('dispatcher').logger, 'error');
    await tick('2027-06-12T09:00:00Z', 0.5);
    expect((await messages()).filter((m) => m.campaign === 'birthday').every((m) => m.state === 'planned' && m.reason?.startsWith('held by a fault of the sending account'))).toBe(true);
    expect(logError).toHaveBeenCalledWith(SENDING_ACCOUNT_FAULT, expect.objectContaining({ reason: expect.any(String) }));
    // SES was asked no more often than the backoff allows (at 09:00, 09:05 and 09:15), not at each of the six runs.
    for (const id of ['a', 'b', 'c']) expect(proxy.log.filter((entry) => entry.to[0] === `${prefix}${id}@example.com`).length).toBeLessThanOrEqual(3);
    await tick('2027-06-12T09:30:00Z', 2);
    expect(await greetings()).toEqual([
      ['a', 'sent', null],
      ['b', 'sent', null],
      ['c', 'sent', null],
    ]);
    expect(await emails()).toHaveLength(3);
    const suppressions = new DynamoSuppressionStore(documentClient(), system.tables.Suppressions);
    expect((await suppressions.suppressedAmong(['a', 'b', 'c'].map((id) => addressKey(`${prefix}${id}@example.com`)))).size).toBe(0);
  });

  it('an address SES refuses for good: that message is suppressed, the address too, the others are sent', async () => {
    const { system, prefix, greetings, emails, tick } = await setUp('reject', () => forCustomer('b', () => faults.badRecipient()));
    await tick('2027-06-12T09:00:00Z', 1);
    expect(await greetings()).toEqual([
      ['a', 'sent', null],
      ['b', 'suppressed', 'the address was rejected by the mail service: BadRequestException (HTTP 400): Illegal address'],
      ['c', 'sent', null],
    ]);
    expect((await emails()).length).toBe(2);
    const suppressions = new DynamoSuppressionStore(documentClient(), system.tables.Suppressions);
    const suppressed = await suppressions.suppressedAmong([addressKey(`${prefix}b@example.com`), addressKey(`${prefix}a@example.com`)]);
    expect([...suppressed.entries()]).toEqual([[addressKey(`${prefix}b@example.com`), 'rejected by the mail service: BadRequestException (HTTP 400): Illegal address']]);
    // Off the contact floor because of that address, until it is lifted (`suppression remove`) or the profile written again
    const ledger = system.runtime('dispatcher').stores().ledger;
    expect(await ledger.get(`${prefix}b`)).toMatchObject({ marketingOptIn: false, unreachableAddress: addressKey(`${prefix}b@example.com`) });
    expect(await ledger.unreachableBecauseOf(addressKey(`${prefix}b@example.com`))).toEqual([`${prefix}b`]);
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

/** An outbox whose `step` fails (as a stopped process would) for the first `times` calls that `matches`. */
const stoppingAt = <K extends 'markHandedOver' | 'markSent'>(step: K, matches: (messageId: string) => boolean, times = 1) => (outbox: Outbox): Outbox => {
  let left = times;
  return Object.assign(Object.create(outbox) as Outbox, {
    [step]: async (...args: Parameters<Outbox[K]>) => {
      if (matches(args[0]) && left-- > 0) throw new Error('the process stopped');
      return (outbox[step] as (...a: Parameters<Outbox[K]>) => Promise<void>)(...args);
    },
  });
};

const ledgerOf = (system: LocalSystem, customerId: string) => new DynamoLedgerStore(documentClient(), system.tables.Ledger, deployedDueShards).get(customerId);

describe('a dispatcher that stops half-way', () => {
  it('after SES took a message, before recording it: the others are sent, and that one is recorded as sent, unconfirmed, never tried again', async () => {
    const { system, greetings, emails, tick } = await setUp('bug', undefined, { wrapOutbox: stoppingAt('markSent', (id) => id.includes('-a#')) });
    const logError = vi.spyOn(system.runtime('dispatcher').logger, 'error');
    await tick('2027-06-12T09:00:00Z', 1); // past the 10-minute claim lease
    expect(await greetings()).toEqual([
      ['a', 'sent', 'unconfirmed: handed to the mail service, then its dispatcher stopped before recording the result; never sent again (at most once)'],
      ['b', 'sent', null],
      ['c', 'sent', null],
    ]);
    expect((await emails()).length).toBe(3);
    expect(logError).toHaveBeenCalledWith('message failed with an unknown outcome; left claimed', expect.objectContaining({ error: 'the process stopped' }));
  });

  it('before handing a message over: the cap goes back, its claim lapses and it is sent once, by the next run', async () => {
    // What each claim of a's greeting got: the next run's tells that the message was taken from a run that stopped.
    const claimsOfA: unknown[] = [];
    const recordingClaims = (outbox: Outbox): Outbox =>
      Object.assign(Object.create(outbox) as Outbox, {
        claim: async (...args: Parameters<Outbox['claim']>) => {
          const claimed = await outbox.claim(...args);
          if (args[0].includes('-a#')) claimsOfA.push(claimed);
          return claimed;
        },
      });
    const { system, clock, prefix, greetings, emails } = await setUp('crash', undefined, { wrapOutbox: (outbox) => recordingClaims(stoppingAt('markHandedOver', (id) => id.includes('-a#'))(outbox)) });
    clock.set(new Date('2027-06-12T09:00:00Z'));
    await system.runDispatcher(); // claims a's greeting, takes the cap, then stops before the mail service
    expect((await greetings())[0]!.slice(0, 2)).toEqual(['a', 'sending']);
    expect((await ledgerOf(system, `${prefix}a`))?.lastCappedMessageId).toBeUndefined();
    clock.set(new Date('2027-06-12T09:05:00Z'));
    await system.runDispatcher(); // the lease still holds
    expect((await emails()).filter((email) => email.destination.to[0]!.startsWith(`${prefix}a`))).toHaveLength(0);
    clock.set(new Date('2027-06-12T09:10:00Z'));
    await system.runDispatcher(); // the lease has run out
    clock.set(new Date('2027-06-12T09:15:00Z'));
    await system.runDispatcher();
    expect((await greetings())[0]).toEqual(['a', 'sent', null]);
    expect(await emails()).toHaveLength(3);
    expect(claimsOfA).toEqual(['claimed', false, 'reclaimed']);
  });

  it('a run slower than its lease hands nothing over once the lease has run out: the message goes once, by a later run', async () => {
    let slowOnce = true;
    let clockRef: VirtualClock | undefined;
    // The run is slow between the claim and the send: by the time it would hand the message over, its lease has run out.
    const slow = (outbox: Outbox): Outbox =>
      Object.assign(Object.create(outbox) as Outbox, {
        claim: async (...args: Parameters<Outbox['claim']>) => {
          const taken = await outbox.claim(...args);
          if (taken && slowOnce && args[0].includes('-a#')) {
            slowOnce = false;
            clockRef!.set(new Date(clockRef!.now().getTime() + (defaultConfig.dispatcher.claimLeaseMinutes + 1) * 60_000));
          }
          return taken;
        },
      });
    const { system, clock, prefix, greetings, emails } = await setUp('slow', undefined, { wrapOutbox: slow });
    clockRef = clock;
    clock.set(new Date('2027-06-12T09:00:00Z'));
    await system.runDispatcher();
    expect((await emails()).filter((email) => email.destination.to[0]!.startsWith(`${prefix}a`))).toHaveLength(0);
    expect((await ledgerOf(system, `${prefix}a`))?.lastCappedMessageId).toBeUndefined();
    clock.set(new Date('2027-06-12T09:30:00Z'));
    await system.runDispatcher();
    expect((await greetings())[0]).toEqual(['a', 'sent', null]);
    expect((await emails()).filter((email) => email.destination.to[0]!.startsWith(`${prefix}a`))).toHaveLength(1);
  });

  it('a lease that runs out during a slow send: another run records it as sent, unconfirmed; the answer, when it comes, confirms it; one e-mail', async () => {
    const { system, clock, prefix, messages, emails } = await setUp('slowsend', () => forCustomer('a', () => faults.delay(3_000)));
    clock.set(new Date('2027-06-12T09:00:00Z'));
    const first = system.runDispatcher();
    // The first run's send of a's greeting is in flight (the proxy holds SES's answer).
    await eventually(async () => proxy.log.filter((entry) => entry.to[0] === `${prefix}a@example.com`).length, (count) => count === 1);
    clock.set(new Date(Date.parse('2027-06-12T09:00:00Z') + (defaultConfig.dispatcher.claimLeaseMinutes + 1) * 60_000));
    const second = await system.runDispatcher();
    expect(second.unconfirmed).toBe(1);
    await first;
    const greeting = (await messages()).find((m) => m.customerId === `${prefix}a` && m.campaign === 'birthday')!;
    expect([greeting.state, greeting.reason, typeof greeting.sesMessageId]).toEqual(['sent', null, 'string']);
    expect((await emails()).filter((email) => email.destination.to[0] === `${prefix}a@example.com`)).toHaveLength(1);
  });
});
