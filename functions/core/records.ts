import * as z from './schema.js';
import { isValidBirthday, isValidLocalDate, isValidTimeZone } from './calendar.js';
import { InvalidRecordError } from './errors.js';
import { firstInexactNumber } from './inexact-number.js';
import { maskEmail, maskEmailsIn } from './mask.js';
import { PREFERENCES_RECORD_KEY } from './preferences.js';

/**
 * The six records a business writes (SPEC.md, "Data the business writes"), validated by schema.
 * Unknown fields are kept (loose objects) and ignored, but on import one whose name is a near miss of
 * a known field (`marketingOptin`, `birthdate`) is a reject: a misspelt field must never silently
 * become its default. A rejection names the record, the field and the value.
 */

const isoInstant = z.iso.datetime({ offset: true, error: 'is not an ISO-8601 instant' });
const localDate = z.string().check(z.refine(isValidLocalDate, { error: 'is not a date (YYYY-MM-DD)' }));
/**
 * An id as it is kept: without the spaces at either end (` c-1 ` is `c-1`). Whatever groups a file's
 * lines by customer before the import reads them (`--sample`, `preview --data`) goes by this too.
 */
export const canonicalId = (text: string): string => text.trim();

const id = z.string().check(
  z.overwrite(canonicalId),
  z.minLength(1, { error: 'must not be empty' }),
  z.maxLength(200, { error: 'is longer than 200 characters' }),
  // Message ids are `customerId#campaign#occurrence`: a '#' inside an id would let two records make the same one.
  z.refine((value) => !value.includes('#'), { error: "must not contain '#' (it separates the parts of message ids)" }),
);

/** The languages the e-mail templates are written in (functions/core/templates/); any other falls back. */
export const locales = ['en', 'es', 'ro'] as const;
export type Locale = (typeof locales)[number];

/**
 * The template language a customer's locale is written to: the locale itself, else its language
 * (`es-MX` → `es`), else English.
 */
export const templateLocaleOf = (locale: string): Locale => {
  const known = (tag: string): tag is Locale => (locales as readonly string[]).includes(tag);
  if (known(locale)) return locale;
  const language = locale.split('-')[0]!.toLowerCase();
  return known(language) ? language : 'en';
};

/**
 * A language tag in its canonical form, or undefined when it is none. Tags are case-insensitive
 * (BCP 47): `ES` is `es`, `Es-mx` is `es-MX`, as templates and pages read them. A tag of the usual
 * shape that Intl does not take (`es-MX-MX`) keeps its form with the language in lower case.
 */
const canonicalLanguageTag = (tag: string): string | undefined => {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(tag)) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return tag.replace(/^[a-z]+/i, (language) => language.toLowerCase());
  }
};

export const tiers = ['standard', 'silver', 'gold', 'diamond'] as const;

export const customerSchema = z.looseObject({
  type: z.literal('customer'),
  customerId: id,
  email: z.email({ error: 'is not a valid e-mail address' }).check(z.maxLength(254)),
  timeZone: z.string().check(z.refine(isValidTimeZone, { error: 'unknown time zone' })),
  name: z.optional(z.string().check(z.maxLength(200))),
  // Any language tag is accepted, in any case, and kept in its canonical form; a locale without templates is written to in English.
  locale: z._default(z.pipe(z.string().check(z.refine((tag) => canonicalLanguageTag(tag) !== undefined, { error: 'is not a language tag' })), z.transform((tag) => canonicalLanguageTag(tag)!)), 'en'),
  birthday: z.optional(z.string().check(z.refine(isValidBirthday, { error: 'is not a date (YYYY-MM-DD or --MM-DD)' }))),
  tier: z._default(z.enum(tiers, { error: `is not one of ${tiers.join(', ')}` }), 'standard'),
  loyaltyPoints: z._default(z.wholeNumber(0, undefined, 'must be an integer ≥ 0'), 0),
  // Consent is never assumed: an import resolves a missing value from `consent.defaultMarketingOptIn`
  // (shipped false) and stores it; a stored profile without it reads as no consent.
  marketingOptIn: z._default(z.boolean({ error: 'must be true or false' }), false),
  createdAt: z.optional(isoInstant),
});

