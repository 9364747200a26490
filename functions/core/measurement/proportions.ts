/**
 * The difference of two proportions with its 95 % confidence interval (SPEC.md, "Measuring retention").
 *
 * The method is Newcombe's hybrid score interval (Newcombe 1998, method 10): a Wilson score interval
 * for each group, combined. The plain Wald interval (difference ± 1.96 standard errors) covers the
 * true difference far less than 95 % of the time when a rate is near 0 or 1 or a group is small,
 * which is exactly where a holdout lives (a 10 % holdout of a few hundred customers, complaint
 * reopening rates of a few percent); Newcombe's stays close to 95 % there, needs no iteration, and
 * never reaches outside [-1, 1].
 */

export interface Proportion {
  /** How many were counted. */
  readonly n: number;
  /** How many of them had the outcome. */
  readonly events: number;
}

/** The z of a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;
/** The z of 80 % power: a difference as large as the minimum detectable effect is found four times in five. */
const Z_POWER_80 = 0.8416212335729143;

/** Below this many in a group, an interval says little and the comparison says so. */
export const MIN_GROUP_SIZE = 30;

/** The Wilson score interval of one proportion (95 %, or the confidence of `z`). */
export const wilsonInterval = ({ n, events }: Proportion, z: number = Z_95): readonly [number, number] => {
  if (n === 0) return [0, 1];
  const p = events / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
};

export type Verdict = 'higher' | 'lower' | 'noDifference' | 'tooSmall';

export interface Comparison {
  readonly treated: Proportion & { readonly rate: number };
  readonly heldOut: Proportion & { readonly rate: number };
  /** Treated rate minus held-out rate. */
  readonly difference: number;
  /** Its 95 % confidence interval (Newcombe's hybrid score interval). */
  readonly interval: readonly [number, number];
  /**
   * The smallest difference from the held-out rate these group sizes would find 80 % of the time
   * (two-sided, 5 %; minimumDetectableEffect); 1 when none would be; null when a group is empty.
   */
  readonly minimumDetectable: number | null;
  /**
   * `higher` / `lower`: the interval is wholly above or below zero. `noDifference`: it holds zero.
   * `tooSmall`: a group has fewer than MIN_GROUP_SIZE members, so nothing can be told.
   */
  readonly verdict: Verdict;
}

const rateOf = ({ n, events }: Proportion) => (n === 0 ? 0 : events / n);

/**
 * The minimum detectable effect: the least d for which
 *
 *   d ≥ z₉₅ √( p̄ q̄ (1/n₁ + 1/n₂) ) + z₈₀ √( p₁ q₁ / n₁ + p₂ q₂ / n₂ ),   p₁ = p₂ ± d,   p̄ = (n₁ p₁ + n₂ p₂) / (n₁ + n₂)
 *
 * with p₂ the held-out rate: the textbook sample size of two proportions (Fleiss, Levin & Paik),
 * solved for the difference. The test meets the pooled variance when there is no effect and each
 * group's own when there is, both taken where the effect would put the rates, not where they are: at
 * a rate of 0 or 1 the variance there is no guide (0 of 100 against 0 of 100 would claim 2.8 points
 * from the pooled rate; about 7.5 are needed). Each side of p₂ is tried as far as [0, 1] leaves room;
 * the harder side found is the answer, 1 when neither is. The right side less d (`shortfall`) is
 * concave in d and not below zero at 0, so the differences it does not exceed make one interval up to
 * the edge: bisection finds its start.
 */
const minimumDetectableEffect = (n1: number, n2: number, p2: number): number => {
  const shortfall = (d: number, side: 1 | -1) => {
    const p1 = p2 + side * d;
    const pooled = (n1 * p1 + n2 * p2) / (n1 + n2);
    return Z_95 * Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) + Z_POWER_80 * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2) - d;
  };
  const found = ([1, -1] as const).flatMap((side) => {
    const room = side === 1 ? 1 - p2 : p2;
    if (room <= 0 || shortfall(room, side) > 0) return [];
    let [low, high] = [0, room];
    for (let step = 0; step < 50; step++) {
      const middle = (low + high) / 2;
      if (shortfall(middle, side) > 0) low = middle;
      else high = middle;
    }
    return [high];
  });
  return found.length === 0 ? 1 : Math.max(...found);
};

