import type { CohortSample } from '../core/sample.js';
import { estimatePairedDifference, estimateTotal, type Estimate, type SampleDesign } from '../core/measurement/sample-estimates.js';
import { checkBand, sentOnALaterDay } from './band-check.js';
import type { SimulationResult } from './simulation.js';
import type { MessageState } from '../core/messages.js';

/**
 * A simulation's figures counted per customer, so that a run on a sample (core/sample.ts) can be scaled
 * to the whole cohort with an interval (core/measurement/sample-estimates.ts): every figure the summary
 * and `config diff` print is a sum over customers of one customer's count.
 */

/** Figure name → customer id → count (absent: 0). In the order they are printed. */
export type CustomerFigures = Map<string, Map<string, number>>;

const STATES: readonly [Exclude<MessageState, 'planned' | 'sending' | 'deferred'>, string][] = [
  ['sent', 'sent'],
  ['expired', 'expired'],
  ['suppressed', 'suppressed'],
  ['cancelled', 'cancelled'],
  ['heldOut', 'held out'],
];

/** Messages sent, by campaign and state; still deferred when the window closed; band violations: each per customer. */
export const customerFiguresOf = (result: Pick<SimulationResult, 'report' | 'waiting' | 'floorSubjects'>): CustomerFigures => {
  const { report } = result;
  const figures: CustomerFigures = new Map();
  const add = (figure: string, customerId: string, by = 1) => {
    const counts = figures.get(figure) ?? new Map<string, number>();
    counts.set(customerId, (counts.get(customerId) ?? 0) + by);
    figures.set(figure, counts);
  };
  const campaigns = Object.keys(report.summary.byCampaign).sort();
  for (const campaign of campaigns) {
    for (const [, label] of STATES) figures.set(`${campaign} ${label}`, new Map());
    figures.set(`${campaign} sent late (deferred by the cap)`, new Map());
    figures.set(`${campaign} deferred, still waiting`, new Map());
  }
  for (const [, label] of STATES) figures.set(`messages ${label}`, new Map());
  for (const name of ['cap violations', 'floor violations', 'sent in quiet hours', 'duplicates']) figures.set(name, new Map());

  const byCustomer = new Map<string, typeof report.messages>();
  for (const message of report.messages) {
    const label = STATES.find(([state]) => state === message.state)?.[1];
    if (label === undefined) continue;
    add(`${message.campaign} ${label}`, message.customerId);
    add(`messages ${label}`, message.customerId);
    if (sentOnALaterDay(message, report.config.cadence)) add(`${message.campaign} sent late (deferred by the cap)`, message.customerId);
    byCustomer.set(message.customerId, [...(byCustomer.get(message.customerId) ?? []), message]);
  }
  for (const message of result.waiting) if (message.state === 'deferred') add(`${message.campaign} deferred, still waiting`, message.customerId);

  // The band, checked one customer at a time: every violation is one customer's.
  const subjects = new Map(result.floorSubjects.map((subject) => [subject.customerId, subject]));
  for (const customerId of new Set([...byCustomer.keys(), ...subjects.keys()])) {
    const subject = subjects.get(customerId);
    const band = checkBand({ ...report, messages: byCustomer.get(customerId) ?? [] }, report.config, subject ? [subject] : []);
    if (band.cap.length) add('cap violations', customerId, band.cap.length);
    if (band.floor.length) add('floor violations', customerId, band.floor.length);
    if (band.quietHours.length) add('sent in quiet hours', customerId, band.quietHours.length);
    if (band.duplicates.length) add('duplicates', customerId, band.duplicates.length);
  }
  return figures;
};

/** How long the window is in months of 30.44 days, as messages per customer per month count it. */
export const monthsOf = (window: { readonly start: string; readonly end: string }): number => (Date.parse(window.end) - Date.parse(window.start)) / (30.44 * 86_400_000);

/** A figure's total over the customers: what the simulation counted. */
export const totalOf = (counts: ReadonlyMap<string, number> | undefined): number => [...(counts ?? new Map<string, number>()).values()].reduce((sum, v) => sum + v, 0);

/** What a run on a sample says of the whole cohort (the JSON report's `sample`). */
export interface SampleSection {
  /** Customers simulated. */
  readonly n: number;
  /** Customers in the whole cohort (distinct ids in the file). */
  readonly N: number;
  /** The key of the sample's ranks (core/sample.ts). */
  readonly key: string;
  readonly method: string;
  /** Each figure scaled to the whole cohort, with its 95 % interval. */
  readonly figures: Record<string, ScaledFigure>;
  /** Messages sent per customer per month, over the whole cohort: the scaled total over N and the window's months. */
  readonly messagesPerCustomerMonth: ScaledFigure;
}

