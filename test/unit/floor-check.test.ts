import { describe, expect, it } from 'vitest';
import { bandNarrowed, reachOf, readableFloorCheck, widerReach } from '../../functions/core/cadence.js';
import { addDays } from '../../functions/core/calendar.js';
import { keepInTouchFor } from '../../functions/core/campaigns/keep-in-touch.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { dispatchDue } from '../../functions/core/jobs/dispatch.js';
import { now, storesWith } from './dispatch-stores.js';

/** The floor planner reads a day ahead of UTC: a floor check it has already read would never be read again. */
describe('a floor check set now', () => {
  it('goes no earlier than two days after today in UTC', () => {
    expect(readableFloorCheck('2027-06-13', now)).toBe('2027-06-14');
    expect(readableFloorCheck('2027-07-05', now)).toBe('2027-07-05');
  });

  it('after a send in a narrow band (a floor a day past the cap) is still one the planner reads', async () => {
    // Prepare: cap 7 days, floor 8: the check after a contact would be the next day, already read.
    const narrow: RetentionConfig = { ...defaultConfig, cadence: { ...defaultConfig.cadence, minDaysBetween: 7, maxDaysBetween: 8 } };
    const message = keepInTouchFor({ customerId: 'c-1', timeZone: 'UTC' }, addDays('2027-06-05', 8), '2027-06-12', narrow);
    const stores = storesWith([message]);

    // Act
    const result = await dispatchDue(stores.depsFor(narrow), now);

    // Assess
    expect(result.outcomes.sent).toBe(1);
    expect(stores.ledgers.get('c-1')).toMatchObject({ lastContactDate: '2027-06-12', floorCheckDate: '2027-06-14' });
  });
});

describe('a narrower cadence band', () => {
  // Under the shipped band (cap 7, floor 30) a contact's floor check is 23 days on.
  const shipped = { minDaysBetween: 7, maxDaysBetween: 30 };
  it.each([
    ['a shorter floor', true, { minDaysBetween: 7, maxDaysBetween: 21 }],
    ['a longer cap: the check 20 days on', true, { minDaysBetween: 10, maxDaysBetween: 30 }],
    ['a longer floor and a longer cap, the check 20 days on', true, { minDaysBetween: 40, maxDaysBetween: 60 }],
    ['a longer floor', false, { minDaysBetween: 7, maxDaysBetween: 45 }],
    ['a shorter cap: the check 26 days on', false, { minDaysBetween: 4, maxDaysBetween: 30 }],
    ['both longer by the same, the check 23 days on', false, { minDaysBetween: 10, maxDaysBetween: 33 }],
    ['the same band', false, shipped],
  ] as const)('%s, narrower: %s', (_, narrowed, band) => {
    expect(bandNarrowed(reachOf(shipped), band)).toBe(narrowed);
  });

  it('is judged against the widest of the bands since: a floor widened to 45 days and set back to 30 leaves checks up to 38 days on', () => {
    const since = widerReach(reachOf(shipped), reachOf({ minDaysBetween: 7, maxDaysBetween: 45 }));
    expect(since).toEqual({ maxDaysBetween: 45, daysToFloorCheck: 38 });
    expect(bandNarrowed(since, shipped)).toBe(true);
    expect(bandNarrowed(since, { minDaysBetween: 7, maxDaysBetween: 45 })).toBe(false);
  });
});
