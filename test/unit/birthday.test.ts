import { describe, expect, it } from 'vitest';
import { birthdayGreetingOn, birthdayIndexKey, nextBirthdayGreeting } from '../../functions/core/campaigns/birthday.js';
import { defaultConfig, parseConfig } from '../../functions/core/config.js';
import type { Customer } from '../../functions/core/records.js';

const customer = (fields: Partial<Customer> = {}): Customer => ({
  type: 'customer',
  customerId: 'c-1',
  email: 'ana@example.com',
  timeZone: 'Europe/Madrid',
  locale: 'es',
  tier: 'gold',
  loyaltyPoints: 10,
  marketingOptIn: true,
  createdAt: '2020-01-01T00:00:00.000Z',
  birthday: '1990-03-15',
  ...fields,
});
const settings = defaultConfig.campaigns.birthday;

describe('a birthday greeting', () => {
  it('is due at 09:00 local on the birthday, until the end of that local day, one id per year', () => {
    expect(birthdayGreetingOn(customer(), '2027-03-15', settings)).toEqual({
      messageId: 'c-1#birthday#2027',
      customerId: 'c-1',
      campaign: 'birthday',
      occurrence: '2027',
      messageClass: 'marketing',
      priority: 80,
      countsTowardCap: true,
      dueAt: '2027-03-15T08:00:00.000Z',
      deadline: '2027-03-15T23:00:00.000Z',
      localDate: '2027-03-15',
      timeZone: 'Europe/Madrid',
    });
    expect(birthdayGreetingOn(customer(), '2027-03-14', settings)).toBeNull();
  });

  it('goes only to customers with marketing consent, and only they are indexed', () => {
    expect(birthdayGreetingOn(customer({ marketingOptIn: false }), '2027-03-15', settings)).toBeNull();
    expect(birthdayIndexKey(customer({ marketingOptIn: false }))).toBeUndefined();
    expect(birthdayIndexKey(customer({ birthday: undefined }))).toBeUndefined();
    expect(birthdayIndexKey(customer({ birthday: '--03-15' }))).toBe('03-15');
  });

  it('follows the configured send time and leap-day policy', () => {
    const config = parseConfig({ ...defaultConfig, campaigns: { ...defaultConfig.campaigns, birthday: { ...settings, sendAt: '10:30', leapDayPolicy: 'mar1' } } });
    const leapling = customer({ birthday: '--02-29' });
    expect(birthdayGreetingOn(leapling, '2027-02-28', config.campaigns.birthday)).toBeNull();
    expect(birthdayGreetingOn(leapling, '2027-03-01', config.campaigns.birthday)?.dueAt).toBe('2027-03-01T09:30:00.000Z');
  });
});

describe('the next greeting of a new or changed customer', () => {
  it('is this year’s while its local day has not ended, else next year’s', () => {
    // 15 March 2027, 23:30 in Madrid: still the birthday there.
    expect(nextBirthdayGreeting(customer(), new Date('2027-03-15T22:30:00Z'), defaultConfig)?.messageId).toBe('c-1#birthday#2027');
    // Half an hour later the day is over; next year's is beyond the horizon.
    expect(nextBirthdayGreeting(customer(), new Date('2027-03-15T23:00:00Z'), defaultConfig)).toBeNull();
    expect(nextBirthdayGreeting(customer({ birthday: '--01-10' }), new Date('2027-12-20T12:00:00Z'), defaultConfig)?.messageId).toBe('c-1#birthday#2028');
  });

  it('is left to the daily planner when it is beyond the look-ahead horizon', () => {
    const now = new Date('2027-01-01T12:00:00Z');
    expect(nextBirthdayGreeting(customer({ birthday: '1990-02-05' }), now, defaultConfig)?.localDate).toBe('2027-02-05'); // 35 days
    expect(nextBirthdayGreeting(customer({ birthday: '1990-02-06' }), now, defaultConfig)).toBeNull(); // 36 days
  });
});
