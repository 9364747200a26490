import type { LocalDate } from './calendar.js';
import type { BandReach } from './cadence.js';
import type { SendWork } from './send-work.js';
import type { DueMessage, Message, MessageState, PlannedMessage } from './messages.js';
import type { Preferences } from './preferences.js';
import type { Suppression } from './suppression.js';
import type { BusinessRecord, Customer, RecordType, SurveyResponse } from './records.js';
import type { RetentionConfig } from './config.js';
import type { ErasureReceipt } from './erasure.js';

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
  /**
   * Any records by key, as stored, keyed `customerId|recordKey`; missing ones are absent. `consistent`
   * reads them strongly consistently: every write acknowledged before the read is seen (twice the cost).
   */
  getItems(keys: readonly { customerId: string; recordKey: string }[], options?: { readonly consistent?: boolean }): Promise<Map<string, unknown>>;
  /** A customer's records of one type (`complaint`, …), as stored. */
  recordsOfType(customerId: string, type: RecordType): Promise<unknown[]>;
  /** The keys of every item in a customer's partition (profile, preferences and the rest), read strongly consistently. */
  recordKeysOf(customerId: string): Promise<string[]>;
  /**
   * Records a survey answer unless the same score is already recorded (a repeated click changes
   * nothing); a different score replaces the earlier answer. Says which happened.
   */
  recordSurveyAnswer(response: SurveyResponse): Promise<'recorded' | 'updated' | 'unchanged'>;
  /** Stores what the customer chose (one-click unsubscribe, preference page). */
  setPreferences(preferences: Preferences): Promise<void>;
  /** Contracts that may lapse and end on `endsOn`, page by page. */
  contractsEndingOn(endsOn: string): AsyncIterable<readonly unknown[]>;
  /** Sets (or removes) the renewal index key of a contract. */
  setRenewalIndexKey(customerId: string, recordKey: string, endsOn: string | undefined): Promise<void>;
  /** Sets (or removes, with undefined) the birthday index key of a profile. */
  setBirthdayIndexKey(customerId: string, monthDay: string | undefined): Promise<void>;
  /** Deletes one item of a customer's partition (a record of an erased customer, written again). */
  deleteRecord(key: { readonly customerId: string; readonly recordKey: string }): Promise<void>;
}

export type PlanOutcome = 'planned' | 'updated' | 'unchanged';

/** A message `Outbox.find` found under an id, and whether it is still among its customer's waiting ones. */
export interface FoundMessage {
  readonly message: Message;
  readonly waiting: boolean;
}

/** What a claim got: nothing, a waiting message, or one whose earlier claimer stopped part-way. */
export type ClaimResult = false | 'claimed' | 'reclaimed';

