import type { CampaignName } from './config.js';
import { localDateOf, type LocalDate } from './calendar.js';
import { customerShard } from './customer-shard.js';

/**
 * The outbox model. A message id names its customer, campaign and the occurrence it belongs to
 * (`c-1#birthday#2027`), so planning the same occurrence twice can only ever produce one message.
 */

/** `heldOut`: the customer is in the campaign's holdout (measurement/holdout.ts): recorded where it would have been sent, never sent. */
export type MessageState = 'planned' | 'sending' | 'sent' | 'deferred' | 'expired' | 'suppressed' | 'cancelled' | 'heldOut';
export const finalStates: readonly MessageState[] = ['sent', 'expired', 'suppressed', 'cancelled', 'heldOut'];
export const isFinal = (state: MessageState): boolean => finalStates.includes(state);

export interface PlannedMessage {
  readonly messageId: string;
  readonly customerId: string;
  readonly campaign: CampaignName;
  readonly occurrence: string;
  readonly messageClass: 'marketing' | 'service';
  readonly priority: number;
  readonly countsTowardCap: boolean;
  /** The earliest instant it may go (ISO). */
  readonly dueAt: string;
  /** The instant after which it must not go (ISO, exclusive). */
  readonly deadline: string;
  /** The customer's local date it is due on, and the zone that date is in. */
  readonly localDate: LocalDate;
  readonly timeZone: string;
  /** The record in the customer's partition the message is about (`contract#k-7`), when there is one. */
  readonly sourceKey?: string;
}

export interface Message extends PlannedMessage {
  readonly state: MessageState;
  readonly reason: string | null;
  /** When the dispatcher may next try it (ISO); moves on deferral and after a transient failure. */
  readonly sendAfter: string;
  readonly attempts: number;
  /** How often the cadence band moved it. */
  readonly deferrals?: number;
  readonly plannedAt: string;
  readonly sentAt?: string;
  readonly sesMessageId?: string;
  readonly subject?: string;
  readonly locale?: string;
  /** What a keep-in-touch e-mail was about (`points`, `tierProgress`, `anniversary`, `news:<id>`). */
  readonly content?: string;
  readonly claimId?: string;
  readonly claimedUntil?: string;
  /** Set just before the mail service is called: from then on the message is never sent again. */
  readonly handedOverAt?: string;
  readonly updatedAt?: string;
  /**
   * Set when the message ends for good (sent, expired, suppressed, cancelled, held out; not a provisional end):
   * when DynamoDB's TTL may delete it, in epoch seconds (`expiryOf`). Removed if it is brought back to wait.
   */
  readonly expiresAt?: number;
}

/** A message as it is when first planned: waiting from its due time, untried. */
export const newlyPlanned = (message: PlannedMessage, now: Date): Message => ({
  ...message,
  state: 'planned',
  reason: null,
  sendAfter: message.dueAt,
  attempts: 0,
  plannedAt: now.toISOString(),
  updatedAt: now.toISOString(),
});

export const messageIdOf = (customerId: string, campaign: CampaignName, occurrence: string): string =>
  `${customerId}#${campaign}#${occurrence}`;

/** The campaign a message id names (messageIdOf): its second part, as a customer id holds no `#`. */
export const campaignOfMessageId = (messageId: string): string => messageId.split('#')[1] ?? '';

/** A campaign's message for one occurrence, due in the window given; its local date is the due instant's, in the customer's zone. */
export const plannedMessage = (
  customer: { readonly customerId: string; readonly timeZone: string },
  campaign: CampaignName,
  settings: { readonly class: 'marketing' | 'service'; readonly priority: number; readonly countsTowardCap: boolean },
  occurrence: string,
  window: { readonly dueAt: Date; readonly deadline: Date; readonly sourceKey?: string },
): PlannedMessage => ({
  messageId: messageIdOf(customer.customerId, campaign, occurrence),
  customerId: customer.customerId,
  campaign,
  occurrence,
  messageClass: settings.class,
  priority: settings.priority,
  countsTowardCap: settings.countsTowardCap,
  dueAt: window.dueAt.toISOString(),
  deadline: window.deadline.toISOString(),
  localDate: localDateOf(window.dueAt, customer.timeZone),
  timeZone: customer.timeZone,
  ...(window.sourceKey === undefined ? {} : { sourceKey: window.sourceKey }),
});

