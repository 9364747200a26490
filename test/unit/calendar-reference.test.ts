import fc from 'fast-check';
import { DateTime, IANAZone, Settings } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  endOfLocalDay,
  instantAt,
  isValidBirthday,
  isValidLocalDate,
  isValidTimeZone,
  later,
  localDateOf,
  localTimeOf,
  longDate,
  type LocalDate,
} from '../../functions/core/calendar.js';

/**
 * functions/core/calendar.ts against luxon, the library it replaced (kept as a development dependency
 * for this check only), in every zone the runtime knows. Random instants alone would seldom meet a
 * change of offset, where the arithmetic can go wrong, so most cases are drawn around the changes
 * of a zone's year, which luxon finds.
 */

const zones = Intl.supportedValuesOf('timeZone');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// luxon reads a date's midnight at the offset of "now" first: a fixed now keeps its answers the same from run to run.
const realNow = Settings.now;
beforeAll(() => {
  Settings.now = () => Date.UTC(2026, 11, 1, 12);
});
afterAll(() => {
  Settings.now = realNow;
});

const offsetAt = (zone: string, ms: number) => DateTime.fromMillis(ms, { zone }).offset;

/** The instants at which a zone's offset changed in a year (two changes within a week count as none), to the minute, by luxon. */
const changesCache = new Map<string, number[]>();
const WEEK_MS = 7 * DAY_MS;
const offsetChanges = (zone: string, year: number): number[] => {
  const key = `${zone} ${year}`;
  let changes = changesCache.get(key);
  if (!changes) {
    changes = [];
    for (let week = Date.UTC(year, 0, 1); week < Date.UTC(year + 1, 0, 1); week += WEEK_MS) {
      if (offsetAt(zone, week) === offsetAt(zone, week + WEEK_MS)) continue;
      let [low, high] = [week, week + WEEK_MS];
      while (high - low > 60_000) {
        const middle = low + Math.floor((high - low) / 120_000) * 60_000;
        if (offsetAt(zone, middle) === offsetAt(zone, low)) low = middle;
        else high = middle;
      }
      changes.push(high);
    }
    changesCache.set(key, changes);
  }
  return changes;
};

/** An instant within six hours of one of a zone's changes of offset (or anywhere in the year when it has none). */
const nearAChange = fc
  .record({
    zone: fc.constantFrom(...zones),
    year: fc.integer({ min: 1970, max: 2037 }),
    pick: fc.nat(),
    minutes: fc.integer({ min: -6 * 60, max: 6 * 60 }),
    anywhere: fc.integer({ min: 0, max: 365 * DAY_MS }),
  })
  .map(({ zone, year, pick, minutes, anywhere }) => {
    const changes = offsetChanges(zone, year);
    const instant = changes.length > 0 ? changes[pick % changes.length]! + minutes * 60_000 : Date.UTC(year, 0, 1) + anywhere;
    return { zone, instant };
  });
const anyInstant = fc.record({ zone: fc.constantFrom(...zones), instant: fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }) });
const instants = fc.oneof({ arbitrary: nearAChange, weight: 4 }, { arbitrary: anyInstant, weight: 1 });

