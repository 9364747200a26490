import type { RetentionConfig } from '../config.js';
import type { CustomerStore, LedgerEntry, LedgerStore, Outbox, PlanOutcome } from '../ports.js';
import { floorCheckAfterContact } from '../cadence.js';
import { hasMarketingConsent, welcomesMarketing } from '../consent.js';
import { PREFERENCES_RECORD_KEY, preferencesFromItem } from '../preferences.js';
import { localDateOf } from '../calendar.js';
import { birthdayIndexKey, nextBirthdayGreeting } from '../campaigns/birthday.js';
import { InvalidRecordError } from '../errors.js';
import { customerFromItem, recordTypeOfKey, type Customer, type RecordType } from '../records.js';
import { contractChanged } from './contract-changed.js';
import type { RecordKey } from './current-record.js';
import { complaintChanged, interactionChanged, surveyAnswered } from './feedback-changed.js';
import { replanCustomer } from './replan-customer.js';
import { triggerGone } from '../campaigns/index.js';
import { isProvisionallyEnded } from '../customer-plan.js';

type RecordJob = (deps: CustomerChangedDeps, key: RecordKey, now: Date) => Promise<void>;

/** What each of a customer's other records plans when it is written: run again for them when the profile first comes. */
const recordJobs: Partial<Record<RecordType, RecordJob>> = {
  contract: contractChanged,
  complaint: complaintChanged,
  interaction: interactionChanged,
  surveyResponse: surveyAnswered,
};

/**
 * Those whose messages go at a local hour, run again when the customer moves to another time zone. Not a
 * survey answer's: its follow-up is timed from the answer, or from when it is planned when the answer
 * has no time, which would plan it afresh once the one sent has been deleted.
 */
const retimingJobs: Partial<Record<RecordType, RecordJob>> = { contract: contractChanged, complaint: complaintChanged, interaction: interactionChanged };

/** `recordsPlannedIn` while a customer's other records are still to be planned by a profile write. */
export const RECORDS_NOT_PLANNED = '';

/**
 * Which of a customer's other records a profile write plans, from the zone they were last planned in
 * (the ledger's `recordsPlannedIn`): every one when they never were, those timed in local hours when the
 * customer moved zone, none otherwise.
 */
const otherRecordJobs = (plannedIn: string | undefined, timeZone: string): Partial<Record<RecordType, RecordJob>> | undefined =>
  plannedIn === undefined || plannedIn === RECORDS_NOT_PLANNED ? recordJobs : plannedIn !== timeZone ? retimingJobs : undefined;

export interface CustomerChangedDeps {
  readonly customers: CustomerStore;
  readonly ledger: LedgerStore;
  readonly outbox: Outbox;
  readonly config: RetentionConfig;
}

/**
 * A customer profile was created or changed (import, or a business system writing the table), or
 * what the customer chose on the preference page or by unsubscribing (the stream runs this for it too).
 * Opens the customer's contact ledger, keeps the birthday index key in step with the profile, and plans or moves the next greeting when
 * it is already inside the planner's horizon (the daily planner will not read that date again); for a
 * new customer, or one in another time zone now, plans again what their other records call for.
 * The stream image only says which profile changed: this acts on the profile as it is now (a replayed
 * earlier version must not plan what a later one withdrew; see current-record.ts), and on nothing
 * when it is gone (an erased customer's old version opens no ledger and plans no greeting).
 * Throws InvalidRecordError for a profile that fails validation.
 */
