import type { CustomerStore, ErasureStore } from '../ports.js';
import { erasedRecordReason } from '../erasure.js';
import { customerSchema, parseNdjson, PROFILE_RECORD_KEY, recordKeyOf, recordNameOf, type BusinessRecord, type NdjsonLine, type NdjsonRejection, type NdjsonWarning } from '../records.js';
import { storageProblemOf, UnwritableRecordsError } from '../stored-record.js';

export interface ImportOptions {
  /** What a customer without `marketingOptIn` gets: the configuration's `consent.defaultMarketingOptIn`. */
  readonly defaultMarketingOptIn: boolean;
  /** Erasure receipts: records of an erased customer are refused until a profile created after the erasure registers them again. */
  readonly erasures: ErasureStore;
  /** Write records carrying `at` now, as any other (outside the simulator `at` is ignored), instead of handing them back. */
  readonly ignoreAt?: boolean;
}

export interface ImportResult {
  readonly imported: number;
  /** The records written now. */
  readonly records: readonly NdjsonLine[];
  readonly byType: Record<string, number>;
  readonly rejected: readonly NdjsonRejection[];
  /** Lines imported, but perhaps not as meant: a locale without templates, a record given again by a later line. */
  readonly warnings: readonly NdjsonWarning[];
  /** Customer lines imported (now or timed) without `marketingOptIn`: they carry `consent.defaultMarketingOptIn`. */
  readonly consentDefaulted: number;
  /** Records carrying `at`: not written now, handed back for whoever applies them later (the simulator); none with `ignoreAt`. */
  readonly timed: readonly NdjsonLine[];
  /** Records whose `at` was ignored (`ignoreAt`), written now. */
  readonly atIgnored: number;
}

const keyOf = (line: NdjsonLine): string => `${line.record.customerId}|${recordKeyOf(line.record)}|${line.at?.toISOString() ?? ''}`;

/**
 * Validates NDJSON and writes every valid record without `at` (with `ignoreAt`, every valid record);
 * each bad line is reported with its line and reason, and none stops the rest:
 * - a record the table would refuse (over 400 KB, a field name it cannot store) is rejected before
 *   anything is written, and one it refuses anyway is rejected when it does;
 * - the same record (same customer, type and id; and the same `at`) given on several lines is written
 *   once, from the last of them, as writing it again would update it; each earlier line gets a warning;
 * - a record of an erased customer (an old file imported again) is rejected, unless a customer record
 *   created after the erasure (in the file, or stored) registers them again;
 * - a customer line without `createdAt` or `marketingOptIn` keeps the stored profile's (withStoredProfileFacts).
 */
export const importNdjson = async (customers: CustomerStore, text: string, now: Date, options: ImportOptions): Promise<ImportResult> => {
  const parsed = parseNdjson(text, now, { defaultMarketingOptIn: options.defaultMarketingOptIn, ignoreAt: options.ignoreAt });
  const rejected: NdjsonRejection[] = [...parsed.rejected];
  const warnings: NdjsonWarning[] = [...parsed.warnings];

  const storable: NdjsonLine[] = [];
  for (const line of parsed.records) {
    const problem = storageProblemOf(line.record);
    if (problem) rejected.push({ line: line.line, record: recordNameOf(line.record), ...problem });
    else storable.push(line);
  }

  const lastLineOf = new Map<string, number>();
  for (const line of storable) lastLineOf.set(keyOf(line), line.line);
  const records: NdjsonLine[] = [];
  for (const line of storable) {
    const last = lastLineOf.get(keyOf(line))!;
    if (last === line.line) records.push(line);
    else {
      const record = recordNameOf(line.record);
      warnings.push({ line: line.line, record, field: 'record', reason: `${record} is given again on line ${last}; line ${last} is imported (the later line wins, as an update would)` });
    }
  }

  let immediate = await withStoredProfileFacts(customers, await withoutErasedCustomers(customers, options.erasures, records.filter((line) => line.at === undefined), rejected));
  try {
    await customers.putRecords(immediate.map((line) => line.record));
  } catch (error) {
    if (!(error instanceof UnwritableRecordsError)) throw error;
    const refused = new Map(error.records.map(({ index, reason }) => [index, reason]));
    immediate.forEach((line, index) => {
      const reason = refused.get(index);
      if (reason !== undefined) rejected.push({ line: line.line, record: recordNameOf(line.record), field: 'record', reason: `${line.record.type}: the table refused it: ${reason}` });
    });
    immediate = immediate.filter((_, index) => !refused.has(index));
  }

  const byType: Record<string, number> = {};
  for (const { record } of immediate) byType[record.type] = (byType[record.type] ?? 0) + 1;
  return {
    imported: immediate.length,
    records: immediate,
    byType,
    rejected: rejected.sort((a, b) => a.line - b.line),
    warnings: warnings.sort((a, b) => a.line - b.line),
    consentDefaulted: [...immediate, ...records.filter((line) => line.at !== undefined)].filter((line) => line.consentDefaulted).length,
    timed: records.filter((line) => line.at !== undefined),
    atIgnored: parsed.atIgnored,
  };
};