/** A wall time on a local date near a change (its date and the hour and minute luxon reads there), in a zone. */
const wallTimes = fc.tuple(instants, fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, 15, 30, 59)).map(([{ zone, instant }, hours, minute]) => {
  const wall = DateTime.fromMillis(instant + hours * HOUR_MS, { zone });
  return { zone, date: wall.toISODate()!, time: `${String(wall.hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
});

const runs = { numRuns: 1500 };

const WALL = 'yyyy-MM-dd HH:mm:ss';
/**
 * `instant` is luxon's answer, or, where the wall time came twice (the clocks went back over it) and
 * luxon took the second, the first: luxon picks between the two by an offset it guessed (for a
 * date's midnight, the offset of the moment the test runs), calendar.ts always takes the first.
 */
const expectSameOrFirstOfTwo = (instant: Date, reference: DateTime, zone: string) => {
  if (instant.getTime() === reference.toMillis()) return;
  expect(instant.getTime()).toBeLessThan(reference.toMillis());
  expect(DateTime.fromJSDate(instant, { zone }).toFormat(WALL)).toBe(reference.toFormat(WALL));
};

describe('calendar.ts gives what luxon gives', () => {
  it("an instant's local date and time", () => {
    fc.assert(
      fc.property(instants, ({ zone, instant }) => {
        const reference = DateTime.fromMillis(instant, { zone });
        expect([localDateOf(new Date(instant), zone), localTimeOf(new Date(instant), zone)]).toEqual([reference.toISODate(), reference.toFormat('HH:mm')]);
      }),
      runs,
    );
  });

  it('the instant of a wall time, where the clocks go forward or back too', () => {
    fc.assert(
      fc.property(wallTimes, ({ zone, date, time }) => {
        const [hour, minute] = time.split(':').map(Number);
        const reference = DateTime.fromISO(date, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
        expectSameOrFirstOfTwo(instantAt(date, time, zone), reference, zone);
      }),
      runs,
    );
  });

  it('the end of a local day', () => {
    fc.assert(
      fc.property(instants, ({ zone, instant }) => {
        const date = DateTime.fromMillis(instant, { zone }).toISODate()!;
        const reference = DateTime.fromISO(date, { zone }).plus({ days: 1 }).startOf('day');
        expectSameOrFirstOfTwo(endOfLocalDay(date, zone), reference, zone);
      }),
      runs,
    );
  });

  it('an instant moved by hours and by local days', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 72 }), fc.integer({ min: -400, max: 400 }), ({ zone, instant }, hours, days) => {
        // Half the time from `days` before, so that the move lands near the change.
        const start = days % 2 === 0 ? instant : DateTime.fromMillis(instant, { zone }).minus({ days }).toMillis();
        const reference = DateTime.fromMillis(start, { zone }).plus({ hours }).plus({ days });
        const moved = later(new Date(start), { hours, days }, zone).getTime();
        if (moved === reference.toMillis()) return;
        // Where they differ, the wall time `days` on must have come twice, or luxon guessed its offset
        // wrong (it reads a wall time at the offset of a moment it picks): calendar.ts's answer is that
        // wall time, and, when it came twice, the reading at the start's offset, else the first.
        const wallOf = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat(WALL);
        const from = DateTime.fromMillis(start + hours * HOUR_MS, { zone });
        const target = from.setZone('UTC', { keepLocalTime: true }).plus({ days }).toFormat(WALL);
        expect(wallOf(moved)).toBe(target);
        if (wallOf(reference.toMillis()) === target) expect(DateTime.fromMillis(moved, { zone }).offset === from.offset || moved < reference.toMillis()).toBe(true);
      }),
      runs,
    );
  });

  const dates = fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9998, 11, 31) }).map((ms) => DateTime.fromMillis(ms, { zone: 'UTC' }).toISODate()!);

  it('calendar days added and counted', () => {
    fc.assert(
      fc.property(dates, dates, fc.integer({ min: -1000, max: 1000 }), (from, to, days) => {
        expect(addDays(from, days)).toBe(DateTime.fromISO(from, { zone: 'UTC' }).plus({ days }).toISODate());
        expect(daysBetween(from, to)).toBe(Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days));
      }),
      runs,
    );
    // The product's "never" (cadence.ts) lies at the very start of the calendar.
    expect(addDays('0000-01-01', 30)).toBe('0000-01-31');
  });

  it('which dates and birthdays are real', () => {
    const digits = (length: number) => fc.integer({ min: 0, max: 10 ** length - 1 }).map((n) => String(n).padStart(length, '0'));
    const candidates = fc.oneof(
      fc.tuple(digits(4), digits(2), digits(2)).map(([year, month, day]) => `${year}-${month}-${day}`),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.constantFrom(1900, 2000, 2023, 2024, 2100)).map(
        ([month, day, year]) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      ),
    );
    fc.assert(
      fc.property(candidates, (date) => {
        expect(isValidLocalDate(date)).toBe(DateTime.fromISO(date).isValid);
        const birthday = `-${date.slice(4)}`; // --MM-DD: a year that is not known
        const [month, day] = [Number(date.slice(5, 7)), Number(date.slice(8, 10))];
        expect([isValidBirthday(date), isValidBirthday(birthday)]).toEqual([DateTime.fromObject({ year: Number(date.slice(0, 4)), month, day }).isValid, DateTime.fromObject({ year: 2000, month, day }).isValid]);
      }),
      runs,
    );
    for (const bad of ['2027-1-01', '27-01-01', '2027/01/01', '2027-01-01T00:00', ' 2027-01-01', '']) expect(isValidLocalDate(bad)).toBe(false);
  });

  it('which time zones are known', () => {
    const names = fc.oneof(fc.constantFrom(...zones, 'UTC', 'utc', 'US/Eastern', 'EST5EDT', 'Etc/GMT+5', 'GMT', '+05:30', '-0800', 'Mars/Olympus', 'Europe/Nowhere', 'America/New_York ', ''), fc.string());
    fc.assert(
      fc.property(names, (zone) => {
        expect(isValidTimeZone(zone)).toBe(IANAZone.isValidZone(zone));
      }),
      runs,
    );
  });

  it('a date written out in full in a language', () => {
    const languages = fc.constantFrom('en', 'es', 'ro', 'en-GB', 'es-MX', 'fr', 'de', 'pt-BR', 'ja', 'ar');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), languages, (ms, locale) => {
        const date: LocalDate = DateTime.fromMillis(ms, { zone: 'UTC' }).toISODate()!;
        expect(longDate(date, locale)).toBe(DateTime.fromISO(date).setLocale(locale).toLocaleString(DateTime.DATE_FULL));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a wall time and its instant', () => {
  it('read back as the same wall time, unless the clocks skipped it, when it is moved on by the gap', () => {
    fc.assert(
      fc.property(wallTimes, ({ zone, date, time }) => {
        const instant = instantAt(date, time, zone);
        const [hour, minute] = time.split(':').map(Number);
        const asked = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hour, minute);
        const read = DateTime.fromJSDate(instant, { zone });
        // To the second: a few zones once had offsets of whole seconds (Monrovia's -00:44:30 until 1972).
        const got = Date.UTC(read.year, read.month - 1, read.day, read.hour, read.minute, read.second);
        // Moved on: by the size of the change that skipped it (the offset after minus the offset before).
        const gap = (offsetAt(zone, instant.getTime() + DAY_MS) - offsetAt(zone, instant.getTime() - DAY_MS)) * 60_000;
        expect(got === asked || (got - asked === gap && gap > 0)).toBe(true);
      }),
      runs,
    );
  });

  it('is the first of the two when the clocks went back over it', () => {
    // New York went back from 02:00 EDT to 01:00 EST on 7 November 2027: 01:30 came twice.
    expect(instantAt('2027-11-07', '01:30', 'America/New_York').toISOString()).toBe('2027-11-07T05:30:00.000Z');
    // Seven days back from 01:30 EST on 14 November is the second 01:30 of 7 November, the one at the same offset.
    expect(later(new Date('2027-11-14T06:30:00Z'), { days: -7 }, 'America/New_York').toISOString()).toBe('2027-11-07T06:30:00.000Z');
  });

  it('names an unknown zone', () => {
    expect(() => localDateOf(new Date(0), 'Mars/Olympus')).toThrow("unknown time zone 'Mars/Olympus'");
  });
});
