import { DateTime, IANAZone } from 'luxon';

/**
 * Local-calendar arithmetic. Everything the product promises about dates ("on their birthday",
 * "at 09:00", "7 days apart") is about the customer's own calendar, so it is computed here, in
 * their IANA zone, and nowhere else.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;
/** A wall-clock time, `HH:mm`. */
export type LocalTime = string;

export type LeapDayPolicy = 'feb28' | 'mar1' | 'skip';

export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

const localDateTime = (date: LocalDate, time: LocalTime, timeZone: string): DateTime => {
  const [hour, minute] = time.split(':').map(Number);
  // Luxon moves a wall time that falls in a spring-forward gap forward by the gap, which is what a person expects.
  return DateTime.fromISO(date, { zone: timeZone }).set({ hour, minute, second: 0, millisecond: 0 });
};

/** The UTC instant of a wall-clock time on a local date, in a zone. */
export const instantAt = (date: LocalDate, time: LocalTime, timeZone: string): Date =>
  localDateTime(date, time, timeZone).toJSDate();

/** The first instant of the next local day: the exclusive end of `date` in that zone. */
export const endOfLocalDay = (date: LocalDate, timeZone: string): Date =>
  DateTime.fromISO(date, { zone: timeZone }).plus({ days: 1 }).startOf('day').toJSDate();

export const localDateOf = (instant: Date, timeZone: string): LocalDate =>
  DateTime.fromJSDate(instant, { zone: timeZone }).toISODate()!;

export const localTimeOf = (instant: Date, timeZone: string): LocalTime =>
  DateTime.fromJSDate(instant, { zone: timeZone }).toFormat('HH:mm');

/** An instant moved by hours and local calendar days in a zone: `days` keep the wall time across daylight-saving changes. */
export const later = (instant: Date, by: { readonly hours?: number; readonly days?: number }, timeZone: string): Date =>
  DateTime.fromJSDate(instant, { zone: timeZone }).plus({ hours: by.hours ?? 0 }).plus({ days: by.days ?? 0 }).toJSDate();

export const addDays = (date: LocalDate, days: number): LocalDate =>
  DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: LocalDate, to: LocalDate): number =>
  Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);

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

/** Is `--MM-DD` or `YYYY-MM-DD` a real calendar date (29 February allowed when the year is unknown or leap)? */
export const isValidBirthday = (birthday: string): boolean => {
  const match = /^(?:(\d{4})|-)-(\d{2})-(\d{2})$/.exec(birthday);
  if (!match) return false;
  const year = match[1] === undefined ? 2000 : Number(match[1]); // 2000 is leap: --02-29 is a real birthday
  return DateTime.fromObject({ year, month: Number(match[2]), day: Number(match[3]) }).isValid;
};

export const isValidLocalDate = (date: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(date) && DateTime.fromISO(date).isValid;