/**
 * The lines as they are to be written: what a customer line leaves out and the import filled in
 * (`createdAt`, the time it was read; `marketingOptIn`, `consent.defaultMarketingOptIn`) is the stored
 * profile's instead, so sending a profile again to update it neither makes the customer new again (the
 * floor counts createdAt as a contact; lift and the membership anniversary read it) nor gives back a
 * consent they withdrew, or takes away one they gave. Only a customer not stored yet keeps what was
 * filled in. The simulator writes its timed records through this too.
 */
export const withStoredProfileFacts = async (customers: CustomerStore, lines: readonly NdjsonLine[]): Promise<NdjsonLine[]> => {
  const filledIn = (line: NdjsonLine) => line.createdAtDefaulted === true || line.consentDefaulted === true;
  const incomplete = lines.filter(filledIn);
  if (incomplete.length === 0) return [...lines];
  // Read consistently: a profile written just before (the simulator's earlier timed line) is seen.
  const stored = await customers.getItems(incomplete.map((line) => ({ customerId: line.record.customerId, recordKey: PROFILE_RECORD_KEY })), { consistent: true });
  return lines.map((line) => {
    if (!filledIn(line)) return line;
    const profile = stored.get(`${line.record.customerId}|${PROFILE_RECORD_KEY}`) as { createdAt?: unknown; marketingOptIn?: unknown } | undefined;
    const createdAt = line.createdAtDefaulted && typeof profile?.createdAt === 'string' && customerSchema.shape.createdAt.safeParse(profile.createdAt).success ? profile.createdAt : undefined;
    const consent = line.consentDefaulted && typeof profile?.marketingOptIn === 'boolean' ? profile.marketingOptIn : undefined;
    if (createdAt === undefined && consent === undefined) return line;
    const { consentDefaulted: _, ...rest } = line;
    return {
      ...(consent === undefined ? line : rest), // consent kept as stored is not the default's
      record: { ...line.record, ...(createdAt === undefined ? {} : { createdAt }), ...(consent === undefined ? {} : { marketingOptIn: consent }) },
    };
  });
};

/** The lines to write now without those of erased customers, which are added to `rejected` with the reason. */
const withoutErasedCustomers = async (customers: CustomerStore, erasures: ErasureStore, lines: NdjsonLine[], rejected: NdjsonRejection[]): Promise<NdjsonLine[]> => {
  const receipts = await erasures.receiptsOf(lines.map((line) => line.record.customerId));
  if (receipts.size === 0) return lines;
  const stored = await customers.getProfiles([...receipts.keys()]);
  const profileOf = new Map<string, { createdAt?: unknown }>();
  for (const [customerId, profile] of stored) profileOf.set(customerId, profile as { createdAt?: unknown });
  // Judged as it will be written: a customer line without createdAt was given the import's time, which is
  // no proof of a return; it keeps the stored profile's (withStoredProfileFacts), which is one when that
  // profile registered them again.
  const asWritten = (line: NdjsonLine): { type: BusinessRecord['type']; customerId: string; createdAt?: unknown } =>
    line.createdAtDefaulted ? { ...line.record, createdAt: (stored.get(line.record.customerId) as { createdAt?: unknown } | undefined)?.createdAt } : line.record;
  // A customer line that registers them again makes the file's other records of theirs welcome.
  for (const line of lines) {
    const record = asWritten(line);
    if (record.type === 'customer' && erasedRecordReason(record, receipts.get(record.customerId)) === undefined) profileOf.set(record.customerId, record);
  }
  return lines.filter((line) => {
    const reason = erasedRecordReason(asWritten(line), receipts.get(line.record.customerId), profileOf.get(line.record.customerId));
    if (reason === undefined) return true;
    const field = line.record.type === 'customer' ? 'createdAt' : line.record.type === 'erasure' ? 'requestedAt' : 'customerId';
    rejected.push({ line: line.line, record: recordNameOf(line.record), field, reason: `${line.record.type}: ${reason}` });
    return false;
  });
};
