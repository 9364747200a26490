import { addDays, instantAt, localDateOf, type LocalDate } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { plannedMessage, type Message, type PlannedMessage } from '../messages.js';
import { recordKeyOf, type Contract, type Customer } from '../records.js';

/**
 * Renewal reminders (SPEC.md): `offsetsDays` before a contract's `endsOn` (the customer's local date),
 * from `sendAt` local, until the contract ends; only while it is active and not renewing by itself.
 * A service message: it needs no marketing consent.
 */

export const mayLapse = (contract: Pick<Contract, 'status' | 'autoRenew'>): boolean => contract.status === 'active' && contract.autoRenew !== true;

/** The sparse `byRenewal` index key: the end date of a contract that may lapse, else none. */
export const renewalIndexKey = (contract: Contract): LocalDate | undefined => (mayLapse(contract) ? contract.endsOn : undefined);

/**
 * Which id a reminder of the contract's current term takes (`renewalReminder`): the contract's and
 * offset (`k-7#30`), as SPEC.md names it, or, for a contract extended or renewed under the same id
 * after that reminder went, the term's own, its end date between them (`k-7#2028-03-10#30`; an id
 * holds no `#`, so it can be no other contract's), since a message id is planned once and sent at most once.
 */
export type ReminderId = 'contract' | 'term';

/** What holds a message id now (Outbox `find`), as `reminderIdFor` reads it. */
export interface IdHolder {
  readonly message: Pick<Message, 'deadline' | 'timeZone' | 'state'>;
  readonly waiting: boolean;
}

/** The contract end a reminder was planned for: its deadline is the start of that day in the reminder's zone. */
export const termEndOf = (message: Pick<PlannedMessage, 'deadline' | 'timeZone'>): LocalDate => localDateOf(new Date(message.deadline), message.timeZone);

/** The offset a reminder's occurrence ends with (`k-7#30`, `k-7#2028-03-10#30`: 30). */
export const reminderOffsetOf = (message: Pick<PlannedMessage, 'occurrence'>): number => Number(message.occurrence.slice(message.occurrence.lastIndexOf('#') + 1));

/**
 * The id the current term's reminder takes, from what holds each of its ids now, so that a term has
 * one reminder per offset, however it came about:
 * - the term's own while it waits, or once it went or ended for good (the contract's own may since have
 *   been deleted, `retention.messagesDays` after it ended; one waiting beside it is not this term's);
 * - else the contract's own while it waits: it moves with the contract's end (contract-changed.ts);
 * - else the contract's own once it went or ended for good for this term;
 * - else the term's own, cancelled: it comes back;
 * - else the contract's own while it is free, or cancelled for this term (it comes back); the term's
 *   own once the contract's has ended, or is being sent, for another end date.
 */
export const reminderIdFor = (contract: Pick<Contract, 'endsOn'>, holders: { readonly own: IdHolder | undefined; readonly term: IdHolder | undefined }): ReminderId => {
  const { own, term } = holders;
  if (term !== undefined && term.message.state !== 'cancelled') return 'term';
  if (own?.waiting) return 'contract';
  const ownIsThisTerms = own !== undefined && termEndOf(own.message) === contract.endsOn;
  if (ownIsThisTerms && own.message.state !== 'cancelled') return 'contract';
  if (term !== undefined) return 'term';
  return own === undefined || ownIsThisTerms ? 'contract' : 'term';
};

/** The reminder `offset` days before the contract ends, under the id given, or null when there is none to send. */
export const renewalReminder = (contract: Contract, customer: Customer, offset: number, config: RetentionConfig, id: ReminderId = 'contract'): PlannedMessage | null => {
  const settings = config.campaigns.renewal;
  if (!settings.enabled || !mayLapse(contract) || !settings.offsetsDays.includes(offset)) return null;
  const reminderDate = addDays(contract.endsOn, -offset);
  const occurrence = id === 'contract' ? `${contract.contractId}#${offset}` : `${contract.contractId}#${contract.endsOn}#${offset}`;
  return plannedMessage(customer, 'renewal', settings, occurrence, {
    dueAt: instantAt(reminderDate, settings.sendAt, customer.timeZone),
    deadline: instantAt(contract.endsOn, '00:00', customer.timeZone),
    sourceKey: recordKeyOf(contract),
  });
};

/** The reminder `offset` days before the contract ends under each id it may take (`ReminderId`), or null when there is none to send. */
export const reminderUnderEachId = (contract: Contract, customer: Customer, offset: number, config: RetentionConfig): Record<ReminderId, PlannedMessage> | null => {
  const own = renewalReminder(contract, customer, offset, config);
  const term = renewalReminder(contract, customer, offset, config, 'term');
  return own === null || term === null ? null : { contract: own, term };
};

/**
 * Whether a reminder is to be planned when its contract is written: its day has not passed for the
 * customer, and is inside the planner's horizon (the daily planner plans those beyond when they come into view).
 */
export const isUpcoming = (reminder: Pick<PlannedMessage, 'localDate' | 'timeZone'>, now: Date, config: RetentionConfig): boolean =>
  reminder.localDate >= localDateOf(now, reminder.timeZone) && reminder.localDate <= addDays(localDateOf(now, 'UTC'), config.planner.lookAheadDays);

/** At send time: the reason the reminder must not go (the contract renewed, was cancelled, renews itself, or moved its end), or null. */
export const renewalTriggerGone = (message: Pick<PlannedMessage, 'deadline' | 'timeZone'>, contract: Contract | undefined): string | null => {
  if (!contract) return 'the contract no longer exists';
  if (contract.status !== 'active') return `the contract was ${contract.status}`;
  if (contract.autoRenew) return 'the contract renews automatically';
  if (instantAt(contract.endsOn, '00:00', message.timeZone).toISOString() !== message.deadline) return `the contract now ends on ${contract.endsOn}`;
  return null;
};
