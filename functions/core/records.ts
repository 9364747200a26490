import { z } from 'zod';
import { isValidBirthday, isValidLocalDate, isValidTimeZone } from './calendar.js';
import { InvalidRecordError } from './errors.js';
import { maskEmail } from './mask.js';

/**
 * The five records a business writes (SPEC.md, "Data the business writes"), validated by schema.
 * Unknown fields are kept (loose objects) and ignored. A rejection names the record, the field and the value.
 */

const isoInstant = z.iso.datetime({ offset: true, error: 'is not an ISO-8601 instant' });
const localDate = z.string().refine(isValidLocalDate, { error: 'is not a date (YYYY-MM-DD)' });
const id = z.string().trim().min(1, { error: 'must not be empty' }).max(200, { error: 'is longer than 200 characters' });

export const locales = ['en', 'es', 'ro'] as const;
export type Locale = (typeof locales)[number];
export const tiers = ['standard', 'silver', 'gold', 'diamond'] as const;

export const customerSchema = z.looseObject({
  type: z.literal('customer'),
  customerId: id,
  email: z.email({ error: 'is not a valid e-mail address' }).max(254),
  timeZone: z.string().refine(isValidTimeZone, { error: 'unknown time zone' }),
  name: z.string().max(200).optional(),
  // Any language tag is accepted; a locale without templates is written to in English.
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: 'is not a language tag' }).default('en'),
  birthday: z.string().refine(isValidBirthday, { error: 'is not a date (YYYY-MM-DD or --MM-DD)' }).optional(),
  tier: z.enum(tiers, { error: `is not one of ${tiers.join(', ')}` }).default('standard'),
  loyaltyPoints: z.number({ error: 'must be an integer ≥ 0' }).int({ error: 'must be an integer ≥ 0' }).min(0, { error: 'must be an integer ≥ 0' }).default(0),
  marketingOptIn: z.boolean({ error: 'must be true or false' }).default(true),
  createdAt: isoInstant.optional(),
});

export const contractSchema = z.looseObject({
  type: z.literal('contract'),
  contractId: id,
  customerId: id,
  endsOn: localDate,
  plan: z.string().max(200).optional(),
  autoRenew: z.boolean({ error: 'must be true or false' }).default(false),
  status: z.enum(['active', 'renewed', 'cancelled'], { error: 'is not one of active, renewed, cancelled' }).default('active'),
});

export const complaintSchema = z.looseObject({
  type: z.literal('complaint'),
  complaintId: id,
  customerId: id,
  openedAt: isoInstant,
  subject: z.string().max(500).optional(),
  status: z.enum(['open', 'resolved'], { error: 'is not one of open, resolved' }).default('open'),
  resolvedAt: isoInstant.optional(),
});

export const interactionSchema = z.looseObject({
  type: z.literal('interaction'),
  interactionId: id,
  customerId: id,
  completedAt: isoInstant,
  kind: z.enum(['purchase', 'service', 'support'], { error: 'is not one of purchase, service, support' }).default('purchase'),
});

export const surveyResponseSchema = z.looseObject({
  type: z.literal('surveyResponse'),
  surveyId: id,
  customerId: id,
  score: z.number({ error: 'must be an integer from 0 to 10' }).int({ error: 'must be an integer from 0 to 10' }).min(0, { error: 'must be an integer from 0 to 10' }).max(10, { error: 'must be an integer from 0 to 10' }),
  respondedAt: isoInstant.optional(),
});

const schemas = {
  customer: customerSchema,
  contract: contractSchema,
  complaint: complaintSchema,
  interaction: interactionSchema,
  surveyResponse: surveyResponseSchema,
} as const;

export type RecordType = keyof typeof schemas;
export const recordTypes = Object.keys(schemas) as RecordType[];

export type Customer = z.output<typeof customerSchema> & { createdAt: string };
export type Contract = z.output<typeof contractSchema>;
export type Complaint = z.output<typeof complaintSchema>;
export type Interaction = z.output<typeof interactionSchema>;
export type SurveyResponse = z.output<typeof surveyResponseSchema>;
export type BusinessRecord = Customer | Contract | Complaint | Interaction | SurveyResponse;

/** The field of each record type that names it. */
const idField: Record<RecordType, string> = {
  customer: 'customerId',
  contract: 'contractId',
  complaint: 'complaintId',
  interaction: 'interactionId',
  surveyResponse: 'surveyId',
};

export interface RecordRejection {
  /** `customer c-1` where the type and id could be read, else what is known. */
  readonly record: string;
  readonly field: string;
  readonly reason: string;
}

export type ParseResult =
  | { readonly ok: true; readonly record: BusinessRecord }
  | { readonly ok: false; readonly rejection: RecordRejection };