export const compareProportions = (treated: Proportion, heldOut: Proportion): Comparison => {
  for (const [name, group] of [['treated', treated], ['heldOut', heldOut]] as const) {
    if (!Number.isInteger(group.n) || !Number.isInteger(group.events) || group.n < 0 || group.events < 0 || group.events > group.n) {
      throw new RangeError(`${name}: ${group.events} events among ${group.n} is not a proportion`);
    }
  }
  const p1 = rateOf(treated);
  const p2 = rateOf(heldOut);
  const difference = p1 - p2;
  const [l1, u1] = wilsonInterval(treated);
  const [l2, u2] = wilsonInterval(heldOut);
  const below = treated.n === 0 || heldOut.n === 0 ? 1 + difference : Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2);
  const above = treated.n === 0 || heldOut.n === 0 ? 1 - difference : Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2);
  const interval = [Math.max(-1, difference - below), Math.min(1, difference + above)] as const;
  const minimumDetectable = treated.n === 0 || heldOut.n === 0 ? null : minimumDetectableEffect(treated.n, heldOut.n, p2);
  const verdict: Verdict =
    Math.min(treated.n, heldOut.n) < MIN_GROUP_SIZE ? 'tooSmall' : interval[0] > 0 ? 'higher' : interval[1] < 0 ? 'lower' : 'noDifference';
  return { treated: { ...treated, rate: p1 }, heldOut: { ...heldOut, rate: p2 }, difference, interval, minimumDetectable, verdict };
};

const points = (share: number) => `${(share * 100).toFixed(1)} points`;
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** How a sentence names what was counted and whether fewer is the better outcome. */
export interface DescribeOptions {
  /** What was counted in each group: `customers` (the default), `contracts`, `complaints`. */
  readonly counted?: string;
  /** Fewer is better (complaints reopened): the sentence says whether the messages helped or hurt. */
  readonly fewerIsBetter?: boolean;
}

/**
 * One plain sentence for a comparison of `outcome` ("renewed their contract", "were reopened"), read
 * as "<rate> of treated and <rate> of held-out <counted> <outcome>".
 */
export const describeComparison = (outcome: string, comparison: Comparison, options: DescribeOptions = {}): string => {
  const { treated, heldOut, interval, minimumDetectable, verdict } = comparison;
  const counted = options.counted ?? 'customers';
  const sizes = `${treated.n} treated, ${heldOut.n} held out`;
  /** The sentence about what these sizes can find; `sizes` only when the sentence before did not give them. */
  const detectable = (withSizes: boolean) => {
    const atTheseSizes = withSizes ? `At these sizes (${sizes})` : 'At these sizes';
    if (minimumDetectable === null) return '';
    return minimumDetectable >= 1
      ? ` ${atTheseSizes} not even a difference of 100 points would be found four times in five.`
      : ` ${atTheseSizes} only a difference of about ${points(minimumDetectable)} or more would be found four times in five.`;
  };
  switch (verdict) {
    case 'tooSmall':
      return `The groups are too small to tell whether messages change how many ${counted} ${outcome} (${sizes}; at least ${MIN_GROUP_SIZE} in each are needed).${detectable(false)}`;
    case 'noDifference':
      return `No difference beyond chance: ${percent(treated.rate)} of treated and ${percent(heldOut.rate)} of held-out ${counted} ${outcome} (95 % interval of the difference ${points(interval[0])} to ${points(interval[1])}).${detectable(true)}`;
    case 'higher':
    case 'lower': {
      const better = options.fewerIsBetter === undefined ? '' : (verdict === 'lower') === options.fewerIsBetter ? ' The messages helped.' : ' The messages made it worse.';
      const fewer = options.fewerIsBetter ? ' Fewer is better here.' : '';
      return `${percent(treated.rate)} of treated and ${percent(heldOut.rate)} of held-out ${counted} ${outcome}: ${points(Math.abs(comparison.difference))} ${verdict === 'higher' ? 'more' : 'fewer'} with messages (95 % interval ${points(interval[0])} to ${points(interval[1])}; ${sizes}).${fewer}${better}`;
    }
  }
};
