import { describe, expect, it } from 'vitest';
import { forEachCustomer, PlanningRun } from '../../functions/core/jobs/planning-window.js';

describe('forEachCustomer', () => {
  it("plans several customers at once, and one customer's items one after another, in their order", async () => {
    // Prepare: three customers, one with three items; each plan takes a few turns of the event loop
    const items = [
      { customerId: 'a', n: 1 },
      { customerId: 'b', n: 1 },
      { customerId: 'a', n: 2 },
      { customerId: 'c', n: 1 },
      { customerId: 'a', n: 3 },
    ];
    const events: string[] = [];
    let running = 0;
    let mostAtOnce = 0;

    // Act
    await forEachCustomer(items, (item) => item.customerId, async (item) => {
      events.push(`start ${item.customerId}${item.n}`);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      for (let turn = 0; turn < 3; turn++) await Promise.resolve();
      running--;
      events.push(`end ${item.customerId}${item.n}`);
    });

    // Assess
    expect(mostAtOnce).toBe(3);
    const ofA = events.filter((event) => event.endsWith('a1') || event.endsWith('a2') || event.endsWith('a3'));
    expect(ofA).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(events.filter((event) => event.startsWith('end'))).toHaveLength(items.length);
  });
});

describe('PlanningRun', () => {
  it('stops a run with less than its margin left, but only once it has planned a date', () => {
    // Prepare
    let left = 30_000;
    const run = new PlanningRun(() => left, 60_000);

    // Act and assess: nothing planned yet, so the run goes on however little time it has
    expect(run.mustStop()).toBe(false);
    run.planned();
    expect(run.mustStop()).toBe(true);
    left = 60_000;
    expect(run.mustStop()).toBe(false);
  });
});