export interface Outbox {
  /** Creates the message unless its id exists. */
  plan(message: PlannedMessage, now: Date): Promise<PlanOutcome>;
  /**
   * Creates the message, or moves it (planned again) when it exists and is still waiting or ended
   * provisionally (a customer changed). `revive`: also one ended for good in one of these states without
   * ever going to the mail service, whose reason has gone (a contract back to lapsing, a detractor's
   * answer back: `cancelled`; consent given again: `suppressed`).
   */
  replan(message: PlannedMessage, now: Date, options?: { readonly revive?: readonly ('cancelled' | 'suppressed')[] }): Promise<PlanOutcome>;
  /** A customer's messages still waiting to go (planned or deferred), and those ended provisionally. */
  waitingFor(customerId: string): Promise<Message[]>;
  /**
   * One message as it is now (a strongly consistent read), and whether it is still among its customer's
   * waiting messages (planned, deferred, or ended provisionally); undefined when there is none.
   */
  find(messageId: string): Promise<FoundMessage | undefined>;
  /**
   * Moves a waiting message to a new slot (deferred when later than due), or brings back one that was
   * ended provisionally, unless a dispatcher has taken it meanwhile.
   */
  reschedule(message: { readonly messageId: string; readonly customerId: string }, slot: { state: 'planned' | 'deferred'; sendAfter: Date; reason: string | null }, now: Date): Promise<void>;
  /**
   * Ends a waiting message at planning time (it cannot fit, or its trigger went away), unless it has
   * been taken meanwhile. A provisional end keeps it among the customer's waiting messages (never
   * due) so a later arrangement can bring it back before its deadline. True when this call ended it
   * (false: taken, or ended for good, meanwhile), so what it ended can be counted once.
   */
  endWaiting(messageId: string, state: 'expired' | 'cancelled', reason: string, now: Date, options?: { readonly provisional?: boolean }): Promise<boolean>;
  /**
   * Waiting messages whose `sendAfter` has come, oldest first, as the `byDue` index holds them (taken ones
   * too, until they end); from the `shards` given (messages.ts dueShardOf), else from every one.
   */
  due(now: Date, limit: number, shards?: readonly string[]): Promise<DueMessage[]>;
  /**
   * Takes a message for sending until `leaseUntil`: a waiting one, or one whose claimer stopped before
   * handing it to the mail service and whose lease has run out (`reclaimed`: that run may have taken
   * the customer's cap for it). False when another worker has it, or it is no longer to be sent. A
   * claimed message stays findable by `due` until it ends, and can be taken again once its lease runs out.
   */
  claim(messageId: string, claimId: string, now: Date, leaseUntil: Date): Promise<ClaimResult>;
  /**
   * Records, before the mail service is called, that this claim is about to send: from here on it is
   * never sent again. `gone` when the message no longer exists (its customer was erased while it was
   * claimed): nothing was written, and it must not be sent. Throws when the claim is no longer this one's.
   */
  markHandedOver(messageId: string, claimId: string, now: Date): Promise<'handedOver' | 'gone'>;
  /**
   * Takes the hand-over mark back while this claim still holds the message: the mail service was not
   * called, or refused it for certain, and the write that says so failed. When its lease runs out the
   * message is then taken again, not settled as sent. Nothing happens if the claim is no longer this one's.
   */
  withdrawHandOver(messageId: string, claimId: string): Promise<void>;
  /**
   * A message whose claimer handed it to the mail service and then stopped (lease run out) is
   * recorded as sent, unconfirmed: at most once means it is never tried again. Its hand-over instant
   * (now its `sentAt`), or undefined when it is not such a message.
   */
  settleUnconfirmed(messageId: string, now: Date): Promise<Date | undefined>;
  /**
   * Records the send; `content` says what a keep-in-touch was about. `unconfirmed` (the reason) when the
   * mail service's answer was lost: sent, unconfirmed, never sent again.
   */
  markSent(messageId: string, claimId: string, sent: SentRecord): Promise<void>;
  /** Gives a claimed message back to wait until `sendAfter`: `planned` after a transient failure, `deferred` when the band holds it. */
  release(messageId: string, claimId: string, release: { state: 'planned' | 'deferred'; sendAfter: Date; reason: string }, now: Date): Promise<void>;
  /** Ends a claimed message in a final state other than sent. */
  finish(messageId: string, claimId: string, state: Exclude<MessageState, 'planned' | 'sending' | 'sent' | 'deferred'>, reason: string, now: Date): Promise<void>;
}

export interface SentRecord {
  readonly sentAt: Date;
  readonly subject: string;
  readonly locale: string;
  readonly sesMessageId?: string;
  readonly content?: string;
  readonly unconfirmed?: string;
}

export interface ControlStore {
  /** How far a planner has got, in one read. */
  progress(planner: string): Promise<PlannerProgress>;
  /** Moves the watermark on to `date` (never back), and forgets where a run stopped inside a date. */
  setPlannedThrough(planner: string, date: LocalDate): Promise<void>;
  /** Forgets how far the planner got, so its dates are planned again from the start, under these settings (`plannedWith`). */
  restartPlanning(planner: string, settings: string): Promise<void>;
  /** Records the settings the planner's dates are planned under from now on, keeping its watermark. */
  setPlannedWith(planner: string, settings: string): Promise<void>;
  /** How far ahead the floor checks set under the bands in force since the floor planner last caught up can lie; undefined while the shipped configuration was never changed. */
  floorReach(): Promise<FloorReach | undefined>;
  /** The floor planner has caught up with the configuration of `revision`: its band's reach alone stays (unless it was written again since). */
  settleFloorReach(reach: BandReach, revision: number | undefined): Promise<void>;
  setResumePoint(planner: string, point: ResumePoint): Promise<void>;
  /**
   * Takes the planner's turn for run `runId` until `until`, unless another run holds it beyond `now`:
   * undefined when taken, else the instant (ISO) the other run's hold ends.
   */
  holdPlannerTurn(runId: string, now: Date, until: Date): Promise<string | undefined>;
  /** Gives the planner's turn back at `now`, if run `runId` holds it. */
  releasePlannerTurn(runId: string, now: Date): Promise<void>;
}

/** The floor's reach recorded with the configuration (BandReach), and the write that recorded it. */
export interface FloorReach {
  readonly reach: BandReach;
  readonly revision: number | undefined;
  readonly updatedAt: Date;
}

/** The last local date a planner has planned through (absent if it never ran), and where a run stopped inside the date after it, if one did. */
export interface PlannerProgress {
  readonly plannedThrough?: LocalDate;
  /** The settings its dates were planned under (datesToPlan), when it keeps them. */
  readonly plannedWith?: string;
  readonly resume?: ResumePoint;
}

