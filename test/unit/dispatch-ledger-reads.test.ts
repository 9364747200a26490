import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/core/calendar.js';
import { complaintFollowUps } from '../../functions/core/campaigns/complaint-follow-up.js';
import { keepInTouchFor } from '../../functions/core/campaigns/keep-in-touch.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dispatchDue } from '../../functions/core/jobs/dispatch.js';
import { customerFromItem, recordKeyOf, type Complaint } from '../../functions/core/records.js';
import { now, profileOf, storesWith } from './dispatch-stores.js';

/**
 * What a dispatcher run knows of its customers' ledgers (a keep-in-touch asks whether its floor was
 * met since; a survey, when the last one went): one read of every such customer's ledger at the start
 * of the run, as their profiles are read, and a fresh one for a message that follows another of the
 * same customer's in the run, which may have just recorded a contact.
 */

// The ledgers of storesWith record a last contact on 1 June: the floor that follows starts then.
const floorLastDay = addDays('2027-06-01', defaultConfig.cadence.maxDaysBetween);
const keepInTouchOf = (customerId: string) => keepInTouchFor({ customerId, timeZone: 'UTC' }, floorLastDay, '2027-06-12', defaultConfig);

describe('the ledgers a dispatcher run reads', () => {
  it('reads every keep-in-touch customer’s ledger in one read at the start of the run, none per message, and sends them', async () => {
    // Prepare
    const messages = ['c-1', 'c-2', 'c-3'].map(keepInTouchOf);
    const stores = storesWith(messages);

    // Act
    const result = await dispatchDue(stores.depsFor(defaultConfig), now);

    // Assess
    expect(result.outcomes.sent).toBe(3);
    expect(stores.calls.ledgerReads).toEqual(['getMany c-1,c-2,c-3']);
  });

  it('reads nobody’s ledger when no message of the run asks for one', async () => {
    // Prepare
    const complaint: Complaint = { type: 'complaint', complaintId: 'p-1', customerId: 'c-1', openedAt: '2027-06-10T09:00:00Z', status: 'open' };
    const apology = complaintFollowUps(complaint, customerFromItem(profileOf('c-1'), now), defaultConfig)[0]!;
    const stores = storesWith([apology], [{ ...complaint, recordKey: recordKeyOf(complaint) }]);

    // Act
    const result = await dispatchDue(stores.depsFor(defaultConfig), now);

    // Assess
    expect(result.outcomes.sent).toBe(1);
    expect(stores.calls.ledgerReads).toEqual([]);
  });

  it('reads the ledger again for a keep-in-touch that follows another of the customer’s messages in the run: that one met the floor, so it is cancelled, not sent', async () => {
    // Prepare: a complaint apology (a service message, first by priority, no cap) and the keep-in-touch of the floor it meets, due together.
    const complaint: Complaint = { type: 'complaint', complaintId: 'p-1', customerId: 'c-1', openedAt: '2027-06-10T09:00:00Z', status: 'open' };
    const apology = complaintFollowUps(complaint, customerFromItem(profileOf('c-1'), now), defaultConfig)[0]!;
    const keepInTouch = keepInTouchOf('c-1');
    const stores = storesWith([keepInTouch, apology], [{ ...complaint, recordKey: recordKeyOf(complaint) }]);

    // Act
    const result = await dispatchDue(stores.depsFor(defaultConfig), now);

    // Assess
    expect(stores.messages.get(apology.messageId)?.state).toBe('sent');
    expect([stores.messages.get(keepInTouch.messageId)?.state, stores.messages.get(keepInTouch.messageId)?.reason]).toEqual(['cancelled', 'not needed: a message on 2027-06-12 met the floor it was for']);
    expect(stores.sentEmails).toHaveLength(1);
    expect(result.outcomes).toMatchObject({ sent: 1, cancelled: 1 });
    // The run's read, the keep-in-touch's fresh one, and the replanning's after the cancellation.
    expect(stores.calls.ledgerReads).toEqual(['getMany c-1', 'get c-1', 'get c-1']);
  });
});