/**
 * What the dispatcher reads of a due message from the `byDue` index (its projection): what planning
 * fixed, and what changes only together with `sendAfter` (`attempts`). Nothing a claim, a hand-over
 * mark or the bookkeeping of a send changes is projected, so those writes leave the index alone:
 * whether a message may be taken is the claim's conditional write to decide, not the index's copy.
 */
export const DUE_MESSAGE_FIELDS = ['customerId', 'campaign', 'occurrence', 'messageClass', 'priority', 'countsTowardCap', 'dueAt', 'deadline', 'localDate', 'timeZone', 'sourceKey', 'attempts'] as const satisfies readonly (keyof Message)[];

/** A message as `due` returns it: the `byDue` index's keys and projection. */
export type DueMessage = Pick<Message, 'messageId' | 'sendAfter' | (typeof DUE_MESSAGE_FIELDS)[number]>;

/** How many `byDue` partitions waiting messages are spread over when the deploy setting `dueShards` is absent. */
export const DEFAULT_DUE_SHARDS = 4;

/** The most `dueShards` may be: a date's floor checks use the same number, as `YYYY-MM-DD#NN` (dynamo-ledger.ts). */
export const MAX_DUE_SHARDS = 99;

/**
 * The deploy setting `dueShards` as given in `where` (cdk.json, the environment): a whole number from 1
 * to `MAX_DUE_SHARDS`, `DEFAULT_DUE_SHARDS` when absent. Anything else is refused, naming it.
 */
export const checkedDueShards = (value: unknown, where: string): number => {
  if (value === undefined) return DEFAULT_DUE_SHARDS;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_DUE_SHARDS) return value;
  throw new Error(`${where}: ${JSON.stringify(value)} is not a whole number from 1 to ${MAX_DUE_SHARDS} (the partitions of waiting messages and floor checks; raise it, never lower it)`);
};

/**
 * The `byDue` index partition a waiting message lives in, among `shards` (the deploy setting
 * `dueShards`: waiting messages are spread over that many so no one partition gets hot); final
 * messages leave the index. By customer: each sender reads its partitions (send-work.ts), so one
 * customer's messages due together meet in one sender, which sends them highest priority first (the
 * cap goes to the better one).
 */
export const dueShardOf = (customerId: string, shards: number): string => `due#${customerShard(customerId, shards)}`;

/** Every `byDue` partition among `shards`. Raising `shards` keeps the ones so far among them. */
export const allDueShards = (shards: number): string[] => Array.from({ length: shards }, (_, shard) => `due#${shard}`);

/**
 * When to try again after a transient failure: exponential backoff from the first delay up to the
 * longest (cadence.ts `retryInstant` keeps it outside quiet hours and before the deadline).
 */
export const nextAttemptAfter = (attempts: number, now: Date, settings: { readonly retryFirstDelayMinutes: number; readonly retryMaxDelayMinutes: number }): Date => {
  const delayMinutes = Math.min(settings.retryFirstDelayMinutes * 2 ** Math.max(0, attempts - 1), settings.retryMaxDelayMinutes);
  return new Date(now.getTime() + delayMinutes * 60_000);
};

const SECONDS_PER_DAY = 86_400;

/**
 * When a message that ended for good at `endedAt` may be deleted: `messagesDays` later, in whole
 * epoch seconds, as DynamoDB's time to live reads it (configuration `retention`, MIN_MESSAGES_DAYS
 * says why it is never shorter than a planner may ask for the same id again).
 */
export const expiryOf = (endedAt: Date, retention: { readonly messagesDays: number }): number =>
  Math.floor(endedAt.getTime() / 1000) + retention.messagesDays * SECONDS_PER_DAY;

/** Whether an item whose `expiresAt` is this has expired at `now` (DynamoDB deletes it some time after). */
export const hasExpired = (expiresAt: unknown, now: Date): boolean => typeof expiresAt === 'number' && expiresAt <= Math.floor(now.getTime() / 1000);