/** A date a planner run stopped inside, and where in it: each partition's cursor. */
export interface ResumePoint {
  readonly date: LocalDate;
  readonly after: FloorCheckCursors;
}

/** A page of a date's items, and where the next page starts (absent after the last). */
export interface DatePage<T> {
  readonly items: readonly T[];
  readonly next?: unknown;
}

/**
 * Where the floor planner is in a date's partitions of checks, by partition name: the `next` of the
 * last page read (the store's own key), or null once read to its end. A partition not named is read
 * from its start.
 */
export type FloorCheckCursors = Readonly<Record<string, unknown>>;

/** One index partition of a date's floor checks. */
export interface FloorCheckPartition {
  readonly name: string;
  /** Where its reading starts: its cursor in the `after` it was asked with (null: read to its end, no pages). */
  readonly from: unknown;
  readonly pages: AsyncIterable<DatePage<LedgerEntry>>;
}

export interface OutgoingEmail {
  readonly to: string;
  /** The From header's display name (configuration `brand.senderName`); the address is the deployment's. */
  readonly fromName: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Sends one e-mail; throws MailFailure (saying what the failure means). Returns the provider's message id. */
  send(email: OutgoingEmail): Promise<string>;
}

export type { Customer };

export interface LedgerEntry {
  readonly customerId: string;
  /** Local date of the last message of any kind (or of becoming a customer): the floor counts from it. */
  readonly lastContactDate: LocalDate;
  /** Local date of the last capped message, NEVER when none. */
  readonly lastCappedDate: LocalDate;
  readonly lastCappedMessageId?: string;
  /** Local date of the last survey sent. */
  readonly lastSurveyDate?: LocalDate;
  /** When the floor planner looks at this customer next; absent when nothing is to be checked. */
  readonly floorCheckDate?: LocalDate;
  /** The local date the ledger was opened: a floor starting then is the customer's first. */
  readonly openedOn?: LocalDate;
  /** What the last keep-in-touch e-mail was about, so the next one is about something else. */
  readonly lastKeepInTouchContent?: string;
  /** What the floor planner needs of the profile, copied here when it changes so the planner need not read it. */
  readonly timeZone?: string;
  /**
   * Whether marketing may reach the customer: the profile's consent and no unsubscribe from marketing
   * (consent.ts `welcomesMarketing`), and since a message found them unreachable, false (`markUnreachable`).
   */
  readonly marketingOptIn?: boolean;
  /**
   * The time zone the customer's other records (contracts, complaints…) were last planned in by a
   * profile write (customer-changed.ts); `RECORDS_NOT_PLANNED` there while that is still to be done
   * (the customer is new, or their profile was invalid); absent on a ledger opened before this was kept.
   */
  readonly recordsPlannedIn?: string;
  /** The key of the suppressed address that took the customer off the floor (`markUnreachable`), until their profile is written again. */
  readonly unreachableAddress?: string;
}

/** The profile facts the ledger keeps for the floor planner. */
export type LedgerCustomerFacts = Required<Pick<LedgerEntry, 'timeZone' | 'marketingOptIn'>>;

export type CapReservation = { readonly taken: true } | { readonly taken: false; readonly lastCappedDate: LocalDate };

