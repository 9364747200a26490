import { createHmac } from 'node:crypto';
import { canonicalId, isPlainObject } from './records.js';

/**
 * A stable random sample of a cohort's customers (`simulate --sample <n>`, `config diff --sample <n>`).
 *
 * The sampling unit is the customer: every line of an NDJSON file that names a `customerId` belongs to
 * that customer, and a sampled customer comes with all their lines (profile, contracts, interactions,
 * complaints, survey answers, erasures, timed `at` records); an unsampled customer's lines are dropped
 * before anything is imported.
 *
 * Each customer has a rank: HMAC-SHA256 of their id under the fixed key SAMPLE_KEY. The sample of n is
 * the n customers with the smallest ranks (a "bottom-n" sample), which gives:
 * - exactly n customers (all of them when the cohort has n or fewer);
 * - a simple random sample without replacement: every set of n customers is equally likely, as far as
 *   the hash is random, which is what the intervals (sample-estimates.ts) assume;
 * - the same sample in every run, on every machine, whatever the order of the lines;
 * - nesting: the sample of n is inside the sample of n + 1;
 * - stability as the file changes: lines added for customers already in the file change nothing, and
 *   a customer in the sample stays in it when customers are added unless a newcomer ranks below them
 *   (then the newcomer takes the place of the highest-ranked one: the sample of the grown file, less
 *   the newcomers, is a part of the old sample, never a customer the old sample left out).
 *
 * SAMPLE_KEY is a constant, not a setting: holdout places (measurement/holdout.ts) are an HMAC under
 * the configuration's `measurement.salt`, a different key, so the two are independent and a sample
 * holds about the holdout's share of its customers and held-out figures scale like the others. (Only
 * a `measurement.salt` set to this very key would tie the two.)
 */
export const SAMPLE_KEY = 'retention-sample-v1';

/** A customer's rank in every sample: the keyed hash of their id, as 64 hex digits (compared as text). */
export const sampleRankOf = (customerId: string, key: string = SAMPLE_KEY): string => createHmac('sha256', key).update(customerId).digest('hex');

/** The customer a line belongs to: its `customerId` as the import keeps it, when it is a JSON object that has one as a (non-blank) string. */
const customerOfLine = (line: string): string | undefined => {
  try {
    const value: unknown = JSON.parse(line);
    if (isPlainObject(value) && typeof value.customerId === 'string') return canonicalId(value.customerId) || undefined;
  } catch {
    // Not JSON: the import rejects it, with its line.
  }
  return undefined;
};

export interface CohortSample {
  /** The sampled NDJSON: the kept lines in their order. */
  readonly text: string;
  /** Customers in the sample (n). */
  readonly size: number;
  /** Customers in the whole file (N): distinct ids named by its lines. */
  readonly population: number;
  /** The sampled customers' ids, lowest rank first. */
  readonly customerIds: readonly string[];
  /** The key of the ranks. */
  readonly key: string;
  /** Line numbers (1-based) in the whole file of the kept lines, in order: `originalLine[k - 1]` is kept line k. */
  readonly originalLine: readonly number[];
  /** Lines kept that name no customer (blank lines are dropped): not JSON, or without a customerId; the import rejects them. */
  readonly unattributed: number;
}

/**
 * The sample of `size` customers of an NDJSON cohort (see above). Lines that name no customer are kept,
 * so the import still reports them; blank lines are dropped.
 */
export const sampleCohort = (text: string, size: number, key: string = SAMPLE_KEY): CohortSample => {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`a sample needs a whole number of customers ≥ 1, got ${size}`);
  const lines = text.split(/\r?\n/);
  const owners = lines.map((line) => (line.trim() === '' ? null : customerOfLine(line)));
  const ids = [...new Set(owners.filter((owner): owner is string => typeof owner === 'string'))];
  const ranked = ids.map((id) => ({ id, rank: sampleRankOf(id, key) })).sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : 1));
  const chosen = ranked.slice(0, size).map(({ id }) => id);
  const inSample = new Set(chosen);
  const kept: string[] = [];
  const originalLine: number[] = [];
  let unattributed = 0;
  owners.forEach((owner, index) => {
    if (owner === null) return;
    if (owner === undefined) unattributed++;
    else if (!inSample.has(owner)) return;
    kept.push(lines[index]!);
    originalLine.push(index + 1);
  });
  return { text: kept.join('\n'), size: chosen.length, population: ids.length, customerIds: chosen, key, originalLine, unattributed };
};

/** The smallest sample: one customer says nothing of how much customers vary, so its figures would have no interval. */
export const MIN_SAMPLE_SIZE = 2;

/**
 * `--sample <n>` as typed: a whole number ≥ MIN_SAMPLE_SIZE. Refused with the option and the value otherwise.
 * (A sample larger than the cohort is not refused here: the whole cohort runs, and says so.)
 */
export const parseSampleSize = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 1) throw new RangeError(`--sample '${value}' is not a whole number of customers ≥ ${MIN_SAMPLE_SIZE}`);
  if (n < MIN_SAMPLE_SIZE) throw new RangeError(`--sample '${value}' is too small: a sample needs at least ${MIN_SAMPLE_SIZE} customers to tell how much customers vary`);
  return n;
};
