import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { ConfigError, defaultConfig, parseConfig, type RetentionConfig } from '../../functions/core/config.js';
import { HOLDABLE_CAMPAIGNS, holdoutGroupOf, holdoutPlaceOf, holdoutStatusOf, isHeldOut } from '../../functions/core/measurement/holdout.js';

/**
 * Holdout groups (SPEC.md, "Measuring retention"): who is held out, by a keyed hash of the id. The
 * bounds below are binomial: n customers each held out with probability p give n·p held out, give or
 * take √(n·p·(1−p)); every count is asserted within 4 standard deviations of its mean, which a fair
 * assignment misses about once in 16,000 cohorts (and these cohorts are fixed, so it never flickers).
 */

const cohort = Array.from({ length: 10_000 }, (_, i) => `c-${String(i + 1).padStart(5, '0')}`);
const measurementOf = (fields: Partial<RetentionConfig['measurement']>): RetentionConfig['measurement'] => ({ ...defaultConfig.measurement, ...fields });
const heldOutOf = (campaign: (typeof HOLDABLE_CAMPAIGNS)[number], measurement: RetentionConfig['measurement']) => new Set(cohort.filter((id) => isHeldOut(id, campaign, measurement)));
/** Mean ± 4 standard deviations of a binomial count. */
const binomialBounds = (n: number, p: number) => {
  const sd = Math.sqrt(n * p * (1 - p));
  return { low: n * p - 4 * sd, high: n * p + 4 * sd };
};

