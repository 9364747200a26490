import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanPages } from '../adapters/query-pages.js';
import type { RetentionConfig } from '../core/config.js';
import { liftFactsOf, measureLift, type LiftFacts, type LiftResult } from '../core/measurement/lift.js';

/**
 * The report's `lift` section (docs/measurement.md): what `retention lift --report` needs to compare
 * held-out and treated customers in any window of the simulation, and the comparison over its whole
 * window. `facts` are the outcomes as the Customers table held them when the window closed: owners,
 * dates and states only, no addresses or names.
 */
export interface ReportLift {
  readonly facts: LiftFacts;
  /** Stored records left out because they failed their schema. */
  readonly unreadable: number;
  /** Held out against treated over the report's window, every campaign that can be held out. */
  readonly result: LiftResult;
}

/** Every item of the Customers table, read page by page into the facts lift needs (a Scan: see docs/measurement.md for its cost). */
export const readLiftFacts = async (client: DynamoDBDocumentClient, customersTable: string): Promise<{ facts: LiftFacts; unreadable: { record: string; reason: string }[]; synthetic: number }> => {
  const facts = { customers: [], contracts: [], interactions: [], complaints: [] } as { -readonly [K in keyof LiftFacts]: LiftFacts[K][number][] };
  const unreadable: { record: string; reason: string }[] = [];
  let synthetic = 0;
  for await (const page of scanPages(client, { TableName: customersTable })) {
    const read = liftFactsOf(page);
    for (const key of Object.keys(facts) as (keyof LiftFacts)[]) (facts[key] as unknown[]).push(...read.facts[key]);
    unreadable.push(...read.unreadable);
    synthetic += read.synthetic;
  }
  return { facts, unreadable, synthetic };
};

/** The lift section of a simulation that ran from `start` to `end` with this configuration. */
export const liftSectionOf = async (client: DynamoDBDocumentClient, customersTable: string, config: RetentionConfig, window: { start: Date; end: Date }): Promise<ReportLift> => {
  const { facts, unreadable } = await readLiftFacts(client, customersTable);
  const since = window.start.toISOString().slice(0, 10);
  const until = window.end.toISOString().slice(0, 10);
  return { facts, unreadable: unreadable.length, result: measureLift(facts, config.measurement, { since, until }) };
};
