import type { CustomerStore } from '../ports.js';
import { parseNdjson, type NdjsonLine, type NdjsonRejection } from '../records.js';

export interface ImportResult {
  readonly imported: number;
  /** The records written now. */
  readonly records: readonly NdjsonLine[];
  readonly byType: Record<string, number>;
  readonly rejected: readonly NdjsonRejection[];
  /** Records carrying `at`: not written now, handed back for whoever applies them later (the simulator). */
  readonly timed: readonly NdjsonLine[];
}

/** Validates NDJSON and writes every valid record without `at`; each bad line is reported, none stops the rest. */
export const importNdjson = async (customers: CustomerStore, text: string, now: Date): Promise<ImportResult> => {
  const { records, rejected } = parseNdjson(text, now);
  const immediate = records.filter((line) => line.at === undefined);
  await customers.putRecords(immediate.map((line) => line.record));
  const byType: Record<string, number> = {};
  for (const { record } of immediate) byType[record.type] = (byType[record.type] ?? 0) + 1;
  return { imported: immediate.length, records: immediate, byType, rejected, timed: records.filter((line) => line.at !== undefined) };
};