describe('holdout groups', () => {
  it('holds out about the share asked for: 10 % of 10,000 customers is 1000 ± 4 × 30', () => {
    // Prepare
    const measurement = measurementOf({ holdoutPercent: 10 });

    // Act
    const held = heldOutOf('birthday', measurement).size;

    // Assess: mean 1000, sd √(10000 · 0.1 · 0.9) = 30; within ±4 sd.
    const { low, high } = binomialBounds(10_000, 0.1);
    expect([low, high]).toEqual([880, 1120]);
    expect(held).toBeGreaterThanOrEqual(low);
    expect(held).toBeLessThanOrEqual(high);
  });

  it('gives the same id and salt the same place in another process, and the places it has always given', () => {
    // Prepare
    const ids = ['c-00001', 'c-00002', 'c-12345', 'customer-with-a-long-id'];
    const salt = 'retention-holdout-1';
    const module = fileURLToPath(new URL('../../functions/core/measurement/holdout.ts', import.meta.url));

    // Act: a separate Node process loads the module afresh, as another function or deployment would.
    const script = `import(${JSON.stringify(module)}).then((m) => process.stdout.write(JSON.stringify(${JSON.stringify(ids)}.map((id) => m.holdoutPlaceOf(id, ${JSON.stringify(salt)})))))`;
    const elsewhere = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' })) as number[];

    // Assess
    expect(elsewhere).toEqual(ids.map((id) => holdoutPlaceOf(id, salt)));
    // Pinned: a change of the formula would move every deployed customer to another group.
    expect(holdoutPlaceOf('c-00001', salt)).toBe(2.736842539920481);
    expect(holdoutPlaceOf('c-00002', salt)).toBe(34.89725026778005);
    expect(holdoutPlaceOf('c-12345', salt)).toBe(51.20985315436264);
  });

  it('reshuffles under a different salt: two 10 % holdouts share about 1 % of the cohort (100 ± 4 × 9.95)', () => {
    // Prepare
    const first = heldOutOf('keepInTouch', measurementOf({ holdoutPercent: 10, salt: 'retention-holdout-1' }));

    // Act
    const second = heldOutOf('keepInTouch', measurementOf({ holdoutPercent: 10, salt: 'retention-holdout-2' }));

    // Assess: independent groups overlap where both hold out, p = 0.1 · 0.1, about 10 % of each.
    const overlap = [...first].filter((id) => second.has(id)).length;
    const { low, high } = binomialBounds(10_000, 0.01);
    expect(overlap).toBeGreaterThanOrEqual(low);
    expect(overlap).toBeLessThanOrEqual(high);
    expect(second.size).toBeGreaterThanOrEqual(binomialBounds(10_000, 0.1).low);
  });

  it('only adds customers when the share is raised: everyone held out at 10 % is held out at 20 %', () => {
    // Prepare
    const at10 = heldOutOf('survey', measurementOf({ holdoutPercent: 10 }));

    // Act
    const at20 = heldOutOf('survey', measurementOf({ holdoutPercent: 20 }));

    // Assess
    expect([...at10].filter((id) => !at20.has(id))).toEqual([]);
    expect(at20.size).toBeGreaterThan(at10.size);
    const { low, high } = binomialBounds(10_000, 0.2);
    expect(at20.size).toBeGreaterThanOrEqual(low);
    expect(at20.size).toBeLessThanOrEqual(high);
  });

  it('uses a campaign’s own share in place of the global one, for that campaign only', () => {
    // Prepare
    const measurement = measurementOf({ holdoutPercent: 10, campaigns: { birthday: { holdoutPercent: 20 }, renewal: { holdoutPercent: 0 } } });

    // Act
    const birthday = heldOutOf('birthday', measurement);
    const renewal = heldOutOf('renewal', measurement);
    const keepInTouch = heldOutOf('keepInTouch', measurement);

    // Assess
    expect(birthday).toEqual(heldOutOf('birthday', measurementOf({ holdoutPercent: 20 })));
    expect(renewal.size).toBe(0);
    expect(keepInTouch).toEqual(heldOutOf('keepInTouch', measurementOf({ holdoutPercent: 10 })));
    // Nested: held out of keep-in-touch at 10 % means held out of birthdays at 20 %, so a customer's group follows.
    const someone = [...keepInTouch][0]!;
    expect(holdoutStatusOf(someone, measurement)).toEqual({ group: 'mixed', heldOutOf: ['birthday', 'survey', 'keepInTouch'] });
    expect(holdoutGroupOf(someone, measurementOf({ holdoutPercent: 10 }))).toBe('heldOut');
  });

  it('never holds out a complaint follow-up, even at the largest share', () => {
    // Prepare
    const measurement = measurementOf({ holdoutPercent: 50 });

    // Act
    const heldOutOfFollowUps = cohort.filter((id) => isHeldOut(id, 'complaintFollowUp', measurement));

    // Assess
    expect(heldOutOfFollowUps).toEqual([]);
    expect(heldOutOf('birthday', measurement).size).toBeGreaterThanOrEqual(binomialBounds(10_000, 0.5).low);
  });

  it.each([
    [{ campaigns: { complaintFollowUp: { holdoutPercent: 10 } } }, 'measurement.campaigns.complaintFollowUp: complaint follow-ups are never held out: a customer with an open complaint is always answered'],
    [{ holdoutPercent: 51 }, 'measurement.holdoutPercent: must be at most 50: a holdout is the smaller group'],
    [{ campaigns: { survey: { holdoutPercent: 60 } } }, 'measurement.campaigns.survey.holdoutPercent: must be at most 50: a holdout is the smaller group'],
    [{ salt: '  ' }, 'measurement.salt: must not be empty'],
  ])('refuses a configuration with %j', (fields, message) => {
    // Prepare
    const document = { ...defaults, measurement: { ...defaults.measurement, ...fields } };

    // Act
    const parse = () => parseConfig(document);

    // Assess
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });

  it('ships with nobody held out, and accepts the largest share', () => {
    // Prepare / Act: the shipped configuration, and one at 50 %.
    const atMost = parseConfig({ ...defaults, measurement: { ...defaults.measurement, holdoutPercent: 50 } });

    // Assess
    expect(defaultConfig.measurement).toEqual({ holdoutPercent: 0, salt: 'retention-holdout-1', campaigns: {} });
    expect(heldOutOf('keepInTouch', defaultConfig.measurement).size).toBe(0);
    expect(atMost.measurement.holdoutPercent).toBe(50);
  });
});
