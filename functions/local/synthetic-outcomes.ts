import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../adapters/query-pages.js';
import { businessRecordsOf } from '../adapters/dynamo-customers.js';
import type { TableNames } from '../adapters/tables.js';
import type { DeploySettings } from '../adapters/deploy-settings.js';
import { outcomesOfDay, type DayState, type ResponseModel, type SentRef, type SyntheticRecord } from '../core/measurement/response-model.js';
import { parseRecord, type BusinessRecord } from '../core/records.js';

/**
 * The simulator's synthetic outcomes (docs/response-model.md): once a simulated day, at
 * RESPONSE_MODEL_SCHEDULE, the records a synthetic response model decides (outcomesOfDay) are written
 * as a business system writes them, through the Customers table and so the customer stream. What a
 * customer was sent is read from the Messages table (state `sent`); the customers, contracts and
 * complaints from the Customers table, as they stand.
 */

/** When the model's day is played: 12:00 UTC, the same local date as UTC for every offset from −12 to +11 hours. */
export const RESPONSE_MODEL_SCHEDULE: DeploySettings['schedules']['planner'] = { hour: 12, minute: 0, timeZone: 'UTC' };

export interface ResponseModelRun {
  readonly model: ResponseModel;
  readonly seed: number;
  /** The file it was read from, for the report. */
  readonly file?: string;
}

/** What the model wrote over a simulation, by kind. */
export interface SyntheticCounts {
  renewed: number;
  purchases: number;
  complaintsOpened: number;
  complaintsResolved: number;
  complaintsReopened: number;
}

export const emptySyntheticCounts = (): SyntheticCounts => ({ renewed: 0, purchases: 0, complaintsOpened: 0, complaintsResolved: 0, complaintsReopened: 0 });

const countInto = (counts: SyntheticCounts, record: SyntheticRecord): void => {
  if (record.type === 'contract') counts.renewed++;
  else if (record.type === 'interaction') counts.purchases++;
  else if (record.status === 'resolved') counts.complaintsResolved++;
  else if (record.reopenedAt !== undefined) counts.complaintsReopened++;
  else counts.complaintsOpened++;
};

/** Reads the day's state from the tables. */
export const readDayState = async (client: DynamoDBDocumentClient, tables: TableNames): Promise<DayState> => {
  const records = businessRecordsOf(await scanAll(client, { TableName: tables.Customers }));
  const sent = await scanAll(client, {
    TableName: tables.Messages,
    FilterExpression: '#state = :sent',
    ProjectionExpression: 'customerId, messageId, campaign, sentAt',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':sent': 'sent' },
  });
  return {
    customerIds: records.filter((r) => r.type === 'customer').map((r) => String(r.customerId)),
    contracts: records.filter((r) => r.type === 'contract') as unknown as DayState['contracts'],
    complaints: records.filter((r) => r.type === 'complaint') as unknown as DayState['complaints'],
    sent: sent.filter((m) => typeof m.sentAt === 'string') as unknown as SentRef[],
  };
};

/**
 * Plays one day of the model at `now`: reads the tables, decides, and writes the records through
 * `write` (the customer store a business system's writes go through). Adds what it wrote to `counts`.
 */
export const playResponseModelDay = async (
  run: ResponseModelRun,
  now: Date,
  io: { readonly client: DynamoDBDocumentClient; readonly tables: TableNames; readonly write: (records: readonly BusinessRecord[]) => Promise<void> },
  counts: SyntheticCounts,
): Promise<number> => {
  const outcomes = outcomesOfDay(run.model, run.seed, now, await readDayState(io.client, io.tables));
  if (outcomes.length === 0) return 0;
  const records = outcomes.map((outcome) => {
    const parsed = parseRecord(outcome, now);
    // The model writes only records it made valid; one that is not is a fault of the model's code.
    if (!parsed.ok) throw new Error(`the response model made an invalid record: ${parsed.rejection.reason}`);
    return parsed.record;
  });
  await io.write(records);
  for (const outcome of outcomes) countInto(counts, outcome);
  return records.length;
};