export interface LedgerStore {
  get(customerId: string): Promise<LedgerEntry | undefined>;
  /** The ledgers of these customers, read at once (as strongly as `get`); a customer without one is absent. */
  getMany(customerIds: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /**
   * Opens a ledger for a new customer, or keeps its contact history; either way records the profile facts.
   * `floorCheckDate` is undefined for a customer without marketing consent: a check it has is kept, none is added.
   * `recordsPlannedIn`, when given, is stored as it is.
   */
  open(customerId: string, lastContactDate: LocalDate, floorCheckDate: LocalDate | undefined, facts: LedgerCustomerFacts, recordsPlannedIn?: string): Promise<LedgerEntry>;
  /**
   * The customer cannot be written to (their address is suppressed, their profile invalid): marketing
   * cannot reach them and the floor is not theirs to keep, until their profile is written again (`open`
   * sets both from it) or, when `suppressedAddress` (the address's key) was the cause, that suppression
   * is lifted. Only on a ledger there is.
   */
  markUnreachable(customerId: string, suppressedAddress?: string): Promise<void>;
  /** The customers `markUnreachable` took off the floor because of this suppressed address (its key), and no profile write has put back since. */
  unreachableBecauseOf(suppressedAddress: string): Promise<string[]>;
  /** Keeps `recordsPlannedIn` on the customer's ledger, if they have one. */
  setRecordsPlannedIn(customerId: string, timeZone: string): Promise<void>;
  /**
   * Takes the cap for `messageId` on `today`, atomically: only if the last capped message was on or
   * before `threshold`. Idempotent per message: the message that holds the cap takes it again without
   * losing what a release would restore. When the cap forbids it, says the last capped date. `at`, the
   * send's instant, is kept beside the date, so a move to another zone reads the date there exactly.
   */
  reserveCap(customerId: string, messageId: string, today: LocalDate, threshold: LocalDate, at?: Date): Promise<CapReservation>;
  /** Gives back a reservation whose message did not go (only if it is still this message's; a second release changes nothing). */
  releaseCap(customerId: string, messageId: string): Promise<void>;
  /**
   * A message went out on `today` (at `at`, kept beside the date as `reserveCap` keeps it): the floor counts
   * from it (and survey spacing, when it was a survey; keep-in-touch content, when it was one).
   */
  recordContact(customerId: string, today: LocalDate, floorCheckDate: LocalDate, sent?: { readonly survey?: boolean; readonly keepInTouchContent?: string; readonly at?: Date }): Promise<void>;
  /**
   * The customers whose floor check falls on `date`, one reader per index partition of the date, so
   * they can be read at once (each customer is in one of them); each from where `after` left it.
   */
  floorChecksOn(date: LocalDate, after?: FloorCheckCursors): FloorCheckPartition[];
  setFloorCheck(customerId: string, date: LocalDate | undefined): Promise<void>;
}

export interface SuppressionStore {
  /** Records suppressed addresses; an address suppressed before keeps its first reason. */
  suppress(suppressions: readonly Suppression[]): Promise<void>;
  /** Of these address keys, the suppressed ones, with their reasons. */
  suppressedAmong(addressKeys: readonly string[]): Promise<Map<string, string>>;
  /** Lifts an address's suppression: what it was, or undefined when it had none. */
  remove(addressKey: string): Promise<Suppression | undefined>;
}

/** The runtime configuration as stored (DynamoConfigStore). */
export interface ConfigStore {
  get(): Promise<RetentionConfig>;
  /** Changes it: `change` gets the stored document and returns the whole new configuration; nobody's write in between is undone. */
  update<T extends { readonly config: RetentionConfig }>(change: (stored: unknown) => T, now: Date): Promise<T>;
}

/** What one pass of an erasure deleted, by table. */
export interface ErasureCounts {
  readonly customers: number;
  readonly messages: number;
  readonly ledger: number;
  /** Suppressions stripped to their hash (the masked address and any address in the reason removed). */
  readonly suppressions: number;
}

/** A second pass still to come: the only place the erased id stays in clear, until it has run. */
export interface PendingErasure {
  readonly customerId: string;
  /** The hash of the address the profile had, so a suppression written meanwhile is stripped too. */
  readonly addressKey?: string;
  readonly sweepAfter: string;
  /** The receipt's erasedAt: a profile created after it registered the customer again, and is not to be swept. */
  readonly erasedAt: string;
}

/** Where the dispatcher's coordinator hands the parts of a run to the senders (send-work.ts): SQS in AWS. */
export interface SendWorkQueue {
  /** Queues every part, or fails naming those that were not queued (a part not queued is sent by the next run). */
  enqueue(work: readonly SendWork[]): Promise<void>;
}

/** Erasure (SPEC.md, Personal data): receipts under hashed ids, and the deletes, across every table. */
export interface ErasureStore {
  /** The receipts of these customers, by id; customers never erased are absent. */
  receiptsOf(customerIds: readonly string[]): Promise<Map<string, ErasureReceipt>>;
  /** Writes the receipt and, when a second pass is to come, the pending entry. */
  recordErasure(customerId: string, receipt: ErasureReceipt, pending?: PendingErasure): Promise<void>;
  /** The customer's profile as stored now, read strongly consistently (the address as its key alone); undefined without one. */
  profileOf(customerId: string): Promise<{ readonly addressKey?: string; readonly createdAt?: string } | undefined>;
  /**
   * Deletes every item of the customer in every table, the profile first (nothing is planned for a
   * customer without one) and `lastRecordKey` (the erasure record) last, and strips the suppression of
   * `addressKey` to its hash.
   */
  deleteEverything(customerId: string, addressKey: string | undefined, lastRecordKey?: string): Promise<ErasureCounts>;
  /** Second passes due by `now`, oldest first, at most `limit` of them. */
  dueSecondPasses(now: Date, limit: number): Promise<PendingErasure[]>;
  /** A second pass ran: the id leaves the receipt, which is pending no more (unless a later erasure moved its pass meanwhile). */
  secondPassDone(pending: PendingErasure): Promise<void>;
}
