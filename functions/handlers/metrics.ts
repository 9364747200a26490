import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HandlerRuntime } from '../adapters/runtime.js';

/**
 * The figures the handlers write (CloudWatch embedded metric format, namespace `Retention`), each
 * with the dimension sets it is written with, beyond Powertools' default dimension `service`
 * (adapters/runtime.ts). infra/monitoring.ts builds the alarms and the dashboard on exactly these.
 */
export const METRICS = {
  /** Dispatcher: messages by how their run ended for them (DispatchOutcome), in total and by campaign. */
  Messages: [['outcome'], ['campaign', 'outcome']],
  /** Dispatcher: the sending account refused a message (the run held the rest). */
  AccountFaults: [[]],
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
