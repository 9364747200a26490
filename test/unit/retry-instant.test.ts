import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/core/calendar.js';
import { keepInTouchFor } from '../../functions/core/campaigns/keep-in-touch.js';
import { retryInstant, sendingEndsBy } from '../../functions/core/cadence.js';
import { defaultConfig } from '../../functions/core/config.js';
import { MailFailure } from '../../functions/core/errors.js';
import { dispatchDue } from '../../functions/core/jobs/dispatch.js';
import { now, storesWith } from './dispatch-stores.js';

/** When a message that failed for now is tried again: quiet hours as shipped, 20:00–09:00 local. */
const cadence = defaultConfig.cadence;
const at = (iso: string) => new Date(iso);

describe('sendingEndsBy', () => {
  it.each([
    ['a deadline inside sending hours: the deadline', '2027-06-12T15:00:00Z', 'UTC', '2027-06-12T15:00:00.000Z'],
    ['a deadline as quiet hours begin: 20:00', '2027-06-12T20:00:00Z', 'UTC', '2027-06-12T20:00:00.000Z'],
    ['a deadline at local midnight: 20:00 that evening', '2027-06-12T22:00:00Z', 'Europe/Madrid', '2027-06-12T18:00:00.000Z'],
    ['a deadline in the early morning: 20:00 the evening before', '2027-06-13T06:00:00Z', 'UTC', '2027-06-12T20:00:00.000Z'],
    ['a deadline as quiet hours end (09:00): 20:00 the evening before, nothing being sendable before it that morning', '2027-06-13T09:00:00Z', 'UTC', '2027-06-12T20:00:00.000Z'],
  ])('%s', (_, deadline, timeZone, expected) => {
    expect(sendingEndsBy(at(deadline), timeZone, cadence).toISOString()).toBe(expected);
  });
});

describe('retryInstant', () => {
  const deadline = at('2027-06-12T20:00:00Z');

  it('is the backoff when that is sendable and before the deadline', () => {
    expect(retryInstant(at('2027-06-12T12:05:00Z'), at('2027-06-12T12:00:00Z'), deadline, 'UTC', cadence)?.toISOString()).toBe('2027-06-12T12:05:00.000Z');
  });

  it('moves a backoff that ends in quiet hours to their end, when that is before the deadline', () => {
    expect(retryInstant(at('2027-06-13T07:00:00Z'), at('2027-06-13T03:00:00Z'), at('2027-06-14T00:00:00Z'), 'UTC', cadence)?.toISOString()).toBe('2027-06-13T09:00:00.000Z');
  });

  it('cuts a backoff that would pass the deadline to five minutes before sending ends, so the message is tried once more', () => {
    expect(retryInstant(at('2027-06-12T22:15:00Z'), at('2027-06-12T18:15:00Z'), deadline, 'UTC', cadence)?.toISOString()).toBe('2027-06-12T19:55:00.000Z');
    expect(retryInstant(at('2027-06-13T09:00:00Z'), at('2027-06-12T18:15:00Z'), at('2027-06-13T06:00:00Z'), 'UTC', cadence)?.toISOString()).toBe('2027-06-12T19:55:00.000Z');
  });

  it('is null once that last try has come: the message expires', () => {
    expect(retryInstant(at('2027-06-12T20:00:00Z'), at('2027-06-12T19:55:00Z'), deadline, 'UTC', cadence)).toBeNull();
  });
});

describe('a message held by an account fault late in its life', () => {
  it('is tried once more shortly before its deadline instead of expiring while there is time left', async () => {
    // Prepare: a keep-in-touch on its 7th attempt (the next backoff, 4 hours, would pass its deadline at 12:00).
    const message = { ...keepInTouchFor({ customerId: 'c-1', timeZone: 'UTC' }, addDays('2027-06-01', cadence.maxDaysBetween), '2027-06-12', defaultConfig), deadline: '2027-06-12T12:00:00.000Z' };
    const stores = storesWith([message]);
    stores.messages.set(message.messageId, { ...stores.messages.get(message.messageId)!, attempts: 7 });
    const deps = { ...stores.depsFor(defaultConfig), mailer: { send: async () => Promise.reject(new MailFailure('account', 'SendingPausedException: sending is paused')) } };

    // Act
    const result = await dispatchDue(deps, now);

    // Assess
    expect(result.outcomes.retrying).toBe(1);
    expect(stores.messages.get(message.messageId)).toMatchObject({ state: 'planned', sendAfter: '2027-06-12T11:55:00.000Z' });
  });
});
