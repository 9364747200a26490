/**
 * `read`'s answer, kept for `ttlMs(answer)` milliseconds of `now` (the virtual clock in a simulation,
 * which may also go back: the answer is then read again). Callers that come while a read is on its way
 * share it: a function instance's concurrent runs (the local runner's senders start together) make one
 * read, not one each. A read that fails is not kept, so the next caller reads again.
 */
export const keptFor = <T>(read: () => Promise<T>, now: () => number, ttlMs: (answer: T) => number): (() => Promise<T>) => {
  let kept: { answer: Promise<T>; readAt: number; until: number } | undefined;
  return () => {
    const t = now();
    if (kept && t >= kept.readAt && t < kept.until) return kept.answer;
    const entry = { answer: read(), readAt: t, until: Number.POSITIVE_INFINITY };
    kept = entry;
    entry.answer.then(
      (answer) => {
        entry.until = t + ttlMs(answer);
      },
      () => {
        if (kept === entry) kept = undefined;
      },
    );
    return entry.answer;
  };
};
