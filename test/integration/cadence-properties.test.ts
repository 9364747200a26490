import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { checkBand } from '../../functions/local/band-check.js';
import { simulate } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

const zones = ['Etc/GMT+12', 'Pacific/Honolulu', 'America/St_Johns', 'America/New_York', 'Europe/London', 'Europe/Madrid', 'Europe/Bucharest', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Adelaide', 'Pacific/Chatham', 'Pacific/Kiritimati'];
const monthDay = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([m, d]) => `${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const customer = fc.record({
  timeZone: fc.constantFrom(...zones),
  locale: fc.constantFrom('en', 'es', 'ro'),
  birthday: fc.option(fc.oneof(monthDay.map((md) => `1990-${md}`), monthDay.map((md) => `--${md}`), fc.constant('1996-02-29')), { nil: undefined }),
  marketingOptIn: fc.constantFrom(true, true, true, true, false),
  /** A later change: the birthday moves, on this day of the year. */
  changeOnDay: fc.option(fc.tuple(fc.integer({ min: 1, max: 360 }), monthDay), { nil: undefined }),
});

describe('the cadence band over a simulated year (property, real local stack)', () => {
  it('holds the cap, the floor and quiet hours, sends no id twice, and never lets a birthday expire', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(customer, { minLength: 2, maxLength: 4 }), async (customers) => {
        // Prepare
        const prefix = uniquePrefix('prop');
        const lines = customers.flatMap((c, i) => {
          const record = { type: 'customer', customerId: `${prefix}${i}`, email: `${prefix}${i}@example.com`, timeZone: c.timeZone, locale: c.locale, marketingOptIn: c.marketingOptIn, ...(c.birthday ? { birthday: c.birthday } : {}) };
          const change = c.changeOnDay && { ...record, birthday: `1985-${c.changeOnDay[1]}`, at: new Date(Date.parse('2027-01-01T00:00:00Z') + c.changeOnDay[0] * 86_400_000).toISOString() };
          return [record, ...(change ? [change] : [])].map((r) => JSON.stringify(r));
        });

        // Act
        const result = await simulate({ ...endpoints(), data: lines.join('\n'), start: new Date('2027-01-01T00:00:00Z'), days: 365, config: defaultConfig, tablePrefix: prefix });

        // Assess
        const band = checkBand(result.report, defaultConfig, result.floorSubjects);
        expect(band).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
        const expiredBirthdays = result.report.messages.filter((m) => m.campaign === 'birthday' && m.state === 'expired');
        expect(expiredBirthdays).toEqual([]);
        expect(result.parked).toEqual([]);
      }),
      { numRuns: 4, endOnFailure: true },
    );
  });
});
