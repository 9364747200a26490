import { InvalidRecordError } from './errors.js';
import { allDueShards } from './messages.js';
import type { SendRate } from './pacing.js';

/**
 * One sender's part of a dispatcher run (docs/scale.md, "Senders"): the coordinator, on the schedule,
 * hands the `byDue` shards to the run's senders through a queue; each sender sends its shards' due
 * messages at its share of the send rate and claims nothing after `claimUntil`, so two runs' senders
 * never add their rates. SQS may deliver a part twice or late: the claims keep every message to one
 * send, and a part whose `claimUntil` has passed claims nothing.
 */
export interface SendWork {
  /** The `byDue` partitions this sender reads (messages.ts dueShardOf). */
  readonly shards: readonly string[];
  /** How many senders share the run's rate: each paces to rate / senders. */
  readonly senders: number;
  /** The run's scheduled time (ISO), for the logs. */
  readonly scheduledTime: string;
  /** The last instant (ISO) the sender may claim a message: before the next run's senders start. */
  readonly claimUntil: string;
}

/** Left between the end of one run's claiming and the start of the next run, so their rates never add up. */
export const RUN_GAP_MS = 2_000;

/**
 * What one sender keeps up with: up to 64 messages at once (pacing.ts sendWorkers) at about a quarter
 * second each from claim to record is ~250 a second; a fifth kept in hand.
 */
export const ONE_SENDER_RATE = 200;

/**
 * How many senders a run has: one for each `ONE_SENDER_RATE` of the send rate, at most one per
 * shard; unpaced (the local runner's simulations), one per shard. Below that rate one sender paces
 * the whole rate alone, which keeps any second's sends within it exactly (pacing.ts); more senders,
 * each at rate / senders, keep within it only as closely as their shares are whole numbers.
 */
export const sendersFor = (rate: SendRate, dueShards: number): number =>
  Number.isFinite(rate.perSecond) ? Math.min(dueShards, Math.max(1, Math.ceil(rate.perSecond / ONE_SENDER_RATE))) : dueShards;

/** The parts of the run scheduled at `scheduledTime`: the `dueShards` shards dealt to `senders` in turn; the run ends `RUN_GAP_MS` before the next. */
export const sendWorkOf = (scheduledTime: Date, everyMinutes: number, senders: number, dueShards: number): SendWork[] => {
  const shards = allDueShards(dueShards);
  const count = Math.min(Math.max(1, senders), shards.length);
  const claimUntil = new Date(scheduledTime.getTime() + everyMinutes * 60_000 - RUN_GAP_MS).toISOString();
  return Array.from({ length: count }, (_, sender) => ({
    shards: shards.filter((_, index) => index % count === sender),
    senders: count,
    scheduledTime: scheduledTime.toISOString(),
    claimUntil,
  }));
};

const isInstant = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * A queued part, checked: a body that is not one is refused naming the queue message, the field and
 * the value (it goes back to the queue, and after its retries to the dead-letter queue).
 */
export const parseSendWork = (body: string, record: string, dueShards: number): SendWork => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidRecordError(record, 'body', `the body is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
  }
  const work = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const refuse = (field: string, expected: string): never => {
    throw new InvalidRecordError(record, field, `${field} must be ${expected}, got ${JSON.stringify(work[field]) ?? 'nothing'}`);
  };
  const known = allDueShards(dueShards);
  if (!Array.isArray(work.shards) || work.shards.length === 0 || !work.shards.every((shard) => typeof shard === 'string' && known.includes(shard))) {
    refuse('shards', `a list of some of ${known.join(', ')}`);
  }
  if (typeof work.senders !== 'number' || !Number.isInteger(work.senders) || work.senders < 1) refuse('senders', 'a whole number of at least 1');
  if (!isInstant(work.scheduledTime)) refuse('scheduledTime', 'an ISO instant');
  if (!isInstant(work.claimUntil)) refuse('claimUntil', 'an ISO instant');
  return { shards: work.shards as string[], senders: work.senders as number, scheduledTime: work.scheduledTime as string, claimUntil: work.claimUntil as string };
};