export const contractSchema = z.looseObject({
  type: z.literal('contract'),
  contractId: id,
  customerId: id,
  endsOn: localDate,
  plan: z.optional(z.string().check(z.maxLength(200))),
  autoRenew: z._default(z.boolean({ error: 'must be true or false' }), false),
  status: z._default(z.enum(['active', 'renewed', 'cancelled'], { error: 'is not one of active, renewed, cancelled' }), 'active'),
});

export const complaintSchema = z.looseObject({
  type: z.literal('complaint'),
  complaintId: id,
  customerId: id,
  openedAt: isoInstant,
  subject: z.optional(z.string().check(z.maxLength(500))),
  status: z._default(z.enum(['open', 'resolved'], { error: 'is not one of open, resolved' }), 'open'),
  resolvedAt: z.optional(isoInstant),
  /** When a resolved complaint was opened again (its status back to `open`): what `retention lift` counts as reopened. */
  reopenedAt: z.optional(isoInstant),
});

export const interactionSchema = z.looseObject({
  type: z.literal('interaction'),
  interactionId: id,
  customerId: id,
  completedAt: isoInstant,
  kind: z._default(z.enum(['purchase', 'service', 'support'], { error: 'is not one of purchase, service, support' }), 'purchase'),
});

export const surveyResponseSchema = z.looseObject({
  type: z.literal('surveyResponse'),
  surveyId: id,
  customerId: id,
  score: z.wholeNumber(0, 10, 'must be an integer from 0 to 10'),
  respondedAt: z.optional(isoInstant),
});

/** The customer asked to be forgotten (SPEC.md, Personal data): every item of theirs goes, and nothing brings their mail back but a new profile. */
export const erasureSchema = z.looseObject({
  type: z.literal('erasure'),
  customerId: id,
  requestedAt: z.optional(isoInstant),
});

const schemas = {
  customer: customerSchema,
  contract: contractSchema,
  complaint: complaintSchema,
  interaction: interactionSchema,
  surveyResponse: surveyResponseSchema,
  erasure: erasureSchema,
} as const;

export type RecordType = keyof typeof schemas;
export const recordTypes = Object.keys(schemas) as RecordType[];

export type Customer = z.output<typeof customerSchema> & { createdAt: string };
export type Contract = z.output<typeof contractSchema>;
export type Complaint = z.output<typeof complaintSchema>;
export type Interaction = z.output<typeof interactionSchema>;
export type SurveyResponse = z.output<typeof surveyResponseSchema>;
export type Erasure = z.output<typeof erasureSchema>;
export type BusinessRecord = Customer | Contract | Complaint | Interaction | SurveyResponse | Erasure;

/** The field of each record type that names it. */
const idField: Record<RecordType, string> = {
  customer: 'customerId',
  contract: 'contractId',
  complaint: 'complaintId',
  interaction: 'interactionId',
  surveyResponse: 'surveyId',
  erasure: 'customerId',
};

export interface RecordRejection {
  /** `customer c-1` where the type and id could be read, else what is known. */
  readonly record: string;
  readonly field: string;
  readonly reason: string;
}

/** Something an imported record does that works, but perhaps not as the business meant (a locale without templates). */
export type RecordWarning = RecordRejection;

export type ParseResult =
  | { readonly ok: true; readonly record: BusinessRecord }
  | { readonly ok: false; readonly rejection: RecordRejection };

export interface ParseOptions {
  /** A customer without `marketingOptIn` gets this (`consent.defaultMarketingOptIn` on import); false when not given. */
  readonly defaultMarketingOptIn?: boolean;
  /**
   * Refuse fields whose name is a near miss of a known one (the store's own attributes aside): all of
   * them (import), or only those standing for a field the record leaves out (a stored record, which may
   * carry attributes of the business's own beside the fields it names right).
   */
  readonly refuseNearMisses?: boolean | 'ofMissingFields';
}

