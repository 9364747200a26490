import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrange } from '../../functions/core/arrange.js';
import { daysBetween, localDateOf, localTimeOf } from '../../functions/core/calendar.js';
import { firstCapSlot, firstSendableInstant, NEVER } from '../../functions/core/cadence.js';
import { defaultConfig } from '../../functions/core/config.js';

const zones = ['Etc/GMT+12', 'America/St_Johns', 'Europe/Madrid', 'Asia/Kathmandu', 'Pacific/Kiritimati'];
const base = Date.parse('2027-03-01T00:00:00Z');
const hour = 3_600_000;

const waitingMessages = fc.tuple(fc.constantFrom(...zones), fc.array(fc.record({
  priority: fc.constantFrom(10, 50, 80, 90),
  dueInHours: fc.integer({ min: 0, max: 40 * 24 }),
  windowHours: fc.integer({ min: 12, max: 30 * 24 }),
}), { minLength: 1, maxLength: 10 }));

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
        // A message that fits on its own is never dropped for ones of lower priority, however many: it
        // gives way only to one of equal or higher priority, and its reason names them.
        for (const r of result) {
          if (!('expire' in r)) continue;
          const dropped = messages.find((m) => m.messageId === r.messageId)!;
          const fitsAlone = firstSendableInstant(new Date(dropped.dueAt), timeZone, defaultConfig.cadence) < new Date(dropped.deadline);
          // One that does not (quiet hours cover its whole window) says so.
          if (!fitsAlone) expect(r.expire).toBe('no slot before its deadline: quiet hours');
          else if (lastCapped === NEVER) {
            const winners = slots.filter((kept) => kept.priority >= dropped.priority).map((kept) => kept.messageId);
            expect(winners).not.toEqual([]);
            const named = r.expire.replace(/^gave way under the weekly cap to /, '').split(', ');
            expect(new Set(named)).toEqual(new Set(winners));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps every message whenever some order of them keeps them all, for up to seven (every order tried here)', { timeout: 60_000 }, () => {
    const crowded = fc.array(fc.record({ priority: fc.constantFrom(10, 50, 80, 90), dueInDays: fc.integer({ min: 0, max: 45 }), windowHours: fc.integer({ min: 12, max: 25 * 24 }) }), { minLength: 6, maxLength: 7 });
    let allFit = 0;
    fc.assert(
      fc.property(crowded, (specs) => {
        const timeZone = 'Europe/Madrid';
        const now = new Date(base);
        const messages = specs.map((spec, i) => ({
          messageId: `m${i}`,
          priority: spec.priority,
          timeZone,
          dueAt: new Date(base + spec.dueInDays * 24 * hour + 9 * hour).toISOString(),
          deadline: new Date(base + spec.dueInDays * 24 * hour + (9 + spec.windowHours) * hour).toISOString(),
        }));
        // Some order in which each message, sent at its first slot after the one before, is inside its window.
        const someOrderFits = (left: readonly (typeof messages)[number][], previous: string): boolean =>
          left.length === 0 ||
          left.some((m) => {
            const due = new Date(m.dueAt);
            const slot = previous === NEVER ? firstSendableInstant(due, timeZone, defaultConfig.cadence) : firstCapSlot(due, previous, timeZone, defaultConfig.cadence);
            return slot < new Date(m.deadline) && someOrderFits(left.filter((other) => other !== m), localDateOf(slot, timeZone));
          });
        if (!someOrderFits(messages, NEVER)) return;
        allFit++;
        expect(arrange(messages, NEVER, now, defaultConfig).filter((r) => 'expire' in r)).toEqual([]);
      }),
      { numRuns: 200 },
    );
    // The property says something only for the sets where everything fits.
    expect(allFit).toBeGreaterThan(50);
  });
});
