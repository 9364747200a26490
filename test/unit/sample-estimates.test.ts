import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimatePairedDifference, estimateTotal, RARE, Z_999 } from '../../functions/core/measurement/sample-estimates.js';
import { wilsonInterval, Z_95 } from '../../functions/core/measurement/proportions.js';
import { mulberry32 } from '../../scripts/demo-data.js';

/** Fixed pseudo-random cohorts. */
const random = mulberry32;

describe('whole-cohort totals from a sample of customers', () => {
  it('scales the mean per customer by N, with the normal interval and the finite-population correction', () => {
    // Prepare: 4 customers of 10 with 1, 2, 3, 6 messages: mean 3, s² = 14/3.
    const values = [1, 2, 3, 6];

    // Act
    const { estimate, standardError, interval, sampleTotal } = estimateTotal(values, { n: 4, N: 10 });

    // Assess: SE = 10 · √((1 − 4/10) · (14/3) / 4).
    expect(sampleTotal).toBe(12);
    expect(estimate).toBe(30);
    expect(standardError).toBeCloseTo(10 * Math.sqrt(0.6 * (14 / 3 / 4)), 12);
    // Not rare (all 4 have some, but 4 < RARE): the upper bound is the larger of the normal one and Wilson's.
    const wilsonHigh = 12 + 6 * wilsonInterval({ n: 4, events: 4 })[1] * 3;
    expect(interval[1]).toBeCloseTo(Math.max(30 + Z_95 * standardError, wilsonHigh), 9);
    expect(interval[0]).toBeCloseTo(Math.max(30 - Z_95 * standardError, 12), 9);
  });

  it('gives the count itself, with no width, when the sample is the whole cohort', () => {
    expect(estimateTotal([1, 0, 4], { n: 3, N: 3 })).toEqual({ estimate: 5, interval: [5, 5], standardError: 0, sampleTotal: 5 });
  });

  it('never says "exactly 0" of a figure the sample did not see: the upper bound is Wilson\'s share of the rest', () => {
    const { estimate, interval } = estimateTotal(new Array(2000).fill(0), { n: 2000, N: 100_000 });
    expect(estimate).toBe(0);
    expect(interval[0]).toBe(0);
    expect(interval[1]).toBeCloseTo(98_000 * wilsonInterval({ n: 2000, events: 0 })[1], 6);
    expect(interval[1]).toBeGreaterThan(150);
    expect(interval[1]).toBeLessThan(200);
  });

  it("docs/cli.md's examples are what the estimates give", () => {
    // Prepare
    const docs = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    const said = (pattern: RegExp) => Number(pattern.exec(docs)?.[1]?.replace(',', ''));

    // Act
    const unseen = estimateTotal(new Array(2000).fill(0), { n: 2000, N: 100_000 });
    const alike = estimateTotal(new Array(100).fill(1), { n: 100, N: 10_000 });

    // Assess: "about" rounds to tens.
    expect(said(/"0 in the sample" reads "0 to about (\d+)" at\s+2,000 of 100,000/)).toBe(Math.round(unseen.interval[1] / 10) * 10);
    expect(said(/100 of 10,000 with one message each: 10,000\s+± (\d+)\)/)).toBe(Math.round(alike.interval[1] - alike.estimate));
  });

  it(`uses the normal interval alone once ${RARE} or more sampled customers have the figure`, () => {
    const values = [...new Array(1990).fill(0), ...new Array(10).fill(1)];
    const { estimate, standardError, interval } = estimateTotal(values, { n: 2000, N: 100_000 });
    expect(estimate).toBe(500);
    expect(interval[0]).toBeCloseTo(500 - Z_95 * standardError, 9);
    expect(interval[1]).toBeCloseTo(500 + Z_95 * standardError, 9);
  });

  it('covers the true total about 95 % of the time (2,000 samples of 200 from a fixed skewed cohort of 5,000)', () => {
    // Prepare: a cohort like a simulation's: most customers 1–2 messages, some 0, a few many.
    const next = random(11);
    const cohort = Array.from({ length: 5000 }, () => (next() < 0.2 ? 0 : next() < 0.95 ? 1 + Math.floor(next() * 2) : 3 + Math.floor(next() * 8)));
    const truth = cohort.reduce((a, b) => a + b, 0);

    // Act: draw samples without replacement (a partial Fisher–Yates shuffle).
    let covered = 0;
    const runs = 2000;
    const pick = random(99);
    for (let run = 0; run < runs; run++) {
      const pool = [...cohort];
      for (let i = 0; i < 200; i++) {
        const j = i + Math.floor(pick() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      const { interval } = estimateTotal(pool.slice(0, 200), { n: 200, N: 5000 });
      if (interval[0] <= truth && truth <= interval[1]) covered++;
    }

    // Assess: fixed seeds, so the count is fixed; a fair 95 % interval gives 1900 ± 4 · 9.7.
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
  });

  it('pairs a difference per customer: much tighter than two independent intervals when the customers agree', () => {
    // Prepare: two configurations that differ for a tenth of the customers, by one message.
    const before = Array.from({ length: 1000 }, (_, i) => 1 + (i % 5));
    const after = before.map((v, i) => (i % 10 === 0 ? v + 1 : v));
    const design = { n: 1000, N: 50_000 };

    // Act
    const paired = estimatePairedDifference(before, after, design);
    const a = estimateTotal(before, design);
    const b = estimateTotal(after, design);

    // Assess
    expect(paired.estimate).toBe(5000);
    expect(paired.interval[1] - paired.interval[0]).toBeLessThan((Math.hypot(a.standardError, b.standardError) * 2 * Z_95) / 4);
    // A difference may be negative: no floor at the sample's count.
    expect(estimatePairedDifference(after, before, design).interval[1]).toBeLessThan(0);
  });

  it('never says "no change at all" when the sample shows none: a rare change reaches both ways', () => {
    const same = new Array(2000).fill(1);
    const { estimate, interval } = estimatePairedDifference(same, same, { n: 2000, N: 100_000 });
    expect(estimate).toBe(0);
    expect(interval[1]).toBeCloseTo(98_000 * wilsonInterval({ n: 2000, events: 0 })[1], 6);
    expect(interval[0]).toBeCloseTo(-interval[1], 6);
  });

  it('never says "exactly N × c" when every sampled customer has the same count c: the rest may be unlike them', () => {
    // Prepare: 100 of 10,000 customers with 1 message each; 5 of 50 with 2 each (fewer than RARE); every one of 100 with one more message after.
    const noneOf = (n: number) => (Z_95 * Z_95) / (n + Z_95 * Z_95); // Wilson's upper bound of 0 of n

    // Act
    const many = estimateTotal(new Array(100).fill(1), { n: 100, N: 10_000 });
    const few = estimateTotal(new Array(5).fill(2), { n: 5, N: 50 });
    const oneMore = estimatePairedDifference(new Array(100).fill(1), new Array(100).fill(2), { n: 100, N: 10_000 });

    // Assess: N·c ± (N − n) × Wilson's bound of none of n × c.
    expect(many.estimate).toBe(10_000);
    expect(many.interval[0]).toBeCloseTo(10_000 - 9900 * noneOf(100), 6);
    expect(many.interval[1]).toBeCloseTo(10_000 + 9900 * noneOf(100), 6);
    expect(few.interval[0]).toBeCloseTo(100 - 45 * noneOf(5) * 2, 6);
    expect(few.interval[1]).toBeCloseTo(100 + 45 * noneOf(5) * 2, 6);
    expect(oneMore.interval[0]).toBeCloseTo(10_000 - 9900 * noneOf(100), 6);
    expect(oneMore.interval[1]).toBeCloseTo(10_000 + 9900 * noneOf(100), 6);
  });

  it('takes a wider z when asked (99.9 %)', () => {
    const values = [0, 1, 2, 1, 0, 3, 1, 1, 2, 0, 1, 1];
    const at95 = estimateTotal(values, { n: 12, N: 100 }, { counts: false });
    const at999 = estimateTotal(values, { n: 12, N: 100 }, { counts: false, z: Z_999 });
    expect(at999.interval[1] - at999.estimate).toBeCloseTo((at95.interval[1] - at95.estimate) * (Z_999 / Z_95), 9);
  });

  it('refuses what is not a sample', () => {
    expect(() => estimateTotal([1, 2], { n: 2, N: 1 })).toThrow('a sample of 2 of 1 customers is not a sample');
    expect(() => estimateTotal([1], { n: 2, N: 10 })).toThrow('1 per-customer values for a sample of 2');
    expect(() => estimatePairedDifference([1], [1, 2], { n: 2, N: 10 })).toThrow('not the same sample');
  });

  it('refuses a sample of one customer of more (no spread to measure), but not a cohort of one run whole', () => {
    expect(() => estimateTotal([3], { n: 1, N: 10 })).toThrow('a sample of 1 of 10 customers is too small: at least 2 are needed for an interval');
    expect(estimateTotal([3], { n: 1, N: 1 }).interval).toEqual([3, 3]);
  });
});
