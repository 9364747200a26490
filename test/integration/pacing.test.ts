import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { END_OF_RUN_MARGIN_MS } from '../../functions/handlers/dispatcher.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { faults, startSesFaultProxy, tokenBucket, type SesFaultProxy } from '../../functions/local/ses-fault-proxy.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { ONE_SENDER_RATE } from '../../functions/core/send-work.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

/**
 * The dispatcher paced to the SES account's rate, through the real handler, on DynamoDB Local and the SES
 * emulator behind the fault proxy. The proxy answers GetAccount with the account's quota and throttles as
 * SES does beyond it (a token bucket of the rate, a second's worth deep). The pacer runs on real time (a few
 * seconds in all); nothing else here waits.
 */

const RATE = 4;
let proxy: SesFaultProxy;
beforeAll(async () => {
  proxy = await startSesFaultProxy({ target: endpoints().sesEndpoint, account: { maxSendRate: RATE } });
});
afterAll(async () => proxy.close());

const documentClient = () => documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));

/** `count` customers whose birthday greetings are due on 12 June 09:00 UTC; SES throttles beyond RATE a second. */
const setUp = async (name: string, count: number, { config = defaultConfig, pacing = true }: { config?: RetentionConfig; pacing?: boolean } = {}) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
  const bucket = tokenBucket(RATE);
  proxy.reset();
  proxy.setRule(() => (bucket.take() ? undefined : faults.throttle()));
  const system = await LocalSystem.create({ ...endpoints(), sesEndpoint: proxy.url, tablePrefix: prefix, clock, config: async () => config, pacing });
  const data = Array.from({ length: count }, (_, i) => JSON.stringify({ type: 'customer', customerId: `${prefix}${i}`, email: `${prefix}${i}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: true }));
  await system.importText(data.join('\n'));
  await system.drainStreams();
  await system.runPlanner();
  clock.set(new Date('2027-06-12T09:00:00Z'));
  const greetings = async () => (await readAllMessages(documentClient(), system.tables.Messages)).filter((m) => m.campaign === 'birthday');
  const emails = () => emailsTo((to) => to.startsWith(prefix));
  return { system, greetings, emails };
};

describe('sends paced to the SES account rate', () => {
  it("a run at the account's rate (GetAccount) meets no throttle and sends every due message once", async () => {
    // Prepare
    const { system, greetings, emails } = await setUp('paced', 10);
    // Act
    const startedAt = Date.now();
    const result = await system.runDispatcher();
    const elapsed = Date.now() - startedAt;
    // Assess: at RATE a second, one sender (send-work.ts sendersFor) paced the whole run
    expect(system.invocations).toMatchObject({ dispatchCoordinator: 1, dispatcher: 1 });
    expect(result).toMatchObject({ sent: 10, held: 0, retrying: 0, failed: 0, unconfirmed: 0 });
    // SES's own measure: its bucket (RATE a second, a second's worth deep) throttled none. How many arrived in
    // any one second is not checked here: the pacer spaces its starts (test/unit/pacing.test.ts), but each
    // reaches the proxy after the loopback's delay, and on a busy machine two delays can differ by more than
    // the pacer's 20 ms headroom (CI saw 5 arrivals within a second at 4 a second, none throttled).
    expect(proxy.counters().faults).toEqual({ pass: 10 });
    // Ten sends, one every 250 ms: at least 2.25 s.
    expect(elapsed).toBeGreaterThanOrEqual(2_200);
    expect((await greetings()).map((m) => m.state)).toEqual(Array.from({ length: 10 }, () => 'sent'));
    const to = (await emails()).map((email) => email.destination.to[0]);
    expect(to).toHaveLength(10);
    expect(new Set(to).size).toBe(10);
  });

  it("the configured rate overrides the account's; unpaced, the same burst is throttled", async () => {
    // Prepare: the configuration keeps to 2 a second, below the account's 4
    const { system } = await setUp('override', 6, { config: { ...defaultConfig, sending: { ...defaultConfig.sending, maxSendRate: 2 } } });
    // Act
    const startedAt = Date.now();
    const result = await system.runDispatcher();
    // Assess: six at 2 a second take 2.5 s at least
    expect(result).toMatchObject({ sent: 6, retrying: 0 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_450);
    expect(proxy.counters().faults).toEqual({ pass: 6 });

    // Without pacing (the local runner's simulations; the dispatcher before it paced), ten at once meet SES's throttle.
    const unpaced = await setUp('unpaced', 10, { pacing: false });
    expect((await unpaced.system.runDispatcher()).retrying).toBeGreaterThan(0);
    expect(proxy.counters().faults.throttle).toBeGreaterThan(0);
  });

  it('an account above what one sender keeps up with gets a sender for each ONE_SENDER_RATE, the shards dealt among them, each message sent once', async () => {
    // Prepare: an account of 500 a second
    const { system, greetings, emails } = await setUp('senders', 12);
    proxy.setRule(() => undefined);
    proxy.setAccount({ maxSendRate: 500 });
    try {
      // Act
      const result = await system.runDispatcher();
      // Assess: three senders at 500 / 3 a second each
      expect(system.invocations).toMatchObject({ dispatchCoordinator: 1, dispatcher: Math.ceil(500 / ONE_SENDER_RATE) });
      expect(result).toMatchObject({ sent: 12, held: 0, taken: 0, retrying: 0 });
      expect((await greetings()).every((m) => m.state === 'sent')).toBe(true);
      expect(new Set((await emails()).map((email) => email.destination.to[0])).size).toBe(12);
    } finally {
      proxy.setAccount({ maxSendRate: RATE });
    }
  });

  it('a run claims only what it can send in its time; the rest waits untouched for the next run', async () => {
    // Prepare
    const { system, greetings, emails } = await setUp('stops', 10);
    const before = await greetings();
    // Act: a run whose Lambda has 1.6 s left beyond its margin: at most seven sends, one every 255 ms, fit
    // (fewer when the run's reads before its first send take long)
    const first = await system.runDispatcher(END_OF_RUN_MARGIN_MS + 1_600);
    // Assess
    expect(first.sent).toBeGreaterThanOrEqual(4);
    expect(first.sent).toBeLessThanOrEqual(7);
    expect(first).toMatchObject({ held: 10 - first.sent, retrying: 0, failed: 0 });
    const after = await greetings();
    const untouched = after.filter((m) => m.state !== 'sent');
    expect(untouched).toHaveLength(10 - first.sent);
    for (const message of untouched) expect(message).toEqual(before.find((m) => m.messageId === message.messageId));
    // The next run sends the rest, and nothing twice.
    const second = await system.runDispatcher();
    expect(second).toMatchObject({ sent: 10 - first.sent, held: 0, taken: 0 });
    expect((await emails()).length).toBe(10);
    expect(proxy.counters().faults).toEqual({ pass: 10 });
  });
});
