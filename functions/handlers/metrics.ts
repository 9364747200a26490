import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HandlerRuntime } from '../adapters/runtime.js';
import type { DispatchOutcome } from '../core/jobs/dispatch.js';
import { campaignOfMessageId } from '../core/messages.js';
import type { Outbox } from '../core/ports.js';

/**
 * The figures the handlers write (CloudWatch embedded metric format, namespace `Retention`), each
 * with the dimension sets it is written with, beyond Powertools' default dimension `service`
 * (adapters/runtime.ts). infra/monitoring.ts builds the alarms and the dashboard on exactly these.
 */
export const METRICS = {
  /**
   * Messages by outcome (DispatchOutcome), in total and by campaign: what the dispatcher's runs did with
   * them, and the messages any handler's jobs ended for good at planning time (countingEndings).
   */
  Messages: [['outcome'], ['campaign', 'outcome']],
  /** Dispatcher: the sending account refused a message (the run held the rest). */
  AccountFaults: [[]],
  /** Dispatcher: a step after a message was settled failed (its cap given back, its address suppressed, the customer's plan made again…). */
  DispatchStepsFailed: [[]],
  /** Planner: one per run that finished. */
  PlannerRuns: [[]],
  /** Planner: messages a run planned, by campaign. */
  MessagesPlanned: [['campaign']],
  /** Customer stream: records that failed (Lambda retries them, then parks them) and invalid records skipped. */
  StreamRecordsFailed: [[]],
  StreamRecordsSkipped: [[]],
  /** Link endpoint: requests by what they did (LinkAction). */
  LinkActions: [['action']],
  /** Mail events: recipients of hard bounces and of complaints; notifications (or recipients of one) that could not be read, parked. */
  Bounces: [[]],
  Complaints: [[]],
  MailEventsUnreadable: [[]],
} as const satisfies Record<string, readonly (readonly string[])[]>;

export type MetricName = keyof typeof METRICS;

/**
 * Writes one EMF document: these counts, with exactly these dimensions ({} for none). Written at once
 * and synchronously, so figures of invocations running side by side never share a document; nothing
 * is left stored for a later flush, and an empty document is never written.
 */
export const writeCounts = (runtime: HandlerRuntime, dimensions: Readonly<Record<string, string>>, counts: Partial<Readonly<Record<MetricName, number>>>): void => {
  const metrics = runtime.metrics;
  const entries = Object.entries(counts);
  if (!metrics || entries.length === 0) return;
  if (Object.keys(dimensions).length > 0) metrics.addDimensions({ ...dimensions });
  for (const [name, value] of entries) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
};

/** Messages by campaign, each with how many had each outcome (DispatchOutcome). */
export type MessageCounts = Map<string, Partial<Record<DispatchOutcome, number>>>;

/** Adds `count` messages of `campaign` with `outcome` to `counts`. */
export const addMessages = (counts: MessageCounts, campaign: string, outcome: DispatchOutcome, count = 1): void => {
  const outcomes = counts.get(campaign) ?? {};
  outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
  counts.set(campaign, outcomes);
};

/**
 * The outbox a handler's jobs work through, counting in `ended` each message they end for good at
 * planning time (Outbox.endWaiting: its trigger gone, its floor met, a provisional end past its
 * deadline), by campaign and state. The count follows the write that ended the message, so each is
 * counted once, by whichever handler ended it; a provisional end is not counted (the message may come
 * back), its final end is.
 */
export const countingEndings = (outbox: Outbox, ended: MessageCounts): Outbox =>
  Object.assign(Object.create(outbox) as Outbox, {
    endWaiting: async (...args: Parameters<Outbox['endWaiting']>) => {
      const [messageId, state, , , options] = args;
      const done = await outbox.endWaiting(...args);
      if (done && !options?.provisional) addMessages(ended, campaignOfMessageId(messageId), state);
      return done;
    },
  });

/**
 * Writes `Messages` by outcome and by campaign and outcome, the outcomes that happened. `totals`: the
 * counts the totals start from; the dispatcher's hold every outcome at zero, so the alarms on `failed`
 * and `unconfirmed` always have data, and a dispatcher that writes nothing is seen (DispatcherSilent
 * counts the `sent` documents: only a dispatcher writes one).
 */
export const writeMessages = (runtime: HandlerRuntime, byCampaign: MessageCounts, totals: Partial<Record<DispatchOutcome, number>> = {}): void => {
  const sums = { ...totals };
  for (const outcomes of byCampaign.values()) {
    for (const [outcome, count] of Object.entries(outcomes) as [DispatchOutcome, number][]) sums[outcome] = (sums[outcome] ?? 0) + count;
  }
  for (const [outcome, count] of Object.entries(sums)) writeCounts(runtime, { outcome }, { Messages: count });
  for (const [campaign, outcomes] of byCampaign) {
    for (const [outcome, count] of Object.entries(outcomes)) if (count > 0) writeCounts(runtime, { campaign, outcome }, { Messages: count });
  }
};
