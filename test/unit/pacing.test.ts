import { describe, expect, it } from 'vitest';
import { FALLBACK_SEND_RATE, SendPacer, SendSchedule, sendRateOf, sendWorkers, unpaced, type PacingClock } from '../../functions/core/pacing.js';
import { cachedAccountSendRate } from '../../functions/adapters/ses-account.js';
import { forEachConcurrently } from '../../functions/core/concurrency.js';
import { mostInAnyWindow } from '../../functions/local/ses-fault-proxy.js';

/** A clock that only moves when something sleeps on it: each sleep ends at its own moment, earliest first. */
const fakeClock = (start = 1_000_000) => {
  let now = start;
  const sleepers: { until: number; wake: () => void }[] = [];
  const clock: PacingClock = {
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        sleepers.push({ until: now + ms, wake: resolve });
        sleepers.sort((a, b) => a.until - b.until);
      }),
  };
  /** Wakes sleepers one at a time until none is left (the work between sleeps runs on microtasks). */
  const run = async <T>(work: Promise<T>): Promise<T> => {
    let done = false;
    const result = work.finally(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = sleepers.shift();
      if (next) {
        now = Math.max(now, next.until);
        next.wake();
      }
    }
    return result;
  };
  return { clock, run, advance: (ms: number) => void (now += ms) };
};


