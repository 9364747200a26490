import { describe, expect, it } from 'vitest';
import { complaintFollowUps } from '../../functions/core/campaigns/complaint-follow-up.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dispatchDue } from '../../functions/core/jobs/dispatch.js';
import { customerFromItem, recordKeyOf, type Complaint } from '../../functions/core/records.js';
import { now, profileOf, storesWith } from './dispatch-stores.js';

/**
 * A message whose record is there but does not read (its writer misspelt a field): whether the record
 * still calls for it cannot be told, so it is neither sent nor cancelled as if the record were gone. It
 * waits, retried as for a passing fault, and goes once the record is written again, mended.
 */
describe('a message whose record does not read', () => {
  it('waits for the record to be mended, then goes; it is not cancelled as if the record were gone', async () => {
    // Prepare: a complaint apology due now; the complaint rewritten with `Status` for `status`
    const complaint: Complaint = { type: 'complaint', complaintId: 'p-1', customerId: 'c-1', openedAt: '2027-06-10T09:00:00Z', status: 'open' };
    const apology = complaintFollowUps(complaint, customerFromItem(profileOf('c-1'), now), defaultConfig)[0]!;
    const { status: _, ...withoutStatus } = complaint;
    const misspelt = { ...withoutStatus, Status: 'open', recordKey: recordKeyOf(complaint) };
    const stores = storesWith([apology], [misspelt]);

    // Act
    const first = await dispatchDue(stores.depsFor(defaultConfig), now);

    // Assess: back to wait, saying why; nothing sent
    const waiting = stores.messages.get(apology.messageId)!;
    expect([waiting.state, waiting.reason]).toEqual(['planned', "waiting for its complaint record to read: complaint.Status: not a field of complaint; did you mean 'status'?"]);
    expect(first.outcomes).toMatchObject({ retrying: 1 });
    expect(stores.sentEmails).toEqual([]);

    // Act: the record written again, mended, and the run at the message's retry
    stores.items.set(`c-1|${recordKeyOf(complaint)}`, { ...complaint, recordKey: recordKeyOf(complaint) });
    const second = await dispatchDue(stores.depsFor(defaultConfig), new Date(waiting.sendAfter));

    // Assess
    expect(second.outcomes).toMatchObject({ sent: 1 });
    expect(stores.messages.get(apology.messageId)?.state).toBe('sent');
  });
});
