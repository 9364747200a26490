import { describe, expect, it } from 'vitest';
import { compareProportions, describeComparison, MIN_GROUP_SIZE, wilsonInterval } from '../../functions/core/measurement/proportions.js';

const p = (events: number, n: number) => ({ events, n });

describe("Newcombe's hybrid score interval for a difference of proportions", () => {
  // Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion / for the difference
  // between independent proportions. Statistics in Medicine 17, 873–890: Table II, method 10.
  it.each([
    ['56/70 − 48/80', p(56, 70), p(48, 80), 0.0524, 0.3339],
    ['9/10 − 3/10', p(9, 10), p(3, 10), 0.1705, 0.809],
    ['6/7 − 2/7', p(6, 7), p(2, 7), 0.0582, 0.8062],
    ['5/56 − 0/29', p(5, 56), p(0, 29), -0.0381, 0.1926],
    ['0/10 − 0/20', p(0, 10), p(0, 20), -0.1611, 0.2775],
    ['0/10 − 0/10', p(0, 10), p(0, 10), -0.2775, 0.2775],
    ['10/10 − 0/20', p(10, 10), p(0, 20), 0.6791, 1],
    ['10/10 − 0/10', p(10, 10), p(0, 10), 0.6075, 1],
  ])('%s: the published interval', (_, treated, heldOut, lower, upper) => {
    const { interval, difference } = compareProportions(treated, heldOut);
    expect(interval[0]).toBeCloseTo(lower, 4);
    expect(interval[1]).toBeCloseTo(upper, 4);
    expect(difference).toBeCloseTo(treated.events / treated.n - heldOut.events / heldOut.n, 12);
  });

  it('is symmetric: swapping the groups negates the interval', () => {
    const a = compareProportions(p(56, 70), p(48, 80));
    const b = compareProportions(p(48, 80), p(56, 70));
    expect(b.interval[0]).toBeCloseTo(-a.interval[1], 12);
    expect(b.interval[1]).toBeCloseTo(-a.interval[0], 12);
  });

  it('never reaches outside [-1, 1] and always holds the difference', () => {
    for (const [t, h] of [[p(0, 1), p(1, 1)], [p(1, 1), p(0, 1)], [p(3, 4), p(0, 200)], [p(0, 500), p(500, 500)]] as const) {
      const { interval, difference } = compareProportions(t, h);
      expect(interval[0]).toBeGreaterThanOrEqual(-1);
      expect(interval[1]).toBeLessThanOrEqual(1);
      expect(interval[0]).toBeLessThanOrEqual(difference);
      expect(interval[1]).toBeGreaterThanOrEqual(difference);
    }
  });

  it('an empty group: the interval is everything possible, no minimum detectable effect, too small', () => {
    const comparison = compareProportions(p(0, 0), p(4, 40));
    expect(comparison.interval[0]).toBeCloseTo(-1, 12);
    expect(comparison.interval[1]).toBeCloseTo(1, 12);
    expect(comparison.minimumDetectable).toBeNull();
    expect(comparison.verdict).toBe('tooSmall');
    expect(wilsonInterval(p(0, 0))).toEqual([0, 1]);
  });

  it.each([
    ['events above n', p(5, 4), p(1, 10)],
    ['negative events', p(1, 10), p(-1, 10)],
    ['a fraction', p(1.5, 10), p(1, 10)],
    ['negative n', p(0, -1), p(1, 10)],
  ])('refuses what is not a proportion: %s', (_, treated, heldOut) => {
    expect(() => compareProportions(treated, heldOut)).toThrow(RangeError);
  });
});