/** How a rejected value is shown: quoted, shortened, and never a full e-mail address. */
const showValue = (field: string, value: unknown): string => {
  if (value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (text.includes('@')) text = maskEmail(text);
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `'${text}'`;
};

/** `customer c-1`; an id that is an e-mail address (some businesses use them) is shown masked, as values are. */
const describeRecord = (raw: Record<string, unknown>): string => {
  const type = typeof raw.type === 'string' ? raw.type : 'record';
  const key = type in idField ? raw[idField[type as RecordType]] : undefined;
  return typeof key === 'string' && key.length > 0 && key.length <= 200 ? `${type} ${maskEmailsIn(key)}` : type;
};

/** `customer c-1`, `contract k-7`: how a valid record is named in rejects and warnings. */
export const recordNameOf = (record: BusinessRecord): string => describeRecord(record as unknown as Record<string, unknown>);

const reject = (record: string, field: string, reason: string): ParseResult => ({ ok: false, rejection: { record, field, reason } });

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Edit distance counting a swap of two neighbours as one edit (`emial` → `email`). */
const editDistance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
};

/** Case, `_`, `-` and spaces do not make a different field: `marketing_opt_in` is `marketingOptIn`. */
const normalizedName = (name: string): string => name.toLowerCase().replace(/[\s_-]/g, '');

