import type { RetentionConfig } from '../config.js';
import type { CustomerStore, LedgerStore, Outbox, PlanOutcome } from '../ports.js';
import { floorOf } from '../cadence.js';
import { hasMarketingConsent } from '../consent.js';
import { localDateOf } from '../calendar.js';
import { birthdayIndexKey, nextBirthdayGreeting } from '../campaigns/birthday.js';
import { customerFromItem } from '../records.js';
import { readCurrent, type RecordKey } from './current-record.js';
import { replanCustomer } from './replan-customer.js';

export interface CustomerChangedDeps {
  readonly customers: CustomerStore;
  readonly ledger: LedgerStore;
  readonly outbox: Outbox;
  readonly config: RetentionConfig;
}

/**
 * A customer profile was created or changed (import, or a business system writing the table).
 * Opens the customer's contact ledger, keeps the birthday index key in step with the profile, and plans or moves the next greeting when
 * it is already inside the planner's horizon (the daily planner will not read that date again).
 * The stream image only says which profile changed: this acts on the profile as it is now (a replayed
 * earlier version must not plan what a later one withdrew; see current-record.ts), and on nothing
 * when it is gone (an erased customer's old version opens no ledger and plans no greeting).
 * Throws InvalidRecordError for a profile that fails validation.
 */
export const customerChanged = async (
  deps: CustomerChangedDeps,
  key: RecordKey,
  now: Date,
): Promise<{ readonly indexKeyChanged: boolean; readonly greeting: PlanOutcome | 'none' }> => {
  const item = (await readCurrent(deps.customers, key)).item;
  if (item === undefined) return { indexKeyChanged: false, greeting: 'none' };
  const customer = customerFromItem(item, now);
  // Becoming a customer (or first being seen) counts as a contact: the floor runs from today.
  const today = localDateOf(now, customer.timeZone);
  // The floor is for customers with marketing consent: only they are in the floor planner's index (plan-floor.ts).
  const floorCheck = hasMarketingConsent(customer) ? floorOf(today, deps.config.cadence).checkOn : undefined;
  const ledger = await deps.ledger.open(customer.customerId, today, floorCheck, { timeZone: customer.timeZone, marketingOptIn: customer.marketingOptIn });
  const indexKey = birthdayIndexKey(customer);
  const indexKeyChanged = item.birthdayMonthDay !== indexKey;
  if (indexKeyChanged) await deps.customers.setBirthdayIndexKey(customer.customerId, indexKey);
  const greeting = nextBirthdayGreeting(customer, now, deps.config);
  const outcome = greeting === null ? 'none' : await deps.outbox.replan(greeting, now);
  // Always: a new customer's first floor is guarded from the start, and a changed zone, consent or birthday moves the plan.
  await replanCustomer(deps, customer.customerId, now, { ledger });
  return { indexKeyChanged, greeting: outcome };
};
