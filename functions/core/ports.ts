import type { LocalDate } from './calendar.js';
import type { Message, MessageState, PlannedMessage } from './messages.js';
import type { BusinessRecord, Customer } from './records.js';

/**
 * What the jobs need from the outside world. Adapters implement these against DynamoDB and SES;
 * the jobs never see a client.
 */

export interface CustomerStore {
  /** Writes validated records: a new id adds, a known id updates. */
  putRecords(records: readonly BusinessRecord[]): Promise<void>;
  /** Customers indexed under a birthday month-day (`MM-DD`), page by page. */
  customersWithBirthday(monthDay: string): AsyncIterable<readonly unknown[]>;
  /** Profiles by id, as stored (validated by the caller); missing ids are absent from the map. */
  getProfiles(customerIds: readonly string[]): Promise<Map<string, unknown>>;
  /** Sets (or removes, with undefined) the birthday index key of a profile. */
  setBirthdayIndexKey(customerId: string, monthDay: string | undefined): Promise<void>;
}

export type PlanOutcome = 'planned' | 'updated' | 'unchanged';

export interface Outbox {
  /** Creates the message unless its id exists. */
  plan(message: PlannedMessage, now: Date): Promise<PlanOutcome>;
  /** Creates the message, or moves it when it exists and is still waiting (a customer changed). */
  replan(message: PlannedMessage, now: Date): Promise<PlanOutcome>;
  /** Waiting messages whose `sendAfter` has come, oldest first. */
  due(now: Date, limit: number): Promise<Message[]>;
  /** Takes a waiting message for sending; false when another worker has it or it is no longer waiting. */
  claim(messageId: string, claimId: string, now: Date, leaseUntil: Date): Promise<boolean>;
  markSent(messageId: string, claimId: string, sent: { sentAt: Date; sesMessageId: string; subject: string; locale: string }): Promise<void>;
  /** Gives a claimed message back to wait until `sendAfter` (after a transient failure). */
  release(messageId: string, claimId: string, sendAfter: Date, reason: string, now: Date): Promise<void>;
  /** Ends a claimed message in a final state other than sent. */
  finish(messageId: string, claimId: string, state: Exclude<MessageState, 'planned' | 'sending' | 'sent' | 'deferred'>, reason: string, now: Date): Promise<void>;
}

export interface ControlStore {
  /** The last local date a planner has planned through, if it ever ran. */
  plannedThrough(planner: string): Promise<LocalDate | undefined>;
  setPlannedThrough(planner: string, date: LocalDate): Promise<void>;
}

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Sends one e-mail; throws TransientError or PermanentError. Returns the provider's message id. */
  send(email: OutgoingEmail): Promise<string>;
}

export type { Customer };