describe('the verdict and the minimum detectable effect', () => {
  it(`is tooSmall below ${MIN_GROUP_SIZE} in either group, even with a large difference`, () => {
    expect(compareProportions(p(29, 29), p(0, 29)).verdict).toBe('tooSmall');
    expect(compareProportions(p(300, 300), p(0, MIN_GROUP_SIZE - 1)).verdict).toBe('tooSmall');
    expect(compareProportions(p(30, 30), p(0, 30)).verdict).toBe('higher');
  });

  it('higher, lower, noDifference follow the interval against zero', () => {
    expect(compareProportions(p(80, 100), p(50, 100)).verdict).toBe('higher');
    expect(compareProportions(p(50, 100), p(80, 100)).verdict).toBe('lower');
    expect(compareProportions(p(52, 100), p(50, 100)).verdict).toBe('noDifference');
  });

  it('falls as the groups grow; a small holdout limits it more than a large treated group helps', () => {
    const sizes = [30, 100, 300, 1000, 10_000];
    const effects = sizes.map((n) => compareProportions(p(Math.round(n * 0.3), n), p(Math.round(n * 0.3), n)).minimumDetectable!);
    for (let i = 1; i < effects.length; i++) expect(effects[i]!).toBeLessThan(effects[i - 1]!);
    expect(compareProportions(p(3000, 10_000), p(30, 100)).minimumDetectable!).toBeGreaterThan(compareProportions(p(300, 1000), p(300, 1000)).minimumDetectable!);
  });

  it('meets its formula on the harder side: d = 1.96 √(p̄q̄ (1/n₁ + 1/n₂)) + 0.84 √(p₁q₁/n₁ + p₂q₂/n₂), p₁ = p₂ ± d', () => {
    const [zAlpha, zPower] = [1.959963984540054, 0.8416212335729143];
    const rightSide = (n1: number, n2: number, p1: number, p2: number) => {
      const pooled = (n1 * p1 + n2 * p2) / (n1 + n2);
      return zAlpha * Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) + zPower * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
    };

    // Act
    // Nobody had the outcome: only upwards is there room.
    const none = compareProportions(p(0, 100), p(0, 100)).minimumDetectable!;
    // 30 % in both: upwards is the harder side, the variance grows towards 50 %.
    const some = compareProportions(p(300, 1000), p(300, 1000)).minimumDetectable!;

    // Assess
    expect(none).toBeCloseTo(rightSide(100, 100, none, 0), 9);
    expect(some).toBeCloseTo(rightSide(1000, 1000, 0.3 + some, 0.3), 9);
    expect(some).toBeGreaterThan(rightSide(1000, 1000, 0.3 - some, 0.3));
  });

  /** The chance that the 95 % interval leaves out zero when treated ~ Binomial(n₁, p₁) and held out ~ Binomial(n₂, p₂), by enumeration. */
  const exactPower = (n1: number, p1: number, n2: number, p2: number): number => {
    const logFactorials = [0];
    for (let i = 1; i <= Math.max(n1, n2); i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
    const binomial = (x: number, n: number, rate: number) =>
      rate === 0 || rate === 1 ? Number(x === n * rate) : Math.exp(logFactorials[n]! - logFactorials[x]! - logFactorials[n - x]! + x * Math.log(rate) + (n - x) * Math.log(1 - rate));
    let power = 0;
    for (let x1 = 0; x1 <= n1; x1++) {
      for (let x2 = 0; x2 <= n2; x2++) {
        const { interval } = compareProportions(p(x1, n1), p(x2, n2));
        if (interval[0] > 0 || interval[1] < 0) power += binomial(x1, n1, p1) * binomial(x2, n2, p2);
      }
    }
    return power;
  };

  it.each([
    ['nobody had it, 100 and 100', p(0, 100), p(0, 100)],
    ['nobody held out had it, 100 and 30', p(0, 100), p(0, 30)],
    ['30 % of 100 and 100', p(30, 100), p(30, 100)],
    ['10 % of 100 and 100', p(10, 100), p(10, 100)],
    ['182 treated, 18 held out', p(40, 182), p(4, 18)],
    ['13 treated, 2 held out, none of them', p(2, 13), p(0, 2)],
    ['98 % held out', p(1, 50), p(49, 50)],
  ])('%s: a difference that large from the held-out rate is found about four times in five (the exact power of the interval)', (_, treated, heldOut) => {
    // Act
    const d = compareProportions(treated, heldOut).minimumDetectable!;
    // Assess: on the side it was found on (upwards where there is room, the harder side).
    const p2 = heldOut.events / heldOut.n;
    const p1 = p2 + d <= 1 ? p2 + d : p2 - d;
    const power = exactPower(treated.n, p1, heldOut.n, p2);
    expect(power).toBeGreaterThan(0.7);
    expect(power).toBeLessThan(0.92);
  });

  it('is not overstated when nobody had the outcome: 0 of 100 against 0 of 100 needs about 7.5 points, not 2.8', () => {
    // Act
    const comparison = compareProportions(p(0, 100), p(0, 100));
    // Assess: 2.8 points (the pooled rate's floor this replaced) would be found less than one time in five.
    expect(exactPower(100, 0.028, 100, 0)).toBeLessThan(0.2);
    expect(comparison.minimumDetectable!).toBeGreaterThan(0.07);
    expect(comparison.minimumDetectable!).toBeLessThan(0.08);
    expect(describeComparison('were reopened', comparison, { counted: 'complaints' })).toContain('only a difference of about 7.5 points or more');
  });
});

describe('the sentence', () => {
  it('too small: says so, with the sizes and the minimum detectable effect', () => {
    const sentence = describeComparison('were renewed', compareProportions(p(10, 20), p(1, 5)), { counted: 'contracts' });
    expect(sentence).toContain('too small to tell whether messages change how many contracts were renewed');
    expect(sentence).toContain('20 treated, 5 held out');
    expect(sentence).toMatch(/only a difference of about \d+\.\d points or more would be found four times in five/);
  });

  it('when no difference the held-out rate leaves room for would be found, it says so', () => {
    // 1 of 2 against 1 of 2: even 2 of 2 treated is told from the held-out only when neither of them had it (one time in four).
    expect(describeComparison('were reopened', compareProportions(p(1, 2), p(1, 2)), { counted: 'complaints' })).toContain('not even a difference of 100 points would be found');
  });

  it('no difference: both rates and the interval', () => {
    const sentence = describeComparison('had a new interaction within 30 days', compareProportions(p(52, 100), p(50, 100)));
    expect(sentence).toMatch(/^No difference beyond chance: 52\.0 % of treated and 50\.0 % of held-out customers had a new interaction within 30 days \(95 % interval of the difference -\d+\.\d points to \d+\.\d points\)/);
  });

  it('more renewals with messages: the messages helped', () => {
    const sentence = describeComparison('were renewed', compareProportions(p(80, 100), p(50, 100)), { counted: 'contracts', fewerIsBetter: false });
    expect(sentence).toMatch(/^80\.0 % of treated and 50\.0 % of held-out contracts were renewed: 30\.0 points more with messages/);
    expect(sentence).toContain('The messages helped.');
  });

  it('complaints reopened, where fewer is better, reads right both ways', () => {
    const fewer = describeComparison('were reopened', compareProportions(p(5, 100), p(30, 100)), { counted: 'complaints', fewerIsBetter: true });
    expect(fewer).toContain('25.0 points fewer with messages');
    expect(fewer).toContain('Fewer is better here. The messages helped.');
    const more = describeComparison('were reopened', compareProportions(p(30, 100), p(5, 100)), { counted: 'complaints', fewerIsBetter: true });
    expect(more).toContain('25.0 points more with messages');
    expect(more).toContain('Fewer is better here. The messages made it worse.');
  });
});