export const customerChanged = async (
  deps: CustomerChangedDeps,
  key: RecordKey,
  now: Date,
): Promise<{ readonly indexKeyChanged: boolean; readonly greeting: PlanOutcome | 'none'; /** The ledger as the profile opened it; none without a profile. */ readonly ledger?: LedgerEntry }> => {
  // The profile and what the customer chose (one-click unsubscribe, the preference page), as they are now.
  const items = await deps.customers.getItems([key, { customerId: key.customerId, recordKey: PREFERENCES_RECORD_KEY }], { consistent: true });
  const item = items.get(`${key.customerId}|${key.recordKey}`) as Record<string, unknown> | undefined;
  if (item === undefined) return { indexKeyChanged: false, greeting: 'none' };
  let customer: Customer;
  try {
    customer = customerFromItem(item, now);
  } catch (error) {
    // Records written while the profile is invalid are skipped (their customer fails validation): the
    // profile that mends it is to plan them.
    if (error instanceof InvalidRecordError) await deps.ledger.setRecordsPlannedIn(key.customerId, RECORDS_NOT_PLANNED);
    throw error;
  }
  const marketing = welcomesMarketing(customer, preferencesFromItem(items.get(`${key.customerId}|${PREFERENCES_RECORD_KEY}`)));
  // Becoming a customer (or first being seen) counts as a contact: the floor runs from today.
  const today = localDateOf(now, customer.timeZone);
  // The floor is for customers marketing may reach: only they are in the floor planner's index (plan-floor.ts).
  const floorCheck = marketing ? floorCheckAfterContact(today, now, deps.config.cadence) : undefined;
  const before = await deps.ledger.get(customer.customerId);
  // A new customer's other records are still to be planned, until the loop below has planned them all; a
  // ledger opened before `recordsPlannedIn` was kept had them planned in its zone.
  const plannedIn = before === undefined ? RECORDS_NOT_PLANNED : before.recordsPlannedIn === undefined ? before.timeZone : undefined;
  const ledger = await deps.ledger.open(customer.customerId, today, floorCheck, { timeZone: customer.timeZone, marketingOptIn: marketing }, plannedIn);
  const indexKey = birthdayIndexKey(customer);
  const indexKeyChanged = item.birthdayMonthDay !== indexKey;
  if (indexKeyChanged) await deps.customers.setBirthdayIndexKey(customer.customerId, indexKey);
  const waiting = await deps.outbox.waitingFor(customer.customerId);
  // A greeting already waiting moves with a corrected birthday even beyond the horizon: its id is the
  // year's, so left on the old date it would be cancelled there and block the new date's for good.
  const beyond = nextBirthdayGreeting(customer, now, deps.config, { beyondHorizon: true });
  const greeting = nextBirthdayGreeting(customer, now, deps.config) ?? (waiting.some((m) => m.messageId === beyond?.messageId) ? beyond : null);
  // One cancelled when the birthday was changed away from its day comes back when it is changed back; one
  // suppressed while marketing could not reach the customer, when this write lets it again (still on the day).
  const reachableAgain = marketing && before?.marketingOptIn === false;
  const outcome = greeting === null ? 'none' : await deps.outbox.replan(greeting, now, { revive: reachableAgain ? ['cancelled', 'suppressed'] : ['cancelled'] });
  // A greeting left for a birthday the profile no longer has (corrected to a day already past this year)
  // ends now, with the reason the dispatcher would give on its day, instead of holding a slot until then.
  // Without consent it waits: the dispatcher suppresses it, saying so, unless consent comes back first.
  const ended = new Set<string>();
  for (const message of waiting) {
    if (message.campaign !== 'birthday' || message.messageId === greeting?.messageId || isProvisionallyEnded(message) || !hasMarketingConsent(customer)) continue;
    const gone = triggerGone(message, customer, deps.config, { now });
    if (gone !== null && (await deps.outbox.endWaiting(message.messageId, 'cancelled', gone, now))) ended.add(message.messageId);
  }
  const stillWaiting = waiting.filter((message) => !ended.has(message.messageId));
  // Always: a new customer's first floor is guarded from the start, and a changed zone, consent or birthday moves the plan.
  await replanCustomer(deps, customer.customerId, now, { ledger, ...(outcome === 'none' || outcome === 'unchanged' ? { waiting: stillWaiting } : {}) });
  // The customer's other records, planned again only when that can change what they plan: the customer
  // is new (a record written before its profile planned nothing, there was nobody to write to, and the
  // daily planner may have read its date already), or lives in another time zone now (reminders and
  // follow-ups go at local hours). Any other change of the profile, or a replay, leaves them be. Judged
  // by where the ledger says they were last planned, kept once they all were: a write that failed
  // half-way (Lambda retries it) is done again, though the ledger it opened is there now.
  const jobs = otherRecordJobs(ledger.recordsPlannedIn, customer.timeZone);
  if (jobs) {
    for (const recordKey of await deps.customers.recordKeysOf(customer.customerId)) {
      const job = jobs[recordTypeOfKey(recordKey) ?? 'customer'];
      try {
        await job?.(deps, { customerId: customer.customerId, recordKey }, now);
      } catch (error) {
        // That record's own fault, reported (and skipped) when it was written: the profile is not to blame.
        if (!(error instanceof InvalidRecordError)) throw error;
      }
    }
    await deps.ledger.setRecordsPlannedIn(customer.customerId, customer.timeZone);
  }
  return { indexKeyChanged, greeting: outcome, ledger };
};
