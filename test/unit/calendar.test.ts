import { describe, expect, it } from 'vitest';
import {
  birthdayInYear,
  birthdayMonthDaysCelebratedOn,
  endOfLocalDay,
  instantAt,
  isValidBirthday,
  localDateOf,
  localTimeOf,
} from '../../functions/core/calendar.js';

describe('09:00 on a local date, in UTC', () => {
  it.each([
    ['Etc/GMT+12', '2027-03-10', '2027-03-10T21:00:00.000Z'], // UTC−12
    ['Pacific/Pago_Pago', '2027-03-10', '2027-03-10T20:00:00.000Z'], // UTC−11
    ['America/St_Johns', '2027-01-10', '2027-01-10T12:30:00.000Z'], // UTC−3:30
    ['UTC', '2027-03-10', '2027-03-10T09:00:00.000Z'],
    ['Asia/Kolkata', '2027-03-10', '2027-03-10T03:30:00.000Z'], // UTC+5:30
    ['Asia/Kathmandu', '2027-03-10', '2027-03-10T03:15:00.000Z'], // UTC+5:45
    ['Australia/Adelaide', '2027-07-10', '2027-07-09T23:30:00.000Z'], // UTC+9:30 in winter
    ['Pacific/Chatham', '2027-07-10', '2027-07-09T20:15:00.000Z'], // UTC+12:45
    ['Pacific/Kiritimati', '2027-03-10', '2027-03-09T19:00:00.000Z'], // UTC+14: the day before in UTC
  ])('%s on %s is %s', (zone, date, expected) => {
    const instant = instantAt(date, '09:00', zone);
    expect(instant.toISOString()).toBe(expected);
    expect(localDateOf(instant, zone)).toBe(date);
    expect(localTimeOf(instant, zone)).toBe('09:00');
  });
});

describe('daylight saving', () => {
  it('keeps 09:00 local on the day clocks go forward and the day they go back', () => {
    // Europe/Madrid: forward 28 March 2027 (02:00 → 03:00), back 31 October 2027.
    expect(instantAt('2027-03-27', '09:00', 'Europe/Madrid').toISOString()).toBe('2027-03-27T08:00:00.000Z');
    expect(instantAt('2027-03-28', '09:00', 'Europe/Madrid').toISOString()).toBe('2027-03-28T07:00:00.000Z');
    expect(instantAt('2027-10-31', '09:00', 'Europe/Madrid').toISOString()).toBe('2027-10-31T08:00:00.000Z');
    // America/New_York: forward 14 March 2027, back 7 November 2027.
    expect(instantAt('2027-03-14', '09:00', 'America/New_York').toISOString()).toBe('2027-03-14T13:00:00.000Z');
    expect(instantAt('2027-11-07', '09:00', 'America/New_York').toISOString()).toBe('2027-11-07T14:00:00.000Z');
  });

  it('gives a 23-hour day and a 25-hour day their real length', () => {
    const start = (date: string) => instantAt(date, '00:00', 'Europe/Madrid').getTime();
    expect(endOfLocalDay('2027-03-28', 'Europe/Madrid').getTime() - start('2027-03-28')).toBe(23 * 3_600_000);
    expect(endOfLocalDay('2027-10-31', 'Europe/Madrid').getTime() - start('2027-10-31')).toBe(25 * 3_600_000);
  });

  it('moves a wall time inside the spring-forward gap to just after it', () => {
    // 02:30 does not exist in Madrid on 28 March 2027: it is 03:30 CEST.
    const instant = instantAt('2027-03-28', '02:30', 'Europe/Madrid');
    expect(localTimeOf(instant, 'Europe/Madrid')).toBe('03:30');
    expect(localDateOf(instant, 'Europe/Madrid')).toBe('2027-03-28');
  });

  it('takes the southern hemisphere the other way round (Adelaide goes forward in October)', () => {
    expect(instantAt('2027-10-03', '09:00', 'Australia/Adelaide').toISOString()).toBe('2027-10-02T22:30:00.000Z');
    expect(instantAt('2027-10-02', '09:00', 'Australia/Adelaide').toISOString()).toBe('2027-10-01T23:30:00.000Z');
  });
});

describe('birthdays on 29 February', () => {
  it.each([
    ['feb28', 2027, '2027-02-28'],
    ['mar1', 2027, '2027-03-01'],
    ['skip', 2027, null],
    ['feb28', 2028, '2028-02-29'],
    ['mar1', 2028, '2028-02-29'],
    ['skip', 2028, '2028-02-29'],
    ['feb28', 2100, '2100-02-28'], // 2100 is not a leap year
    ['feb28', 2000, '2000-02-29'], // 2000 is
  ] as const)('under %s in %i are celebrated on %s', (policy, year, expected) => {
    expect(birthdayInYear('1996-02-29', year, policy)).toBe(expected);
    expect(birthdayInYear('--02-29', year, policy)).toBe(expected);
  });

  it('are read by the planner on the stand-in day of a common year only', () => {
    expect(birthdayMonthDaysCelebratedOn('2027-02-28', 'feb28')).toEqual(['02-28', '02-29']);
    expect(birthdayMonthDaysCelebratedOn('2027-03-01', 'feb28')).toEqual(['03-01']);
    expect(birthdayMonthDaysCelebratedOn('2027-03-01', 'mar1')).toEqual(['03-01', '02-29']);
    expect(birthdayMonthDaysCelebratedOn('2027-02-28', 'skip')).toEqual(['02-28']);
    expect(birthdayMonthDaysCelebratedOn('2028-02-28', 'feb28')).toEqual(['02-28']);
    expect(birthdayMonthDaysCelebratedOn('2028-02-29', 'feb28')).toEqual(['02-29']);
  });
});

describe('birthdays with and without a year', () => {
  it.each(['1990-07-14', '--07-14', '--02-29', '2000-02-29', '1990-12-31'])('accepts %s', (birthday) => {
    expect(isValidBirthday(birthday)).toBe(true);
  });
  it.each(['1990-02-29', '--02-30', '1990-13-01', '07-14', '1990-7-14', '---07-14', '1990/07/14', '', '--0714'])('refuses %s', (birthday) => {
    expect(isValidBirthday(birthday)).toBe(false);
  });
  it('celebrates a year-unknown birthday every year on its day', () => {
    expect(birthdayInYear('--07-14', 2027, 'feb28')).toBe('2027-07-14');
    expect(birthdayInYear('--07-14', 2028, 'skip')).toBe('2028-07-14');
  });
});