export interface ScaledFigure {
  /** What the sample counted. */
  readonly sample: number;
  /** Scaled to the whole cohort (× N / n). */
  readonly estimate: number;
  readonly interval: readonly [number, number];
}

export const SAMPLE_METHOD =
  'customers are the sampling unit (the n with the smallest HMAC-SHA256 of their id under the sample key): a total is N × the mean per sampled customer, ' +
  'its 95 % interval normal from the per-customer variance with the finite-population correction (1 − n/N), never below the sample\'s own count, ' +
  'and for a figure fewer than 10 sampled customers have, reaching at least the Wilson upper bound of that share (both ways for a change); differences between configurations are paired per customer';

const rounded = (value: number, digits = 1) => Number(value.toFixed(digits));

const scaled = (estimate: Estimate, digits = 1): ScaledFigure => ({
  sample: estimate.sampleTotal,
  estimate: rounded(estimate.estimate, digits),
  interval: [rounded(estimate.interval[0], digits), rounded(estimate.interval[1], digits)],
});

/** Per sampled customer, in the sample's order, the figure's count. */
const valuesOf = (counts: ReadonlyMap<string, number> | undefined, customerIds: readonly string[]) => customerIds.map((id) => counts?.get(id) ?? 0);

export const designOf = (sample: Pick<CohortSample, 'size' | 'population'>): SampleDesign => ({ n: sample.size, N: sample.population });

/** Every figure of a run on a sample, scaled to the whole cohort with its interval. */
export const scaleToCohort = (
  figures: CustomerFigures,
  sample: Pick<CohortSample, 'size' | 'population' | 'customerIds' | 'key'>,
  window: { readonly start: string; readonly end: string },
  z?: number,
): SampleSection => {
  const design = designOf(sample);
  const estimates = Object.fromEntries([...figures].map(([name, counts]) => [name, estimateTotal(valuesOf(counts, sample.customerIds), design, { z })]));
  return {
    n: sample.size,
    N: sample.population,
    key: sample.key,
    method: SAMPLE_METHOD,
    figures: Object.fromEntries(Object.entries(estimates).map(([name, estimate]) => [name, scaled(estimate)])),
    messagesPerCustomerMonth: perCustomerMonth(estimates['messages sent']!, design, window),
  };
};

/** A count of messages (or its change) as messages per customer per month of the window: the sample's own, and the cohort's estimate with its interval. */
export const perCustomerMonth = (estimate: Estimate, design: SampleDesign, window: { readonly start: string; readonly end: string }): ScaledFigure => {
  const months = monthsOf(window);
  const perMonth = design.N * months;
  return {
    sample: rounded(estimate.sampleTotal / design.n / months, 3),
    estimate: rounded(estimate.estimate / perMonth, 3),
    interval: [rounded(estimate.interval[0] / perMonth, 3), rounded(estimate.interval[1] / perMonth, 3)],
  };
};

/** A figure's change between two configurations run on the same sample, estimated for the whole cohort: paired per customer. */
export const pairedDifference = (before: ReadonlyMap<string, number> | undefined, after: ReadonlyMap<string, number> | undefined, sample: Pick<CohortSample, 'size' | 'population' | 'customerIds'>, z?: number): Estimate =>
  estimatePairedDifference(valuesOf(before, sample.customerIds), valuesOf(after, sample.customerIds), designOf(sample), { z });

/** The same, rounded as a figure is shown. */
export const scaledDifference = (before: ReadonlyMap<string, number> | undefined, after: ReadonlyMap<string, number> | undefined, sample: Pick<CohortSample, 'size' | 'population' | 'customerIds'>, z?: number): ScaledFigure =>
  scaled(pairedDifference(before, after, sample, z));

/** `12,340 (95 % interval 12,010 to 12,670)`. */
export const withInterval = (figure: ScaledFigure, digits = 0): string => `${count(figure.estimate, digits)} (95 % interval ${count(figure.interval[0], digits)} to ${count(figure.interval[1], digits)})`;

/** A number with thousands separators, rounded. */
export const count = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `scaled from 2,000 of 100,000 customers` */
export const scaledFrom = (sample: Pick<SampleSection, 'n' | 'N'>): string => `scaled from ${count(sample.n)} of ${count(sample.N)} customers`;
