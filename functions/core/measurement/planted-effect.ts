import type { RetentionConfig } from '../config.js';
import { isHeldOut } from './holdout.js';
import { compareProportions, type Proportion } from './proportions.js';
import { AFTER_MESSAGE_DAYS, buysOnDay, dayOf, extraPurchaseDay, renewalDraw, renewalProbability, renewsWith, type MessageKind, type ResponseModel } from './response-model.js';

/**
 * The planted-effect experiment (docs/response-model.md): does the measurement recover an effect
 * planted in a synthetic response model? For each seed, a cohort whose groups come from the real
 * holdout assignment (a salt per seed, so the groups reshuffle), outcomes decided by the model's own
 * decision functions (treated customers sent the message, held-out ones not), and the comparison
 * `retention lift` makes (compareProportions). It counts how often the 95 % interval covers the
 * difference the model planted, and how often it excludes zero. Pure and deterministic: the
 * planted-effect test and `npm run bench:lift` run it.
 */

/** What is compared: a contract renewed on its end (after a renewal reminder), or a purchase within 30 days (after a keep-in-touch message). */
export type PlantedOutcome = 'renewal' | 'buysAgain';

export interface PlantedEffectRun {
  readonly seeds: number;
  /** Customers in each seed's cohort. */
  readonly customers: number;
  readonly holdoutPercent: number;
  readonly outcome: PlantedOutcome;
  /** Models judged on the same cohorts (e.g. one with an effect planted and one without). */
  readonly models: readonly ResponseModel[];
  /** The first seed (seeds are firstSeed, firstSeed + 1, …). */
  readonly firstSeed?: number;
}

export interface PlantedEffectFigures {
  readonly outcome: PlantedOutcome;
  readonly seeds: number;
  readonly customers: number;
  readonly holdoutPercent: number;
  /** The difference the model planted: treated rate minus held-out rate, from its probabilities. */
  readonly trueDifference: number;
  /** Seeds whose 95 % interval held the true difference. */
  readonly covered: number;
  /** Seeds whose interval lay wholly above or below zero. */
  readonly excludedZero: number;
  /** covered / seeds. */
  readonly coverage: number;
  /** excludedZero / seeds: the power when an effect is planted, the false-positive rate when none is. */
  readonly excludedZeroShare: number;
  /** The mean size of the held-out group. */
  readonly meanHeldOut: number;
}

/** The message a treated customer is sent for each outcome. */
const MESSAGE_OF: Record<PlantedOutcome, MessageKind> = { renewal: 'renewal', buysAgain: 'keepInTouch' };

/** The cohort's day: contracts end on it (renewal); the message is sent on it and purchases are counted in the 30 days after (buys again). */
const DAY = '2027-03-01';
const SENT_AT = `${DAY}T09:00:00.000Z`;
const dayAfter = (n: number) => dayOf(new Date(Date.parse(`${DAY}T00:00:00.000Z`) + n * 86_400_000));
const WINDOW = Array.from({ length: AFTER_MESSAGE_DAYS }, (_, i) => dayAfter(i + 1));

/** The difference a model plants in an outcome, from its probabilities. */
export const trueDifferenceOf = (model: ResponseModel, outcome: PlantedOutcome): number => {
  if (outcome === 'renewal') return renewalProbability(model, [MESSAGE_OF.renewal]) - renewalProbability(model, []);
  const noPurchase = (1 - model.baseline.buysAgainPerDay) ** AFTER_MESSAGE_DAYS;
  return noPurchase * (model.afterMessage[MESSAGE_OF.buysAgain]?.buysAgain ?? 0);
};

export const runPlantedEffect = (run: PlantedEffectRun): PlantedEffectFigures[] => {
  const firstSeed = run.firstSeed ?? 1;
  const message = MESSAGE_OF[run.outcome];
  const tallies = run.models.map(() => ({ covered: 0, excludedZero: 0 }));
  const truths = run.models.map((model) => trueDifferenceOf(model, run.outcome));
  let heldOutTotal = 0;
  for (let seed = firstSeed; seed < firstSeed + run.seeds; seed++) {
    const measurement: RetentionConfig['measurement'] = { holdoutPercent: run.holdoutPercent, salt: `planted-effect-${seed}`, campaigns: {} };
    const groups = run.models.map(() => ({ treated: { n: 0, events: 0 }, heldOut: { n: 0, events: 0 } }));
    for (let i = 0; i < run.customers; i++) {
      const customerId = `c-${i}`;
      const heldOut = isHeldOut(customerId, message, measurement);
      const kinds: MessageKind[] = heldOut ? [] : [message];
      // Renewal: one draw, judged by each model (decideRenewal is renewsWith of renewalDraw).
      const u = run.outcome === 'renewal' ? renewalDraw(seed, { customerId, contractId: `k-${i}`, endsOn: DAY }) : 0;
      run.models.forEach((model, m) => {
        const outcome =
          run.outcome === 'renewal'
            ? renewsWith(model, kinds, u)
            : WINDOW.some((day) => buysOnDay(model, seed, customerId, day)) ||
              (!heldOut && extraPurchaseDay(model, seed, { customerId, messageId: `${customerId}#${message}#${DAY}`, campaign: message, sentAt: SENT_AT }) !== null);
        const group: { n: number; events: number } = heldOut ? groups[m]!.heldOut : groups[m]!.treated;
        group.n++;
        if (outcome) group.events++;
      });
    }
    heldOutTotal += groups[0]?.heldOut.n ?? 0;
    groups.forEach(({ treated, heldOut }, m) => {
      const { interval } = compareProportions(treated as Proportion, heldOut as Proportion);
      if (interval[0] <= truths[m]! && truths[m]! <= interval[1]) tallies[m]!.covered++;
      if (interval[0] > 0 || interval[1] < 0) tallies[m]!.excludedZero++;
    });
  }
  return run.models.map((_, m) => ({
    outcome: run.outcome,
    seeds: run.seeds,
    customers: run.customers,
    holdoutPercent: run.holdoutPercent,
    trueDifference: truths[m]!,
    covered: tallies[m]!.covered,
    excludedZero: tallies[m]!.excludedZero,
    coverage: tallies[m]!.covered / run.seeds,
    excludedZeroShare: tallies[m]!.excludedZero / run.seeds,
    meanHeldOut: heldOutTotal / run.seeds,
  }));
};

/** The band a share observed over `seeds` trials should fall in: the expected share ± 4 binomial standard errors, within [0, 1]. */
export const binomialBand = (expected: number, seeds: number): readonly [number, number] => {
  const half = 4 * Math.sqrt((expected * (1 - expected)) / seeds);
  return [Math.max(0, expected - half), Math.min(1, expected + half)];
};
