import {
  addDays,
  birthdayInYear,
  birthdayMonthDay,
  endOfLocalDay,
  instantAt,
  localDateOf,
  type LocalDate,
} from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { messageIdOf, type PlannedMessage } from '../messages.js';
import { hasMarketingConsent } from '../consent.js';
import type { Customer } from '../records.js';

/**
 * Birthday greetings (SPEC.md): on the customer's local birthday from `sendAt`, until the end of
 * that local day, one per customer per year, only with marketing consent. 29 February follows
 * `leapDayPolicy` in common years.
 */

type BirthdaySettings = RetentionConfig['campaigns']['birthday'];

export const isEligibleForBirthday = (customer: Pick<Customer, 'birthday' | 'marketingOptIn'>): boolean =>
  customer.birthday !== undefined && hasMarketingConsent(customer);

/**
 * The value of the sparse `byBirthday` index key for a customer, or undefined to keep them out of it:
 * only customers who may get a greeting are indexed, so the planner never reads the others.
 */
export const birthdayIndexKey = (customer: Pick<Customer, 'birthday' | 'marketingOptIn'>): string | undefined =>
  isEligibleForBirthday(customer) ? birthdayMonthDay(customer.birthday!) : undefined;

/** The greeting for the birthday celebrated on `localDate`, or null when the customer has none that day. */
export const birthdayGreetingOn = (customer: Customer, localDate: LocalDate, settings: BirthdaySettings): PlannedMessage | null => {
  if (!settings.enabled || !isEligibleForBirthday(customer)) return null;
  const year = Number(localDate.slice(0, 4));
  if (birthdayInYear(customer.birthday!, year, settings.leapDayPolicy) !== localDate) return null;
  return {
    messageId: messageIdOf(customer.customerId, 'birthday', String(year)),
    customerId: customer.customerId,
    campaign: 'birthday',
    occurrence: String(year),
    messageClass: settings.class,
    priority: settings.priority,
    countsTowardCap: settings.countsTowardCap,
    dueAt: instantAt(localDate, settings.sendAt, customer.timeZone).toISOString(),
    deadline: endOfLocalDay(localDate, customer.timeZone).toISOString(),
    localDate,
    timeZone: customer.timeZone,
  };
};

/**
 * The customer's next greeting that can still go (its local day has not ended at `now`) and falls
 * within the planner's horizon (or anywhere, with `beyondHorizon`), or null. Used when a customer is
 * created or changes.
 */
export const nextBirthdayGreeting = (customer: Customer, now: Date, config: RetentionConfig, options: { readonly beyondHorizon?: boolean } = {}): PlannedMessage | null => {
  const settings = config.campaigns.birthday;
  if (!settings.enabled || !isEligibleForBirthday(customer)) return null;
  const today = localDateOf(now, customer.timeZone);
  const horizon = addDays(localDateOf(now, 'UTC'), config.planner.lookAheadDays);
  const year = Number(today.slice(0, 4));
  for (const candidateYear of [year, year + 1]) {
    const date = birthdayInYear(customer.birthday!, candidateYear, settings.leapDayPolicy);
    if (date === null || date < today) continue;
    return date <= horizon || options.beyondHorizon ? birthdayGreetingOn(customer, date, settings) : null;
  }
  return null;
};
