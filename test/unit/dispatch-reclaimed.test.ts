import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/core/calendar.js';
import { keepInTouchFor } from '../../functions/core/campaigns/keep-in-touch.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dispatchDue } from '../../functions/core/jobs/dispatch.js';
import { now, storesWith } from './dispatch-stores.js';

/**
 * A message whose run stopped after taking the customer's cap for it, before handing it to the mail
 * service: when its lease has run out the next run takes it again, and gives that cap back first.
 */
const keepInTouch = keepInTouchFor({ customerId: 'c-1', timeZone: 'UTC' }, addDays('2027-06-01', defaultConfig.cadence.maxDaysBetween), '2027-06-12', defaultConfig);

/** The stores as the stopped run left them: the message claimed with its lease run out, the cap taken for it on 12 June (it was last taken on 20 May). */
const leftByAStoppedRun = () => {
  const stores = storesWith([keepInTouch]);
  stores.messages.set(keepInTouch.messageId, { ...stores.messages.get(keepInTouch.messageId)!, state: 'sending', claimId: 'claim-of-the-stopped-run', claimedUntil: '2027-06-12T08:50:00.000Z' });
  stores.ledgers.set('c-1', { ...stores.ledgers.get('c-1')!, lastCappedDate: '2027-06-12', lastCappedMessageId: keepInTouch.messageId });
  return stores;
};

describe('a message taken again after its run stopped part-way', () => {
  it('gives back the cap the stopped run took for it when it ends unsent, so the customer’s next capped message is not held a week', async () => {
    // Prepare: a contact since the floor began (10 June), so the keep-in-touch is no longer needed.
    const stores = leftByAStoppedRun();
    stores.ledgers.set('c-1', { ...stores.ledgers.get('c-1')!, lastContactDate: '2027-06-10' });

    // Act
    const result = await dispatchDue(stores.depsFor(defaultConfig), now);

    // Assess
    expect(result.outcomes.cancelled).toBe(1);
    expect(stores.calls.releaseCap).toEqual([keepInTouch.messageId]);
    expect(stores.ledgers.get('c-1')?.lastCappedMessageId).toBeUndefined();
  });

  it('takes the cap afresh and sends when it goes now', async () => {
    // Prepare
    const stores = leftByAStoppedRun();

    // Act
    const result = await dispatchDue(stores.depsFor(defaultConfig), now);

    // Assess
    expect(result.outcomes.sent).toBe(1);
    expect(stores.calls.releaseCap).toEqual([keepInTouch.messageId]);
    expect(stores.calls.reserveCap).toEqual([keepInTouch.messageId]);
    expect(stores.ledgers.get('c-1')).toMatchObject({ lastCappedDate: '2027-06-12', lastCappedMessageId: keepInTouch.messageId });
  });

  it('leaves the cap alone for a message taken from waiting', async () => {
    const stores = storesWith([keepInTouch]);
    await dispatchDue(stores.depsFor(defaultConfig), now);
    expect(stores.calls.releaseCap).toEqual([]);
  });
});
