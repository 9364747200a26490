import { describe, expect, it } from 'vitest';
import { birthdayGreetingOn } from '../../functions/core/campaigns/birthday.js';
import { complaintFollowUps } from '../../functions/core/campaigns/complaint-follow-up.js';
import { NEVER } from '../../functions/core/cadence.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { dispatchDue } from '../../functions/core/jobs/dispatch.js';
import { heldOutReason, holdoutPlaceOf } from '../../functions/core/measurement/holdout.js';
import type { PlannedMessage } from '../../functions/core/messages.js';
import { customerFromItem, recordKeyOf, type Complaint } from '../../functions/core/records.js';
import { now, profileOf, storesWith } from './dispatch-stores.js';

/**
 * The dispatcher's holdout (SPEC.md, "Measuring retention") on in-memory ports: the rule is the
 * core's, the stores only keep what they are told. The Messages table's own writes (expiresAt on a
 * final end) are tested against DynamoDB Local (test/integration/holdout.test.ts).
 */

const salt = defaultConfig.measurement.salt;
/** The first ids `c-1`, `c-2`, … whose place is below (held out) or above (treated) 30 %. */
const idWhere = (held: boolean) => {
  for (let i = 1; ; i++) if (holdoutPlaceOf(`c-${i}`, salt) < 30 === held) return `c-${i}`;
};
const heldOutId = idWhere(true);
const treatedId = idWhere(false);
const withHoldout = (measurement: Partial<RetentionConfig['measurement']>, sending: Partial<RetentionConfig['sending']> = {}): RetentionConfig => ({
  ...defaultConfig,
  measurement: { ...defaultConfig.measurement, ...measurement },
  sending: { ...defaultConfig.sending, ...sending },
});
const at30 = withHoldout({ holdoutPercent: 30 });

const greetingFor = (customerId: string, timeZone = 'UTC'): PlannedMessage => birthdayGreetingOn(customerFromItem(profileOf(customerId, timeZone), now), '2027-06-12', defaultConfig.campaigns.birthday)!;
const complaintOf = (customerId: string): Complaint => ({ type: 'complaint', complaintId: 'p-1', customerId, openedAt: '2027-06-10T09:00:00Z', status: 'open' });

describe('the dispatcher and the holdout', () => {
  it('ends a held-out customer’s message heldOut with the reason, takes no cap, records no contact, sends nothing; a treated customer’s goes', async () => {
    // Prepare
    const held = greetingFor(heldOutId);
    const treated = greetingFor(treatedId);
    const { messages, ledgers, calls, sentEmails, depsFor } = storesWith([held, treated]);

    // Act
    const result = await dispatchDue(depsFor(at30), now);

    // Assess
    expect([messages.get(held.messageId)?.state, messages.get(held.messageId)?.reason]).toEqual(['heldOut', heldOutReason('birthday', at30.measurement)]);
    expect(heldOutReason('birthday', at30.measurement)).toContain('30 % holdout (measurement.holdoutPercent)');
    expect(messages.get(treated.messageId)?.state).toBe('sent');
    expect(sentEmails.map((email) => email.to)).toEqual([`${treatedId}@example.com`]);
    expect(calls.reserveCap).toEqual([treated.messageId]);
    expect(calls.recordContact).toEqual([treatedId]);
    expect(ledgers.get(heldOutId)).toMatchObject({ lastCappedDate: NEVER, lastContactDate: '2027-06-01' });
    expect(result.outcomes).toMatchObject({ sent: 1, heldOut: 1 });
    expect(result.byCampaign.birthday).toMatchObject({ sent: 1, heldOut: 1 });
    // It held a place in the customer's arrangement: their plan is made again, as after any unsent end.
    expect(calls.waitingFor).toEqual([heldOutId]);
  });

  it('reads the holdout from the configuration the run was given: the same message goes when the share is 0', async () => {
    // Prepare
    const held = greetingFor(heldOutId);
    const { messages, sentEmails, depsFor } = storesWith([held]);

    // Act
    await dispatchDue(depsFor(withHoldout({ holdoutPercent: 0 })), now);

    // Assess
    expect(messages.get(held.messageId)?.state).toBe('sent');
    expect(sentEmails).toHaveLength(1);
  });

  it('decides where the message would otherwise go: after the deadline and consent checks, before the marketing pause and the quiet hours', async () => {
    // Prepare: one greeting past its deadline, one whose customer is in quiet hours (Auckland, 21:00), one while marketing is paused.
    const late = { ...greetingFor(heldOutId), messageId: `${heldOutId}#birthday#late`, deadline: '2027-06-12T08:00:00.000Z' };
    const quiet = greetingFor(anotherHeldOutId(), 'Pacific/Auckland');
    const stores = storesWith([late, quiet]);
    const paused = storesWith([greetingFor(heldOutId)]);

    // Act
    await dispatchDue(stores.depsFor(at30), now);
    const pausedRun = await dispatchDue(paused.depsFor(withHoldout({ holdoutPercent: 30 }, { marketingPaused: true })), now);

    // Assess
    expect(stores.messages.get(late.messageId)?.state).toBe('expired');
    expect([stores.messages.get(quiet.messageId)?.state, stores.messages.get(quiet.messageId)?.sendAfter]).toEqual(['heldOut', quiet.dueAt]);
    expect(pausedRun.outcomes).toMatchObject({ heldOut: 1, paused: 0 });
    expect(stores.sentEmails).toEqual([]);
  });

  it('uses a campaign’s own share in place of the global one, and names it in the reason', async () => {
    // Prepare: nobody held out in general, everyone below 30 % held out of birthdays.
    const config = withHoldout({ holdoutPercent: 0, campaigns: { birthday: { holdoutPercent: 30 } } });
    const held = greetingFor(heldOutId);
    const { messages, depsFor } = storesWith([held]);

    // Act
    await dispatchDue(depsFor(config), now);

    // Assess
    expect(messages.get(held.messageId)?.reason).toBe(heldOutReason('birthday', config.measurement));
    expect(messages.get(held.messageId)?.reason).toContain('measurement.campaigns.birthday.holdoutPercent');
  });

  it('sends a complaint follow-up to a customer held out of every campaign', async () => {
    // Prepare
    const config = withHoldout({ holdoutPercent: 50 });
    const complaint = complaintOf(heldOutId);
    const apology = complaintFollowUps(complaint, customerFromItem(profileOf(heldOutId), now), config)[0]!;
    const { messages, sentEmails, depsFor } = storesWith([apology], [{ ...complaint, recordKey: recordKeyOf(complaint) }]);

    // Act
    const result = await dispatchDue(depsFor(config), now);

    // Assess
    expect(messages.get(apology.messageId)?.state).toBe('sent');
    expect(sentEmails.map((email) => email.to)).toEqual([`${heldOutId}@example.com`]);
    expect(result.outcomes.heldOut).toBe(0);
  });
});

/** A second held-out id (a greeting's id names its customer and year, so a second greeting needs a second customer). */
function anotherHeldOutId(): string {
  for (let i = 1; ; i++) if (`c-${i}` !== heldOutId && holdoutPlaceOf(`c-${i}`, salt) < 30) return `c-${i}`;
}
