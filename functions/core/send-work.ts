import { InvalidRecordError } from './errors.js';
import { allDueShards } from './messages.js';

/**
 * One sender's part of a dispatcher run (docs/scale.md, "Senders"): the coordinator, on the schedule,
 * hands each `byDue` shard to a sender through a queue; the sender sends that shard's due messages at
 * its share of the send rate and claims nothing after `claimUntil`, so two runs' senders never add
 * their rates. SQS may deliver a part twice or late: the claims keep every message to one send, and a
 * part whose `claimUntil` has passed claims nothing.
 */
export interface SendWork {
  /** The `byDue` partition this sender reads (messages.ts dueShardOf). */
  readonly shard: string;
  /** How many senders share the run's rate: each paces to rate / senders. */
  readonly senders: number;
  /** The run's scheduled time (ISO), for the logs. */
  readonly scheduledTime: string;
  /** The last instant (ISO) the sender may claim a message: before the next run's senders start. */
  readonly claimUntil: string;
}

/** Left between the end of one run's claiming and the start of the next run, so their rates never add up. */
export const RUN_GAP_MS = 2_000;

/** The parts of the run scheduled at `scheduledTime`, one per `byDue` shard; the run ends `RUN_GAP_MS` before the next. */
export const sendWorkOf = (scheduledTime: Date, everyMinutes: number): SendWork[] => {
  const shards = allDueShards();
  const claimUntil = new Date(scheduledTime.getTime() + everyMinutes * 60_000 - RUN_GAP_MS).toISOString();
  return shards.map((shard) => ({ shard, senders: shards.length, scheduledTime: scheduledTime.toISOString(), claimUntil }));
};

const isInstant = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * A queued part, checked: a body that is not one is refused naming the queue message, the field and
 * the value (it goes back to the queue, and after its retries to the dead-letter queue).
 */
export const parseSendWork = (body: string, record: string): SendWork => {
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
  if (typeof work.shard !== 'string' || !allDueShards().includes(work.shard)) refuse('shard', `one of ${allDueShards().join(', ')}`);
  if (typeof work.senders !== 'number' || !Number.isInteger(work.senders) || work.senders < 1) refuse('senders', 'a whole number of at least 1');
  if (!isInstant(work.scheduledTime)) refuse('scheduledTime', 'an ISO instant');
  if (!isInstant(work.claimUntil)) refuse('claimUntil', 'an ISO instant');
  return { shard: work.shard as string, senders: work.senders as number, scheduledTime: work.scheduledTime as string, claimUntil: work.claimUntil as string };
};
