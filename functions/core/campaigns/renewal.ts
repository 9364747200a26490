import { addDays, instantAt, localDateOf, type LocalDate } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { plannedMessage, type PlannedMessage } from '../messages.js';
import { recordKeyOf, type Contract, type Customer } from '../records.js';

/**
 * Renewal reminders (SPEC.md): `offsetsDays` before a contract's `endsOn` (the customer's local date),
 * from `sendAt` local, until the contract ends; only while it is active and not renewing by itself.
 * A service message: it needs no marketing consent.
 */

export const mayLapse = (contract: Pick<Contract, 'status' | 'autoRenew'>): boolean => contract.status === 'active' && contract.autoRenew !== true;

/** The sparse `byRenewal` index key: the end date of a contract that may lapse, else none. */
export const renewalIndexKey = (contract: Contract): LocalDate | undefined => (mayLapse(contract) ? contract.endsOn : undefined);

/** The reminder `offset` days before the contract ends, or null when there is none to send. */
export const renewalReminder = (contract: Contract, customer: Customer, offset: number, config: RetentionConfig): PlannedMessage | null => {
  const settings = config.campaigns.renewal;
  if (!settings.enabled || !mayLapse(contract) || !settings.offsetsDays.includes(offset)) return null;
  const reminderDate = addDays(contract.endsOn, -offset);
  return plannedMessage(customer, 'renewal', settings, `${contract.contractId}#${offset}`, {
    dueAt: instantAt(reminderDate, settings.sendAt, customer.timeZone),
    deadline: instantAt(contract.endsOn, '00:00', customer.timeZone),
    sourceKey: recordKeyOf(contract),
  });
};

/**
 * The reminders of a contract that are still to come (their day has not passed for the customer)
 * and inside the planner's horizon: used when a contract is created or changes.
 */
export const upcomingRenewalReminders = (contract: Contract, customer: Customer, now: Date, config: RetentionConfig): PlannedMessage[] => {
  const today = localDateOf(now, customer.timeZone);
  const horizon = addDays(localDateOf(now, 'UTC'), config.planner.lookAheadDays);
  return config.campaigns.renewal.offsetsDays
    .map((offset) => renewalReminder(contract, customer, offset, config))
    .filter((reminder): reminder is PlannedMessage => reminder !== null && reminder.localDate >= today && reminder.localDate <= horizon);
};

/** At send time: the reason the reminder must not go (the contract renewed, was cancelled, renews itself, or moved its end), or null. */
export const renewalTriggerGone = (message: Pick<PlannedMessage, 'deadline' | 'timeZone'>, contract: Contract | undefined): string | null => {
  if (!contract) return 'the contract no longer exists';
  if (contract.status !== 'active') return `the contract was ${contract.status}`;
  if (contract.autoRenew) return 'the contract renews automatically';
  if (instantAt(contract.endsOn, '00:00', message.timeZone).toISOString() !== message.deadline) return `the contract now ends on ${contract.endsOn}`;
  return null;
};
