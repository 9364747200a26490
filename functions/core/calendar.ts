/**
 * Local-calendar arithmetic. Everything the product promises about dates ("on their birthday",
 * "at 09:00", "7 days apart") is about the customer's own calendar, so it is computed here, in
 * their IANA zone, and nowhere else. A zone's offsets are the runtime's (`Intl`, with the time-zone
 * database Node ships); this module only turns wall times into instants and back.
 * test/unit/calendar-reference.test.ts checks every function against luxon, in every zone and around
 * its changes of offset.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;
/** A wall-clock time, `HH:mm`. */
export type LocalTime = string;

export type LeapDayPolicy = 'feb28' | 'mar1' | 'skip';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const knownZones = new Set<string>();
/** Does the runtime know this IANA zone (or offset, `+05:30`)? */
export const isValidTimeZone = (zone: string): boolean => {
  if (!zone) return false;
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  knownZones.add(zone);
  return true;
};

// A wall time is held as the milliseconds whose UTC fields are its fields ("wall milliseconds"), so
// calendar arithmetic on it is plain arithmetic.

/** The wall milliseconds of a date and time; `setUTCFullYear` because `Date.UTC` reads years 0–99 as 1900–1999. */
const wallMs = (date: LocalDate, hour = 0, minute = 0): number => {
  const wall = new Date(0);
  wall.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return wall.getTime() + hour * HOUR_MS + minute * MINUTE_MS;
};

/** `YYYY-MM-DD` of wall milliseconds (years outside 0–9999 in ISO's extended form, as luxon writes them). */
const dateOfWall = (wall: number): LocalDate => {
  const iso = new Date(wall).toISOString();
  return iso.slice(0, iso.indexOf('T'));
};

