import { describe, expect, it } from 'vitest';
import { consentBlocks } from '../../functions/core/consent.js';
import type { Subscription } from '../../functions/core/preferences.js';
import type { Customer } from '../../functions/core/records.js';

const customer = (marketingOptIn: boolean): Customer => ({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'UTC', locale: 'en', tier: 'standard', loyaltyPoints: 0, marketingOptIn, createdAt: '2020-01-01T00:00:00Z' });
const chose = (receive: Subscription) => ({ customerId: 'c-1', receive, updatedAt: '2027-01-01T00:00:00Z' });

describe('consent at send time', () => {
  it.each([
    // class, profile opt-in, preference, reason
    ['marketing', true, undefined, null],
    ['marketing', false, undefined, 'the customer has no marketing consent'],
    ['marketing', true, 'marketing', null],
    ['marketing', true, 'service', 'the customer unsubscribed from marketing'],
    ['marketing', true, 'nothing', 'the customer unsubscribed from everything'],
    ['service', false, undefined, null],
    ['service', true, 'service', null],
    ['service', true, 'nothing', 'the customer unsubscribed from everything'],
  ] as const)('a %s message, opt-in %s, preference %s: %s', (messageClass, optIn, receive, reason) => {
    expect(consentBlocks({ messageClass }, customer(optIn), receive ? chose(receive) : undefined)).toBe(reason);
  });

  it('never lets the preference page grant marketing the business has no consent for', () => {
    expect(consentBlocks({ messageClass: 'marketing' }, customer(false), chose('marketing'))).toBe('the customer has no marketing consent');
  });
});
