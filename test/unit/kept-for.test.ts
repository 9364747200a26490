import { describe, expect, it } from 'vitest';
import { keptFor } from '../../functions/adapters/kept-for.js';

/** A read that answers when told to: what it was asked, and the answers still to give. */
const controlledRead = () => {
  const pending: { resolve: (answer: string) => void; reject: (error: Error) => void }[] = [];
  let reads = 0;
  const read = () => {
    reads++;
    return new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { read, reads: () => reads, answer: (answer: string) => pending.shift()!.resolve(answer), fail: (message: string) => pending.shift()!.reject(new Error(message)) };
};

describe('an answer kept for a while (the configuration, the templates, the account’s send rate)', () => {
  it('is read once for callers that come while the read is on its way, and kept until its time is up', async () => {
    // Prepare
    const source = controlledRead();
    let now = 1_000;
    const kept = keptFor(source.read, () => now, () => 60_000);

    // Act
    const callers = [kept(), kept(), kept()];
    source.answer('first');
    const shared = await Promise.all(callers);
    now += 59_999;
    const withinTime = await kept();
    now += 1;
    const afterTime = kept();
    source.answer('second');

    // Assess
    expect(shared).toEqual(['first', 'first', 'first']);
    expect(withinTime).toBe('first');
    expect(await afterTime).toBe('second');
    expect(source.reads()).toBe(2);
  });

  it('does not keep a read that failed: every caller of it is told, and the next caller reads again', async () => {
    // Prepare
    const source = controlledRead();
    const kept = keptFor(source.read, () => 1_000, () => 60_000);

    // Act
    const failed = [kept(), kept()];
    source.fail('throttled');
    const outcomes = await Promise.allSettled(failed);
    const again = kept();
    source.answer('read again');

    // Assess
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : outcome.value))).toEqual(['throttled', 'throttled']);
    expect(await again).toBe('read again');
    expect(source.reads()).toBe(2);
  });

  it('keeps each answer as long as the answer says, and reads again when the clock goes back (a simulation started over)', async () => {
    // Prepare
    const source = controlledRead();
    let now = 10_000;
    const kept = keptFor(source.read, () => now, (answer) => (answer === 'fallback' ? 1_000 : 60_000));

    // Act
    const first = kept();
    source.answer('fallback');
    await first;
    now += 1_000;
    const afterFallback = kept();
    source.answer('account');
    await afterFallback;
    now = 5_000;
    const afterGoingBack = kept();
    source.answer('from the start');

    // Assess
    expect(await afterFallback).toBe('account');
    expect(await afterGoingBack).toBe('from the start');
    expect(source.reads()).toBe(3);
  });
});