// One formatter per zone: making an Intl.DateTimeFormat costs far more than using one.
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds, as `Intl` writes it: `GMT`, `GMT+05:45`, `GMT-00:44:30`. */
const offsetMs = (timeZone: string, instant: number): number => {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone '${timeZone}'`);
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const written = format.format(instant);
  const offset = /GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(written);
  if (!offset) return 0; // plain "GMT"
  const ms = Number(offset[2]) * HOUR_MS + Number(offset[3]) * MINUTE_MS + Number(offset[4] ?? 0) * 1000;
  return offset[1] === '-' ? -ms : ms;
};

const wallOf = (instant: number, timeZone: string): number => instant + offsetMs(timeZone, instant);

/**
 * The instant of a wall time in a zone. When the clocks went back and the wall time came twice, the
 * first (or the one at `preferredOffset`, when that is one of them); when they went forward over it,
 * the wall time moved on by the gap (02:30 → 03:30), which is what a person expects.
 */
const instantOfWall = (wall: number, timeZone: string, preferredOffset?: number): number => {
  // No zone changes its offset twice within a day: the offsets a day either side cover every reading.
  const before = offsetMs(timeZone, wall - DAY_MS);
  const offsets = [before, offsetMs(timeZone, wall), offsetMs(timeZone, wall + DAY_MS)];
  const readings = offsets.map((offset) => wall - offset).filter((instant) => wallOf(instant, timeZone) === wall);
  if (preferredOffset !== undefined && readings.includes(wall - preferredOffset)) return wall - preferredOffset;
  return readings.length > 0 ? Math.min(...readings) : wall - before;
};

/** The UTC instant of a wall-clock time on a local date, in a zone. */
export const instantAt = (date: LocalDate, time: LocalTime, timeZone: string): Date => {
  const [hour, minute] = time.split(':').map(Number);
  return new Date(instantOfWall(wallMs(date, hour, minute), timeZone));
};

/** The first instant of a local date in a zone. */
export const startOfLocalDay = (date: LocalDate, timeZone: string): Date => instantAt(date, '00:00', timeZone);

/** The first instant of the next local day: the exclusive end of `date` in that zone. */
export const endOfLocalDay = (date: LocalDate, timeZone: string): Date => startOfLocalDay(addDays(date, 1), timeZone);

export const localDateOf = (instant: Date, timeZone: string): LocalDate => dateOfWall(wallOf(instant.getTime(), timeZone));

export const localTimeOf = (instant: Date, timeZone: string): LocalTime => {
  const iso = new Date(wallOf(instant.getTime(), timeZone)).toISOString();
  return iso.slice(iso.indexOf('T') + 1, iso.indexOf('T') + 6);
};

/** An instant moved by hours and local calendar days in a zone: `days` keep the wall time across daylight-saving changes. */
export const later = (instant: Date, by: { readonly hours?: number; readonly days?: number }, timeZone: string): Date => {
  const moved = instant.getTime() + (by.hours ?? 0) * HOUR_MS;
  if (!by.days) return new Date(moved);
  // The same wall time `days` later, at the same offset when the wall time comes twice on that day.
  const offset = offsetMs(timeZone, moved);
  return new Date(instantOfWall(moved + offset + by.days * DAY_MS, timeZone, offset));
};

export const addDays = (date: LocalDate, days: number): LocalDate => dateOfWall(wallMs(date) + days * DAY_MS);

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: LocalDate, to: LocalDate): number => Math.round((wallMs(to) - wallMs(from)) / DAY_MS);

/** Every date from `from` to `to`, both included. */
export const datesFrom = (from: LocalDate, to: LocalDate): LocalDate[] => {
  const dates: LocalDate[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
};

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** `MM-DD` of a birthday given as `YYYY-MM-DD` or `--MM-DD` (year unknown). */
export const birthdayMonthDay = (birthday: string): string => birthday.slice(-5);

/**
 * The local date on which a birthday is celebrated in `year`, or null when it is not (a 29 February
 * birthday in a common year under the `skip` policy).
 */
export const birthdayInYear = (birthday: string, year: number, policy: LeapDayPolicy): LocalDate | null => {
  const monthDay = birthdayMonthDay(birthday);
  if (monthDay === '02-29' && !isLeapYear(year)) {
    if (policy === 'skip') return null;
    return `${year}-${policy === 'feb28' ? '02-28' : '03-01'}`;
  }
  return `${year}-${monthDay}`;
};

/** The birthday month-days celebrated on `date`: its own, plus `02-29` on the stand-in day of a common year. */
export const birthdayMonthDaysCelebratedOn = (date: LocalDate, policy: LeapDayPolicy): string[] => {
  const year = Number(date.slice(0, 4));
  const monthDays = [date.slice(5)];
  if (!isLeapYear(year) && birthdayInYear('--02-29', year, policy) === date) monthDays.push('02-29');
  return monthDays;
};

/** Is a `YYYY-MM-DD` string a real calendar date? A month or day out of range would roll over to another date. */
const isRealDate = (date: string): boolean => dateOfWall(wallMs(date)) === date;

/** Is `--MM-DD` or `YYYY-MM-DD` a real calendar date (29 February allowed when the year is unknown or leap)? */
export const isValidBirthday = (birthday: string): boolean => {
  const match = /^(?:(\d{4})|-)-(\d{2})-(\d{2})$/.exec(birthday);
  if (!match) return false;
  const year = match[1] ?? '2000'; // 2000 is leap: --02-29 is a real birthday
  return isRealDate(`${year}-${match[2]}-${match[3]}`);
};

export const isValidLocalDate = (date: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(date) && isRealDate(date);

/**
 * The locale a customer's dates are written in: their own when it is a variant of `language`, the
 * language of the e-mail, and Intl knows it (en-GB: "30 April 2027"); else that language ("April 30,
 * 2027"). Never another language's: a customer written to in English gets no French month.
 */
export const dateLocaleOf = (customerLocale: string, language: string): string => {
  if (customerLocale.split('-')[0]!.toLowerCase() !== language) return language;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(customerLocale)[0] ?? language;
  } catch {
    return language; // a tag our schema lets through but Intl refuses (en-US-US)
  }
};

// One formatter per locale: making an Intl.DateTimeFormat costs far more than using one.
const longDateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date written out in full in a language, as its people write it ("March 1, 2027", "1 de marzo de 2027"). */
export const longDate = (date: LocalDate, locale: string): string => {
  let format = longDateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
    longDateFormats.set(locale, format);
  }
  return format.format(wallMs(date));
};
