import { MIN_SAMPLE_SIZE } from '../sample.js';
import { wilsonInterval, Z_95 } from './proportions.js';

/**
 * Whole-cohort figures from a simulation of a sample of its customers (core/sample.ts), each with its
 * 95 % interval.
 *
 * The customer is the sampling unit (a simple random sample of n of the N customers, without
 * replacement), and every figure is a sum over customers of a per-customer count (messages sent,
 * expired, … of a campaign; cap and floor violations). So a total is estimated as N × the sample's mean
 * per customer, and its interval is the normal (central limit) one from the per-customer variance with
 * the finite-population correction:
 *
 *     estimate = N · ȳ        standard error = N · √((1 − n/N) · s² / n)
 *
 * where s² is the sample variance of the per-customer counts. The correction makes the interval shrink
 * to nothing as the sample becomes the cohort. Two guards where the normal approximation is poor:
 * - A total of counts is never below what the sample itself holds (its messages are in the cohort too).
 * - A rare figure (fewer than RARE customers of the sample have any) has a skewed sampling
 *   distribution, and with none at all s² is 0: the interval then reaches at least as far as the
 *   sample's own total ± (N − n) × the Wilson upper bound of the share of customers who have any × their
 *   mean (absolute) count (a Wilson interval is the rule for a share, proportions.ts), so "0 in the
 *   sample" reads "0 to a few hundred", and "no change in the sample" "a few hundred either way",
 *   never "exactly 0".
 * - When every sampled customer has the same non-zero count c, s² is 0 too: the interval then reaches
 *   at least N·c ± (N − n) × the Wilson upper bound of none of n × c (the rest may be unlike the sample),
 *   never "exactly N·c".
 * A sample needs at least MIN_SAMPLE_SIZE (2) customers, unless it is the whole cohort.
 *
 * A difference between two configurations run on the same sample is paired per customer: its interval
 * comes from the variance of each customer's own difference (after − before), which removes what the
 * customers have in common under both (most of it) and is much tighter than two independent intervals.
 */

export interface SampleDesign {
  /** Customers simulated. */
  readonly n: number;
  /** Customers in the whole cohort. */
  readonly N: number;
}

export interface Estimate {
  /** The figure scaled to the whole cohort. */
  readonly estimate: number;
  /** Its interval (95 % unless another z was asked for). */
  readonly interval: readonly [number, number];
  readonly standardError: number;
  /** What the sample itself counted. */
  readonly sampleTotal: number;
}

/** Below this many customers with a non-zero count, a figure is rare and its upper bound comes from Wilson too. */
export const RARE = 10;

const checkDesign = ({ n, N }: SampleDesign, values: readonly number[]) => {
  if (!Number.isInteger(n) || !Number.isInteger(N) || n < 1 || n > N) throw new RangeError(`a sample of ${n} of ${N} customers is not a sample`);
  // One customer has no spread to measure (s² would divide by n − 1 = 0): no interval could be given.
  if (n < MIN_SAMPLE_SIZE && n < N) throw new RangeError(`a sample of ${n} of ${N} customers is too small: at least ${MIN_SAMPLE_SIZE} are needed for an interval`);
  if (values.length !== n) throw new RangeError(`${values.length} per-customer values for a sample of ${n}`);
};

/**
 * The whole cohort's total of a per-customer figure, from its values for the n sampled customers
 * (zeros included). `counts`: the values are counts (≥ 0), so the guards above apply; false for
 * per-customer differences. `z`: the interval's z (default 95 %).
 */
export const estimateTotal = (values: readonly number[], design: SampleDesign, options: { readonly counts?: boolean; readonly z?: number } = {}): Estimate => {
  checkDesign(design, values);
  const { n, N } = design;
  const z = options.z ?? Z_95;
  const counts = options.counts ?? true;
  const sampleTotal = values.reduce((sum, v) => sum + v, 0);
  const mean = sampleTotal / n;
  const estimate = N * mean;
  if (n === N) return { estimate, interval: [estimate, estimate], standardError: 0, sampleTotal };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  const standardError = N * Math.sqrt((1 - n / N) * (variance / n));
  let low = estimate - z * standardError;
  let high = estimate + z * standardError;
  if (variance === 0 && mean !== 0) {
    // Every sampled customer has the same count: s² = 0 says nothing of the others. As with none (below),
    // the share of the rest unlike them is at most Wilson's upper bound for none of n, each as far off as that count.
    const rest = (N - n) * wilsonInterval({ n, events: 0 }, z)[1] * Math.abs(mean);
    low = Math.min(low, estimate - rest);
    high = Math.max(high, estimate + rest);
  }
  const having = values.filter((v) => v !== 0);
  if (having.length < RARE) {
    const perHaving = having.length === 0 ? 1 : having.reduce((sum, v) => sum + Math.abs(v), 0) / having.length;
    // Of the customers not in the sample, the share who have any is at most Wilson's upper bound.
    const rest = (N - n) * wilsonInterval({ n, events: having.length }, z)[1] * perHaving;
    high = Math.max(high, sampleTotal + rest);
    if (!counts) low = Math.min(low, sampleTotal - rest);
  }
  if (counts) low = Math.max(low, sampleTotal);
  return { estimate, interval: [low, high], standardError, sampleTotal };
};

/** The whole cohort's change in a figure between two configurations run on the same sample: paired per customer. */
export const estimatePairedDifference = (before: readonly number[], after: readonly number[], design: SampleDesign, options: { readonly z?: number } = {}): Estimate => {
  if (before.length !== after.length) throw new RangeError(`${before.length} customers before and ${after.length} after: not the same sample`);
  return estimateTotal(
    after.map((value, i) => value - before[i]!),
    design,
    { counts: false, z: options.z },
  );
};

/** The z of a two-sided 99.9 % interval (for checks that must not fail by chance). */
export const Z_999 = 3.290526731491926;
