import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrange } from '../../functions/core/arrange.js';
import { daysBetween, localDateOf, localTimeOf } from '../../functions/core/calendar.js';
import { NEVER } from '../../functions/core/cadence.js';
import { defaultConfig } from '../../functions/core/config.js';

const zones = ['Etc/GMT+12', 'America/St_Johns', 'Europe/Madrid', 'Asia/Kathmandu', 'Pacific/Kiritimati'];
const base = Date.parse('2027-03-01T00:00:00Z');
const hour = 3_600_000;

const waitingMessages = fc.tuple(fc.constantFrom(...zones), fc.array(fc.record({
  priority: fc.constantFrom(10, 50, 80, 90),
  dueInHours: fc.integer({ min: 0, max: 40 * 24 }),
  windowHours: fc.integer({ min: 12, max: 30 * 24 }),
}), { minLength: 1, maxLength: 5 }));

describe('arrange (property)', () => {
  it('never breaks the cap, never sends before due or after the deadline, never in quiet hours', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(waitingMessages, fc.option(fc.integer({ min: -10, max: 0 }), { nil: undefined }), ([timeZone, specs], lastCappedOffset) => {
        const now = new Date(base);
        const lastCapped = lastCappedOffset === undefined ? NEVER : localDateOf(new Date(base + lastCappedOffset * 24 * hour), timeZone);
        const messages = specs.map((spec, i) => ({
          messageId: `m${i}`,
          priority: spec.priority,
          timeZone,
          dueAt: new Date(base + spec.dueInHours * hour).toISOString(),
          deadline: new Date(base + (spec.dueInHours + spec.windowHours) * hour).toISOString(),
        }));
        const result = arrange(messages, lastCapped, now, defaultConfig);
        const slots = result.flatMap((r) => ('sendAfter' in r ? [{ ...messages.find((m) => m.messageId === r.messageId)!, slot: r.sendAfter }] : [])).sort((a, b) => a.slot.getTime() - b.slot.getTime());
        let previous = lastCapped;
        for (const m of slots) {
          expect(m.slot.getTime()).toBeGreaterThanOrEqual(Date.parse(m.dueAt));
          expect(m.slot.getTime()).toBeLessThan(Date.parse(m.deadline));
          const time = localTimeOf(m.slot, timeZone);
          expect(time >= '09:00' && time < '20:00').toBe(true);
          const date = localDateOf(m.slot, timeZone);
          if (previous !== NEVER) expect(daysBetween(previous, date)).toBeGreaterThanOrEqual(defaultConfig.cadence.minDaysBetween);
          previous = date;
        }
        // A message that fits on its own, with nothing of equal or higher priority kept, is never dropped.
        for (const r of result) {
          if (!('expire' in r)) continue;
          const dropped = messages.find((m) => m.messageId === r.messageId)!;
          expect(slots.some((kept) => kept.priority >= dropped.priority) || lastCapped !== NEVER).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