describe('SendSchedule (pure)', () => {
  it('spaces starts evenly at the rate, never before the time asked', () => {
    // Prepare
    const schedule = new SendSchedule(4);
    // Act: eight asked for at once
    const starts = Array.from({ length: 8 }, () => schedule.reserve(0));
    // Assess
    expect(starts).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('after a quiet spell starts again at once, without a burst of the time it was idle', () => {
    const schedule = new SendSchedule(10);
    expect(schedule.reserve(0)).toBe(0);
    expect(schedule.reserve(5_000)).toBe(5_000);
    expect(schedule.reserve(5_000)).toBe(5_100);
  });

  it('lets up to `burst` go at once to make up time it was not kept up with, none at its first start', () => {
    const schedule = new SendSchedule(2, 3);
    expect(Array.from({ length: 3 }, () => schedule.reserve(0))).toEqual([0, 500, 1000]);
    expect(Array.from({ length: 4 }, () => schedule.reserve(5_000))).toEqual([5_000, 5_000, 5_000, 5_500]);
  });

  it.each([
    { rate: 14, burst: 1 },
    { rate: 100, burst: 1 },
    { rate: 7.5, burst: 4 },
  ])('never more than rate·t + burst starts in any window t ($rate/s, burst $burst), whenever they are asked for', ({ rate, burst }) => {
    // Prepare: requests at irregular moments, in clumps and gaps (a fixed pseudo-random sequence)
    const schedule = new SendSchedule(rate, burst);
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let t = 0;
    const starts: number[] = [];
    // Act
    for (let i = 0; i < 3_000; i++) {
      t += random() < 0.3 ? random() * 2_000 : 0;
      starts.push(schedule.reserve(t));
    }
    // Assess
    for (const windowMs of [1, 100, 1_000, 7_300, 60_000]) expect(mostInAnyWindow(starts, windowMs)).toBeLessThanOrEqual(Math.ceil((rate * windowMs) / 1000) + burst);
    expect(starts.every((start, i) => i === 0 || start >= starts[i - 1]!)).toBe(true);
  });

  it('refuses a rate that is not more than 0', () => {
    expect(() => new SendSchedule(0)).toThrow('a send rate must be more than 0 a second, not 0');
    expect(() => new SendSchedule(Number.NaN)).toThrow(RangeError);
  });
});

describe('SendPacer', () => {
  it('hands messages to SES evenly spaced across concurrent workers, on the clock it is given', async () => {
    // Prepare
    const { clock, run } = fakeClock();
    const pacer = new SendPacer({ perSecond: 20, source: 'account' }, clock, Infinity, { headroom: 0 });
    const starts: number[] = [];
    // Act: 100 messages, 8 at a time, each a little work before its turn
    await run(
      forEachConcurrently(
        Array.from({ length: 100 }, (_, i) => i),
        8,
        async () => {
          const ticket = pacer.admit()!;
          await ticket.turn();
          await ticket.send();
          starts.push(clock.now());
          ticket.close();
        },
      ),
    );
    // Assess: one every 50 ms, the run lasting 99 intervals
    const sorted = [...starts].sort((a, b) => a - b);
    expect(sorted.slice(1).map((start, i) => start - sorted[i]!)).toEqual(Array.from({ length: 99 }, () => 50));
    expect(mostInAnyWindow(starts, 1_000)).toBe(20);
    expect(pacer.sends).toBe(100);
  });

  it.each([{ rate: 1 }, { rate: 14 }, { rate: 100 }, { rate: 1000 }])('keeps 2 percent of the rate ($rate/s) unused: rate + 1 starts span 20 ms more than a second, for the delays on the way to SES', async ({ rate }) => {
    const { clock, run } = fakeClock();
    const pacer = new SendPacer({ perSecond: rate, source: 'account' }, clock);
    const starts: number[] = [];
    await run(
      forEachConcurrently(
        Array.from({ length: rate + 1 }, (_, i) => i),
        8,
        async () => {
          const ticket = pacer.admit()!;
          await ticket.turn();
          await ticket.send();
          starts.push(clock.now());
        },
      ),
    );
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(1020);
    expect(mostInAnyWindow(starts, 1_000)).toBeLessThanOrEqual(rate);
    expect(mostInAnyWindow(starts, 1_000)).toBeGreaterThanOrEqual(Math.floor(rate * 0.98));
  });

  it('after a stall, the messages waiting make up the time lost, never more than the rate in any second', async () => {
    // Prepare: twelve messages waiting for their turns at 10 a second
    const { clock, run, advance } = fakeClock(0);
    const pacer = new SendPacer({ perSecond: 10, source: 'account' }, clock, Infinity, { headroom: 0 });
    const starts: number[] = [];
    const turns = Array.from({ length: 14 }, () => pacer.admit()!).map((ticket) => ticket.turn().then(() => ticket.send()).then(() => starts.push(clock.now())));
    await new Promise((resolve) => setImmediate(resolve));
    // Act: the process stalls for 450 ms after the first send
    advance(450);
    await run(Promise.all(turns));
    // Assess: the four lost turns go at once when it wakes, then one every 100 ms; ten in any second, so the 11th waits
    expect(starts.slice(0, 6)).toEqual([0, 450, 450, 450, 450, 500]);
    expect(mostInAnyWindow(starts, 1_000)).toBe(10);
    expect(starts.at(-1)).toBe(1_450);
  });

  it('the wait is before the hand-over mark; after it only a short guard, which keeps the sends of any second within the rate however long the marks take', async () => {
    // Prepare: 40 messages at 10 a second, 8 at a time; between turn and send a hand-over mark that takes 0 to 280 ms
    const { clock, run } = fakeClock(0);
    const pacer = new SendPacer({ perSecond: 10, source: 'account' }, clock, Infinity, { headroom: 0 });
    const sends: number[] = [];
    const guardWaits: number[] = [];
    // Act
    await run(
      forEachConcurrently(
        Array.from({ length: 40 }, (_, i) => i),
        8,
        async (i) => {
          const ticket = pacer.admit()!;
          await ticket.turn();
          await clock.sleep((i * 7919) % 281); // the mark's write, as slow as it happens to be
          const marked = clock.now();
          await ticket.send();
          guardWaits.push(clock.now() - marked);
          sends.push(clock.now());
        },
      ),
    );
    // Assess: never more than the rate in any second of sends; most sends do not wait after the mark, none for long
    expect(mostInAnyWindow(sends, 1_000)).toBeLessThanOrEqual(10);
    expect(guardWaits.filter((wait) => wait === 0).length).toBeGreaterThan(20);
    expect(Math.max(...guardWaits)).toBeLessThanOrEqual(300);
  });

  it('admits no message whose send could not start before the run must stop, counting those already admitted', async () => {
    const { clock } = fakeClock(0);
    const pacer = new SendPacer({ perSecond: 10, source: 'configuration' }, clock, 1_000, { headroom: 0 });
    // Ten fit in the second (0, 100, … 900 ms); an eleventh would start at 1000.
    const tickets = Array.from({ length: 12 }, () => pacer.admit());
    expect(tickets.filter(Boolean)).toHaveLength(10);
    expect(tickets.slice(10)).toEqual([undefined, undefined]);
  });

  it('a message that ends without a send gives its place back, and takes no start', async () => {
    const { clock } = fakeClock(0);
    const pacer = new SendPacer({ perSecond: 10, source: 'configuration' }, clock, 1_000, { headroom: 0 });
    const tickets = Array.from({ length: 10 }, () => pacer.admit()!);
    expect(pacer.admit()).toBeUndefined();
    tickets[3]!.close(); // expired, say
    tickets[3]!.close(); // twice changes nothing
    expect(pacer.admit()).toBeDefined();
    expect(pacer.admit()).toBeUndefined();
    expect(pacer.sends).toBe(0);
  });

  it('unpaced: everything admitted, nothing waits', async () => {
    const pacer = unpaced();
    const tickets = Array.from({ length: 10_000 }, () => pacer.admit());
    expect(tickets.every(Boolean)).toBe(true);
    await Promise.all(tickets.map(async (ticket) => (await ticket!.turn(), await ticket!.send())));
    expect(pacer.rate).toEqual({ perSecond: Infinity, source: 'unpaced' });
  });
});

describe('the run rate', () => {
  it('sets how many messages go at once: enough for a quarter second each at the rate, 8 at least, 64 at most', () => {
    expect([1, 14, 32, 100, 200, 1000, Infinity].map((perSecond) => sendWorkers({ perSecond, source: 'account' }))).toEqual([8, 8, 8, 25, 50, 64, 8]);
  });

  it('is the configuration override when set, and the account is not asked', async () => {
    let asked = 0;
    const account = async () => (asked++, { perSecond: 14, source: 'account' as const });
    expect(await sendRateOf(50, account)).toEqual({ perSecond: 50, source: 'configuration' });
    expect(asked).toBe(0);
    expect(await sendRateOf(null, account)).toEqual({ perSecond: 14, source: 'account' });
  });

  it("the account's is read once per 5 minutes; a failed read falls back to 1 a second, says why, and is tried again after a minute", async () => {
    // Prepare
    let now = 0;
    const answers: (number | Error)[] = [14, new Error('AccessDeniedException'), 100];
    let reads = 0;
    const read = async () => {
      const answer = answers[reads++]!;
      if (answer instanceof Error) throw Object.assign(answer, { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
      return answer;
    };
    const fallbacks: string[] = [];
    const rate = cachedAccountSendRate(read, () => now, (reason) => fallbacks.push(reason));
    // Act / Assess
    expect(await rate()).toEqual({ perSecond: 14, source: 'account' });
    now = 4 * 60_000;
    expect(await rate()).toEqual({ perSecond: 14, source: 'account' });
    expect(reads).toBe(1);
    now = 5 * 60_000;
    expect(await rate()).toEqual({ perSecond: FALLBACK_SEND_RATE, source: 'fallback' });
    expect(fallbacks).toEqual(['AccessDeniedException (HTTP 403): AccessDeniedException']);
    now += 59_000;
    expect(await rate()).toEqual({ perSecond: 1, source: 'fallback' });
    now += 1_000;
    expect(await rate()).toEqual({ perSecond: 100, source: 'account' });
    expect(reads).toBe(3);
  });
});