/** A name's words, lower-cased: its camelCase parts, or those between `_`, `-` and spaces (`timeZoneId` → time, zone, id). */
const wordsOf = (name: string): string[] =>
  name.split(/[\s_-]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter((word) => word !== '').map((word) => word.toLowerCase());

/**
 * An unknown field that names something beside a known one rather than misspelling it: a numbered
 * sibling (`email2`), its plural (`emails`, `customerIds`), a word more at the end (`timeZoneId`), or
 * another last word (`createdBy`, `customerNo` beside `createdAt`, `customerId`). A last word that
 * keeps a letter of the known one in place is a slip of it (`marketingOptIm`), a word left out
 * (`marketingOpt`) is too, and so is another word for when (`createdOn`): those are still near misses.
 */
const isFieldOfItsOwn = (name: string, field: string): boolean => {
  const wanted = normalizedName(name);
  const target = normalizedName(field);
  if (/\d$/.test(wanted) && wanted.replace(/\d+$/, '') === target) return true;
  if (wanted === `${target}s`) return true;
  const words = wordsOf(name);
  const knownWords = wordsOf(field);
  if (words.length >= 2 && words.slice(0, -1).join('') === target) return true;
  if (words.length !== knownWords.length || words.length < 2 || words.slice(0, -1).join('') !== knownWords.slice(0, -1).join('')) return false;
  const [last, knownLast] = [words.at(-1)!, knownWords.at(-1)!];
  // Another word for the same moment (`createdOn`, `requestedDate` for `createdAt`, `requestedAt`) is the
  // known field under the business's own name: ignored, it would leave the moment out unseen.
  if (TIME_WORDS.includes(last) && TIME_WORDS.includes(knownLast)) return false;
  return editDistance(last, knownLast) === Math.max(last.length, knownLast.length);
};

/** Last words that say when: a field ending in one is the same field as a known one ending in another. */
const TIME_WORDS = ['at', 'on', 'date', 'time', 'when'];

/**
 * The known field an unknown one is a near miss of: equal but for case and separators, or a typo away
 * (one edit for names of 5 to 7 letters, two from 8 on; short names only by case), unless it is a
 * field of the business's own beside it (isFieldOfItsOwn). Undefined when none.
 */
export const nearMissOf = (name: string, known: readonly string[]): string | undefined => {
  if (known.includes(name)) return undefined;
  const wanted = normalizedName(name);
  let best: { field: string; distance: number } | undefined;
  for (const field of known) {
    const target = normalizedName(field);
    if (isFieldOfItsOwn(name, field)) continue;
    const allowed = target.length >= 8 ? 2 : target.length >= 5 ? 1 : 0;
    const distance = wanted === target ? 0 : Math.abs(wanted.length - target.length) > allowed ? Infinity : editDistance(wanted, target);
    if (distance <= allowed && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
};

/** Attributes the store adds to a record: its sort key and the keys of the sparse indexes. */
export const storedAttributes = ['recordKey', 'birthdayMonthDay', 'renewalEndsOn'] as const;

/** The fields each record type knows, `type` included, and `at` (taken off before the record is read; `At` is a near miss of it). */
const knownFields = Object.fromEntries(Object.entries(schemas).map(([type, schema]) => [type, [...Object.keys(schema.shape), 'at']])) as Record<RecordType, string[]>;

/**
 * Validates one decoded record. `now` fills a customer's missing `createdAt` (the import time); a
 * missing `marketingOptIn` takes `options.defaultMarketingOptIn`, so what is stored always says.
 */
export const parseRecord = (raw: unknown, now: Date, options: ParseOptions = {}): ParseResult => {
  if (!isPlainObject(raw)) return reject('record', 'type', 'record: not a JSON object');
  let input = raw as Record<string, unknown>;
  const record = describeRecord(input);
  const type = input.type;
  if (typeof type !== 'string' || !(type in schemas)) {
    const guess = typeof type === 'string' ? nearMissOf(type, recordTypes) : undefined;
    const reason = type === undefined
      ? 'record.type: required field is missing'
      : `record.type: unknown record type ${showValue('type', type)} (${guess ? `did you mean '${guess}'?` : `expected one of ${recordTypes.join(', ')}`})`;
    return reject(record, 'type', reason);
  }
  if (options.refuseNearMisses) {
    for (const name of Object.keys(input)) {
      if ((storedAttributes as readonly string[]).includes(name)) continue;
      const meant = nearMissOf(name, knownFields[type as RecordType]);
      if (meant !== undefined && options.refuseNearMisses === 'ofMissingFields' && input[meant] !== undefined) continue;
      if (meant !== undefined) return reject(record, name, `${type}.${name}: not a field of ${type}; did you mean '${meant}'?`);
    }
  }
  if (type === 'customer' && input.marketingOptIn === undefined) input = { ...input, marketingOptIn: options.defaultMarketingOptIn ?? false };
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

/**
 * What an imported record does that works, but perhaps not as meant: a locale without templates; a
 * complaint open again after its resolution that does not say when (its follow-ups start again from `reopenedAt`).
 */
export const warningsOf = (record: BusinessRecord): RecordWarning[] => {
  if (record.type === 'complaint') {
    const reopenedUnsaid = record.status === 'open' && record.resolvedAt !== undefined && (record.reopenedAt === undefined || Date.parse(record.reopenedAt) <= Date.parse(record.resolvedAt));
    if (!reopenedUnsaid) return [];
    const when = record.reopenedAt === undefined ? 'without reopenedAt' : `with reopenedAt ${showValue('reopenedAt', record.reopenedAt)}, before it`;
    return [{ record: recordNameOf(record), field: 'reopenedAt', reason: `complaint.reopenedAt: open again after it was resolved (${record.resolvedAt}) ${when}; say when it was opened again, or it gets no new check-ins and no second "how did we do?"` }];
  }
  if (record.type !== 'customer') return [];
  const fallback = templateLocaleOf(record.locale);
  if (fallback === record.locale || fallback === record.locale.split('-')[0]) return [];
  return [{ record: recordNameOf(record), field: 'locale', reason: `customer.locale: no templates in ${showValue('locale', record.locale)}; this customer's e-mails go in '${fallback}'` }];
};

/** JSON number literals of a line, outside strings, as written. */
const numberLiterals = (text: string): string[] => {
  const literals: string[] = [];
  const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (let match = token.exec(text); match; match = token.exec(text)) if (match[0][0] !== '"') literals.push(match[0]);
  return literals;
};

/** Numbers DynamoDB would refuse or round, anywhere in a record, with the path to each. */
const numbersOutOfRange = (value: unknown, path: string[] = []): { path: string[]; value: number }[] => {
  if (typeof value === 'number') {
    const size = Math.abs(value);
    return size > Number.MAX_SAFE_INTEGER || (size > 0 && size < 1e-130) ? [{ path, value }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => numbersOutOfRange(item, [...path, String(i)]));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([key, item]) => numbersOutOfRange(item, [...path, key]));
  return [];
};

/**
 * A number that would not be kept as written: JSON.parse has already rounded an integer beyond 2^53,
 * so the reason quotes the line's own digits. Null when every number is safe.
 */
const numberProblemOf = (raw: unknown, text: string): RecordRejection | null => {
  const [problem] = numbersOutOfRange(raw);
  if (!problem) return null;
  const written = numberLiterals(text).find((literal) => Number(literal) === problem.value) ?? String(problem.value);
  const shown = written.length > 60 ? `${written.slice(0, 57)}...` : written;
  const record = isPlainObject(raw) ? describeRecord(raw) : 'record';
  const type = isPlainObject(raw) && typeof raw.type === 'string' ? raw.type : 'record';
  const field = problem.path.join('.');
  const why = Math.abs(problem.value) > Number.MAX_SAFE_INTEGER
    ? `is beyond 2^53 (±${Number.MAX_SAFE_INTEGER}), the largest number kept exactly; it would be rounded (write it as a string)`
    : 'is closer to zero than can be stored (1e-130); write it as a string';
  return { record, field, reason: `${type}.${field}: '${shown}' ${why}` };
};

export interface NdjsonLine {
  readonly line: number;
  readonly record: BusinessRecord;
  /** When the simulator applies this record (SPEC.md `at`); absent for records imported at once. */
  readonly at?: Date;
  /** A customer whose line had no `marketingOptIn`: the record carries the default it was given. */
  readonly consentDefaulted?: true;
  /**
   * A customer whose line had no `createdAt`: the record carries the time it was read (an old file's
   * line looks the same); written, it keeps a stored profile's instead (withStoredProfileFacts).
   */
  readonly createdAtDefaulted?: true;
}

export interface NdjsonRejection extends RecordRejection {
  readonly line: number;
}

/**
 * A reject or warning as a person reads it: the line, the record when it has an id the reason does
 * not already name (`line 2 (customer c-2): customer.timeZone: …`), and the reason.
 */
export const describeLine = ({ line, record, reason }: { readonly line: number; readonly record?: string; readonly reason: string }): string => {
  const named = identifiedRecord(record);
  return `line ${line}${named && !reason.includes(named) ? ` (${named})` : ''}: ${reason}`;
};

/** A reject's record when it names one (`customer c-2`), not just a kind (`customer`, a `line` that is not JSON). */
export const identifiedRecord = (record: string | undefined): string | undefined => (record?.includes(' ') ? record : undefined);

/** What JSON.parse said of a line, without the piece of the line V8 quotes (it may hold an address). */
const jsonErrorOf = (error: Error): string => maskEmailsIn(error.message.replace(/,?\s*(\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, ''));

export type NdjsonWarning = NdjsonRejection;

export interface NdjsonParseResult {
  readonly records: NdjsonLine[];
  readonly rejected: NdjsonRejection[];
  readonly warnings: NdjsonWarning[];
  /** Valid records whose `at` was ignored (`ignoreAt`). */
  readonly atIgnored: number;
}

export interface NdjsonOptions {
  /** What a customer without `marketingOptIn` gets: `consent.defaultMarketingOptIn`; false when not given. */
  readonly defaultMarketingOptIn?: boolean;
  /** `at` is ignored (SPEC.md: only the simulator applies it): taken off, each record read as of `now`. */
  readonly ignoreAt?: boolean;
}

/**
 * Splits NDJSON text into valid records and line-numbered rejections and warnings; blank lines are
 * skipped. Every customer record comes out with an explicit `marketingOptIn`.
 */
export const parseNdjson = (text: string, now: Date, options: NdjsonOptions = {}): NdjsonParseResult => {
  const records: NdjsonLine[] = [];
  const rejected: NdjsonRejection[] = [];
  const warnings: NdjsonWarning[] = [];
  const parseOptions: ParseOptions = { defaultMarketingOptIn: options.defaultMarketingOptIn ?? false, refuseNearMisses: true };
  let atIgnored = 0;
  text.split(/\r?\n/).forEach((content, index) => {
    const line = index + 1;
    if (content.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (error) {
      rejected.push({ line, record: 'line', field: 'json', reason: `line is not JSON (${jsonErrorOf(error as Error)})` });
      return;
    }
    const numberProblem = numberProblemOf(raw, content);
    if (numberProblem) {
      rejected.push({ line, ...numberProblem });
      return;
    }
    let at: unknown;
    let ignoredAt = false;
    if (isPlainObject(raw) && 'at' in raw) {
      ({ at, ...raw } = raw); // `at` says when to apply the record; it is not part of it
      if (options.ignoreAt) {
        ignoredAt = true;
        at = undefined;
      } else if (!isoInstant.safeParse(at).success) {
        rejected.push({ line, record: describeRecord(raw as Record<string, unknown>), field: 'at', reason: `record.at: is not an ISO-8601 instant ${showValue('at', at)}` });
        return;
      }
    }
    const result = parseRecord(raw, at === undefined ? now : new Date(at as string), parseOptions);
    if (!result.ok) {
      rejected.push({ line, ...result.rejection });
      return;
    }
    if (ignoredAt) atIgnored++;
    const written = raw as Record<string, unknown>;
    const consentDefaulted = result.record.type === 'customer' && written.marketingOptIn === undefined;
    const createdAtDefaulted = result.record.type === 'customer' && written.createdAt === undefined;
    records.push({
      line,
      record: result.record,
      ...(at === undefined ? {} : { at: new Date(at as string) }),
      ...(consentDefaulted ? { consentDefaulted } : {}),
      ...(createdAtDefaulted ? { createdAtDefaulted } : {}),
    });
    warnings.push(...warningsOf(result.record).map((warning) => ({ line, ...warning })));
  });
  return { records, rejected, warnings, atIgnored };
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
export const parseStoredRecord = (item: unknown, type: RecordType, now: Date): ParseResult => {
  const inexact = firstInexactNumber(item, '');
  if (inexact && isPlainObject(item)) {
    const reason = `${type}.${inexact.path}: number '${inexact.digits}' cannot be read exactly (beyond ±${Number.MAX_SAFE_INTEGER})`;
    return reject(describeRecord({ type, ...item }), inexact.path, reason);
  }
  // A record a business system wrote straight into the table: a misspelt field (`marketingOptin`,
  // `Status`) must not read as the field left out, as on import; beside the field itself, a near miss is
  // taken for an attribute of the business's own (`customer` beside `customerId`).
  return parseRecord(isPlainObject(item) && item.type === undefined ? { ...item, type } : item, now, { refuseNearMisses: 'ofMissingFields' });
};

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

/**
 * The items of the Customers table the customer stream is handed, in Lambda (the event source's filter,
 * infra/compute-stack.ts) and in the local runner alike: the profile, what the customer chose (their
 * preferences bear on their plan), and every other record type by its key's prefix.
 */
export const streamedRecordKeys = {
  equal: [PROFILE_RECORD_KEY, PREFERENCES_RECORD_KEY],
  prefixes: recordTypes.filter((type) => type !== 'customer').map((type) => `${type}#`),
} as const;

export const isStreamedRecordKey = (recordKey: string): boolean =>
  (streamedRecordKeys.equal as readonly string[]).includes(recordKey) || streamedRecordKeys.prefixes.some((prefix) => recordKey.startsWith(prefix));
