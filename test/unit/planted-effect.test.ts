import { beforeAll, describe, expect, it } from 'vitest';
import { binomialBand, runPlantedEffect, type PlantedEffectFigures } from '../../functions/core/measurement/planted-effect.js';
import { parseResponseModel } from '../../functions/core/measurement/response-model.js';

/**
 * Does the measurement recover an effect planted in a synthetic response model (issue #15)? Groups
 * from the real holdout assignment (a salt per seed), renewals from the model's own decision, the
 * comparison `retention lift` makes. Figures: `npm run bench:lift` prints them (docs/response-model.md).
 */

const baseline = { renews: 0.55, buysAgainPerDay: 0.004, complainsPerDay: 0.0005, reopens: 0.2 };
/** +0.10 on renewal after a renewal reminder: 65 % of treated customers renew, 55 % of held-out ones. */
const planted = parseResponseModel({ synthetic: true, description: 'planted: +0.10 on renewal', baseline, afterMessage: { renewal: { renews: 0.1 } } });
/** No effect: a reminder changes nothing. */
const none = parseResponseModel({ synthetic: true, description: 'no effect', baseline, afterMessage: {} });

describe('the measurement recovers a planted effect', () => {
  // 1000 seeds of 500 customers, 20 % held out (about 100 held out, 400 treated), both models on the same cohorts.
  const SEEDS = 1000;
  let withEffect: PlantedEffectFigures | undefined;
  let withoutEffect: PlantedEffectFigures | undefined;
  beforeAll(() => {
    [withEffect, withoutEffect] = runPlantedEffect({ seeds: SEEDS, customers: 500, holdoutPercent: 20, outcome: 'renewal', models: [planted, none] });
  });

  it('covers the planted difference in about 95 % of seeds', () => {
    console.log(`planted +0.10 on renewal, ${SEEDS} seeds × 500 customers, 20 % held out (mean ${withEffect!.meanHeldOut.toFixed(1)}): the 95 % interval covered the true difference in ${withEffect!.covered} seeds (${(withEffect!.coverage * 100).toFixed(1)} %)`);
    const [low, high] = binomialBand(0.95, SEEDS);
    expect(withEffect!.trueDifference).toBeCloseTo(0.1, 12);
    expect(withEffect!.coverage).toBeGreaterThanOrEqual(low); // 0.922
    expect(withEffect!.coverage).toBeLessThanOrEqual(high); // 0.978
  });

  it('finds no effect beyond chance when none is planted', () => {
    console.log(`no effect planted, ${SEEDS} seeds: the interval excluded zero in ${withoutEffect!.excludedZero} seeds (${(withoutEffect!.excludedZeroShare * 100).toFixed(1)} %); covered 0 in ${(withoutEffect!.coverage * 100).toFixed(1)} %`);
    const [low, high] = binomialBand(0.05, SEEDS);
    expect(withoutEffect!.trueDifference).toBe(0);
    expect(withoutEffect!.excludedZeroShare).toBeGreaterThanOrEqual(low); // 0.022
    expect(withoutEffect!.excludedZeroShare).toBeLessThanOrEqual(high); // 0.078
  });

  it('excludes zero in at least 90 % of seeds when the groups are large enough', () => {
    // 5000 customers at 10 %: about 500 held out; the minimum detectable effect is about 7 points.
    const seeds = 100;
    const [large] = runPlantedEffect({ seeds, customers: 5000, holdoutPercent: 10, outcome: 'renewal', models: [planted], firstSeed: 10_001 });
    console.log(`planted +0.10, ${seeds} seeds × 5000 customers, 10 % held out (mean ${large!.meanHeldOut.toFixed(1)}): the interval excluded zero in ${large!.excludedZero} seeds (${(large!.excludedZeroShare * 100).toFixed(1)} %)`);
    expect(large!.excludedZeroShare).toBeGreaterThanOrEqual(0.9);
  });
});