/** How a rejected value is shown: quoted, shortened, and never a full e-mail address. */
const showValue = (field: string, value: unknown): string => {
  if (value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (text.includes('@')) text = maskEmail(text);
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `'${text}'`;
};

const describeRecord = (raw: Record<string, unknown>): string => {
  const type = typeof raw.type === 'string' ? raw.type : 'record';
  const key = type in idField ? raw[idField[type as RecordType]] : undefined;
  return typeof key === 'string' && key.length > 0 && key.length <= 200 ? `${type} ${key}` : type;
};

const reject = (record: string, field: string, reason: string): ParseResult => ({ ok: false, rejection: { record, field, reason } });

/**
 * Validates one decoded record. `now` fills a customer's missing `createdAt` (the import time).
 */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const parseRecord = (raw: unknown, now: Date): ParseResult => {
  if (!isPlainObject(raw)) return reject('record', 'type', 'record: not a JSON object');
  const input = raw as Record<string, unknown>;
  const record = describeRecord(input);
  const type = input.type;
  if (typeof type !== 'string' || !(type in schemas)) {
    const reason = type === undefined ? 'record.type: required field is missing' : `record.type: unknown record type ${showValue('type', type)} (expected one of ${recordTypes.join(', ')})`;
    return reject(record, 'type', reason);
  }
  const parsed = schemas[type as RecordType].safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'record';
    const value = input[String(issue.path[0])];
    const reason = value === undefined && issue.path.length > 0
      ? `${type}.${field}: required field is missing`
      : `${type}.${field}: ${issue.message} ${showValue(field, value)}`.trimEnd();
    return reject(record, field, reason);
  }
  const valid = parsed.data as BusinessRecord;
  if (valid.type === 'customer' && valid.createdAt === undefined) return { ok: true, record: { ...valid, createdAt: now.toISOString() } };
  if (valid.type === 'complaint' && valid.status === 'resolved' && valid.resolvedAt === undefined) {
    return reject(record, 'resolvedAt', 'complaint.resolvedAt: required when status is resolved');
  }
  return { ok: true, record: valid };
};

export interface NdjsonLine {
  readonly line: number;
  readonly record: BusinessRecord;
  /** When the simulator applies this record (SPEC.md `at`); absent for records imported at once. */
  readonly at?: Date;
}

export interface NdjsonRejection extends RecordRejection {
  readonly line: number;
}

export interface NdjsonParseResult {
  readonly records: NdjsonLine[];
  readonly rejected: NdjsonRejection[];
}

/** Splits NDJSON text into valid records and line-numbered rejections; blank lines are skipped. */
export const parseNdjson = (text: string, now: Date): NdjsonParseResult => {
  const records: NdjsonLine[] = [];
  const rejected: NdjsonRejection[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    const line = index + 1;
    if (content.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (error) {
      rejected.push({ line, record: 'line', field: 'json', reason: `line is not JSON (${(error as Error).message})` });
      return;
    }
    let at: unknown;
    if (isPlainObject(raw) && 'at' in raw) {
      ({ at, ...raw } = raw); // `at` says when to apply the record; it is not part of it
      if (!isoInstant.safeParse(at).success) {
        rejected.push({ line, record: describeRecord(raw as Record<string, unknown>), field: 'at', reason: `record.at: is not an ISO-8601 instant ${showValue('at', at)}` });
        return;
      }
    }
    const result = parseRecord(raw, at === undefined ? now : new Date(at as string));
    if (result.ok) records.push({ line, record: result.record, ...(at === undefined ? {} : { at: new Date(at as string) }) });
    else rejected.push({ line, ...result.rejection });
  });
  return { records, rejected };
};

/** Where a record lives in the customer's partition: the profile under `customer`, others under `<type>#<id>`. */
export const recordKeyOf = (record: BusinessRecord): string =>
  record.type === 'customer' ? 'customer' : `${record.type}#${(record as unknown as Record<string, string>)[idField[record.type]]}`;

export const PROFILE_RECORD_KEY = 'customer';

/** Which record type a key in the customer's partition holds (the inverse of `recordKeyOf`); undefined for other items. */
export const recordTypeOfKey = (recordKey: string): RecordType | undefined => {
  const type = recordKey === PROFILE_RECORD_KEY ? 'customer' : recordKey.slice(0, recordKey.indexOf('#'));
  return (recordTypes as string[]).includes(type) ? (type as RecordType) : undefined;
};

/** A stored record validated as an imported one; one written without `type` is taken to be the `type` its key names. */
export const parseStoredRecord = (item: unknown, type: RecordType, now: Date): ParseResult =>
  parseRecord(isPlainObject(item) && item.type === undefined ? { ...item, type } : item, now);

type RecordOfType<T extends RecordType> = Extract<BusinessRecord, { type: T }>;

/**
 * A record as stored (by our import or written directly by a business system, perhaps without
 * `type`), checked against the same schema as an imported one. Throws InvalidRecordError naming
 * the record, field and value.
 */
export const recordFromItem = <T extends RecordType>(item: unknown, type: T, now: Date): RecordOfType<T> => {
  const result = parseStoredRecord(item, type, now);
  if (!result.ok) throw new InvalidRecordError(result.rejection.record, result.rejection.field, result.rejection.reason);
  if (result.record.type !== type) throw new InvalidRecordError(result.record.type, 'type', `expected a ${type}, got a ${result.record.type}`);
  return result.record as RecordOfType<T>;
};

export const customerFromItem = (item: unknown, now: Date): Customer => recordFromItem(item, 'customer', now);
