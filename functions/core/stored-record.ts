import { birthdayIndexKey } from './campaigns/birthday.js';
import { renewalIndexKey } from './campaigns/renewal.js';
import { recordKeyOf, recordNameOf, storedAttributes, type BusinessRecord } from './records.js';

/**
 * A business record as the Customers table stores it, and whether DynamoDB can store it at all.
 * Checked on import before anything is written, so one record the table would refuse is a reject
 * with its line and reason, not an error that stops the records behind it.
 */

/** The item written for a record: the record, its key in the customer's partition and, where it has one, its index key. */
export const storedItemOf = (record: BusinessRecord): Record<string, unknown> => {
  const item: Record<string, unknown> = { ...record, recordKey: recordKeyOf(record) };
  if (record.type === 'customer') {
    const indexKey = birthdayIndexKey(record);
    if (indexKey !== undefined) item.birthdayMonthDay = indexKey;
  }
  if (record.type === 'contract') {
    const indexKey = renewalIndexKey(record);
    if (indexKey !== undefined) item.renewalEndsOn = indexKey;
  }
  return item;
};

/** DynamoDB's item size limit: 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB refuses attributes nested deeper than 32 levels (the item itself is the first). */
const MAX_NESTED_CONTAINERS = 31;
const MAX_NAME_BYTES = 65_535;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The size DynamoDB counts for a value (its documented rules: a number costs about a byte per two significant digits, plus one). */
export const valueBytes = (value: unknown): number => {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') {
    const digits = Math.abs(value).toExponential().split('e')[0]!.replace('.', '').length;
    return Math.ceil(digits / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, item) => sum + 1 + valueBytes(item), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [name, item]) => sum + 1 + utf8Bytes(name) + valueBytes(item), 0);
  return 0;
};

/** An item's size as DynamoDB counts it against the 400 KB limit. */
export const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8Bytes(name) + valueBytes(value), 0);

/** The first name DynamoDB would refuse (empty, or over 64 KB) or the first value nested too deep, with its path. */
const shapeProblemOf = (value: unknown, path: string[], depth: number): { path: string[]; reason: string } | null => {
  if (value === null || typeof value !== 'object') return null;
  if (depth > MAX_NESTED_CONTAINERS) return { path, reason: 'is nested deeper than the 32 levels that can be stored' };
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
  for (const [name, item] of entries) {
    if (!Array.isArray(value) && name === '') return { path, reason: 'has a field with an empty name, which cannot be stored' };
    if (!Array.isArray(value) && utf8Bytes(name) > MAX_NAME_BYTES) return { path, reason: 'has a field name longer than 64 KB, which cannot be stored' };
    const problem = shapeProblemOf(item, [...path, name], depth + 1);
    if (problem) return problem;
  }
  return null;
};

export interface StorageProblem {
  readonly field: string;
  readonly reason: string;
}

/**
 * Why the table would refuse this record, or null: a field named like one the store adds, a shape
 * DynamoDB refuses (an empty field name, nesting beyond 32 levels), or an item over 400 KB. Numbers
 * beyond 2^53 are caught while the line is read (parseNdjson), where the digits as written are known.
 */
export const storageProblemOf = (record: BusinessRecord): StorageProblem | null => {
  const { type } = record;
  for (const name of storedAttributes) {
    if (name in record) return { field: name, reason: `${type}.${name}: the store keeps this name for its own keys; rename the field` };
  }
  for (const [name, value] of Object.entries(record)) {
    if (name === '') return { field: name, reason: `${type}: has a field with an empty name, which cannot be stored` };
    const problem = shapeProblemOf(value, [name], 1);
    if (problem) return { field: problem.path.join('.'), reason: `${type}.${problem.path.join('.')}: ${problem.reason}` };
  }
  const item = storedItemOf(record);
  const bytes = itemBytes(item);
  if (bytes > MAX_ITEM_BYTES) {
    const [largest] = Object.entries(record).map(([name, value]) => ({ name, bytes: utf8Bytes(name) + valueBytes(value) })).sort((a, b) => b.bytes - a.bytes);
    return {
      field: largest!.name,
      reason: `${recordNameOf(record)}: ${bytes.toLocaleString('en')} bytes as stored, over the 400 KB (${MAX_ITEM_BYTES.toLocaleString('en')} bytes) a record may take; its largest field is '${largest!.name}' (${largest!.bytes.toLocaleString('en')} bytes)`,
    };
  }
  return null;
};

/** A record the table refused although it passed every check (a store's limit not foreseen here). */
export interface UnwritableRecord {
  /** Its position in the list handed to `putRecords`. */
  readonly index: number;
  readonly reason: string;
}

/**
 * Thrown by `CustomerStore.putRecords` after every other record was written, naming the ones the
 * table refused; an error that is no record's fault (the table unreachable) is thrown as it is.
 */
export class UnwritableRecordsError extends Error {
  override readonly name = 'UnwritableRecordsError';
  constructor(readonly records: readonly UnwritableRecord[]) {
    super(`${records.length} record(s) refused by the table: ${records.map((r) => `#${r.index}: ${r.reason}`).join('; ')}`);
  }
}
