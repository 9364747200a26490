import { describe, expect, it } from 'vitest';
import { parseSampleSize, sampleCohort, sampleRankOf, SAMPLE_KEY } from '../../functions/core/sample.js';
import { holdoutPlaceOf } from '../../functions/core/measurement/holdout.js';
import { defaultConfig } from '../../functions/core/config.js';

/** A cohort file: per customer a profile, a contract, and a timed interaction; plus a line of no one. */
const cohortLines = (ids: readonly string[]) =>
  ids.flatMap((id) => [
    JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC' }),
    JSON.stringify({ type: 'contract', contractId: `k-${id}`, customerId: id, endsOn: '2027-03-01' }),
    JSON.stringify({ type: 'interaction', interactionId: `o-${id}`, customerId: id, completedAt: '2027-01-05T10:00:00Z', at: '2027-01-05T10:00:00Z' }),
  ]);
const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `c-${String(i + from).padStart(5, '0')}`);
const customersIn = (text: string) => new Set(text.split('\n').map((line) => (JSON.parse(line) as { customerId: string }).customerId));

describe('a stable random sample of customers', () => {
  it('takes exactly n customers, each with every one of their lines, and drops the others before import', () => {
    // Prepare
    const text = cohortLines(ids(1000)).join('\n');

    // Act
    const sample = sampleCohort(text, 100);

    // Assess
    expect(sample.size).toBe(100);
    expect(sample.population).toBe(1000);
    expect(sample.key).toBe(SAMPLE_KEY);
    expect(customersIn(sample.text)).toEqual(new Set(sample.customerIds));
    expect(sample.text.split('\n')).toHaveLength(300);
    // Line numbers of the whole file, for rejections: kept line k is line originalLine[k − 1] of the file.
    const lines = text.split('\n');
    sample.text.split('\n').forEach((line, k) => expect(lines[sample.originalLine[k]! - 1]).toBe(line));
  });

  it('is the n customers with the smallest keyed hash: the same in every run and whatever the order of the lines', () => {
    const lines = cohortLines(ids(500));
    const sample = sampleCohort(lines.join('\n'), 50);
    const expected = ids(500).sort((a, b) => sampleRankOf(a).localeCompare(sampleRankOf(b))).slice(0, 50);
    expect(sample.customerIds).toEqual(expected);
    expect(sampleCohort([...lines].reverse().join('\n'), 50).customerIds).toEqual(expected);
  });

  it('keeps the ranks it has always given (a changed key or hash would move every sample)', () => {
    expect(sampleRankOf('c-0001')).toBe('dc99ab233b45cab15f2b9b6edfd00e97d1a83caabe1b303b6e9ccc7713d582a8');
    expect(sampleRankOf('c-0001')).not.toBe(sampleRankOf('c-0001', 'another key'));
  });

  it('is nested (the sample of n is inside that of n + 1) and stable as the file grows', () => {
    const base = cohortLines(ids(1000));
    const of2000 = sampleCohort(base.join('\n'), 200);
    expect(sampleCohort(base.join('\n'), 201).customerIds.slice(0, 200)).toEqual(of2000.customerIds);

    // More lines for customers already there: the same sample.
    const moreLines = [...base, ...ids(1000).map((id) => JSON.stringify({ type: 'complaint', complaintId: `q-${id}`, customerId: id, openedAt: '2027-01-02T00:00:00Z' }))];
    expect(sampleCohort(moreLines.join('\n'), 200).customerIds).toEqual(of2000.customerIds);

    // New customers: a sampled customer leaves only for a newcomer with a smaller rank; no one the old sample left out comes in.
    const grown = sampleCohort([...base, ...cohortLines(ids(500, 1001))].join('\n'), 200);
    const newcomers = new Set(ids(500, 1001));
    const oldMembers = grown.customerIds.filter((id) => !newcomers.has(id));
    expect(of2000.customerIds.slice(0, oldMembers.length)).toEqual(oldMembers);
    const displaced = grown.customerIds.filter((id) => newcomers.has(id)).length;
    expect(oldMembers.length).toBe(200 - displaced);
    // About a third of the grown file is new, so about a third of its sample is (binomial, well inside ±5 sd).
    expect(displaced).toBeGreaterThan(200 / 3 - 5 * Math.sqrt(200 * (1 / 3) * (2 / 3)));
    expect(displaced).toBeLessThan(200 / 3 + 5 * Math.sqrt(200 * (1 / 3) * (2 / 3)));
  });

  it('keeps every line that names no customer, so the import still reports it, and drops blank lines', () => {
    const text = ['not json', '', JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'c1@example.com', timeZone: 'UTC' }), '{"type":"customer"}'].join('\n');
    const sample = sampleCohort(text, 1);
    expect(sample.text.split('\n')).toEqual(['not json', JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'c1@example.com', timeZone: 'UTC' }), '{"type":"customer"}']);
    expect(sample.originalLine).toEqual([1, 3, 4]);
    expect(sample.unattributed).toBe(2);
    expect(sample.population).toBe(1);
  });

  it('groups a customer\'s lines by their id as the import keeps it: spaces at either end do not make another customer', () => {
    // Prepare: a profile whose id has spaces around it (the import trims them), and the customer's contract
    const cohort = cohortLines(ids(200));
    const padded = cohort.map((line) => line.replace(/"customerId":"(c-[0-9]+)"/, (_, id: string) => (line.includes('"type":"customer"') ? `"customerId":"  ${id} "` : `"customerId":"${id}"`)));

    // Act
    const sample = sampleCohort(padded.join('\n'), 20);

    // Assess: the same customers as the file without the spaces, each with all three lines, ids as imported
    expect(sample.population).toBe(200);
    expect(sample.customerIds).toEqual(sampleCohort(cohort.join('\n'), 20).customerIds);
    expect(sample.text.split('\n')).toHaveLength(60);
  });

  it('takes the whole cohort when n is at least N', () => {
    const sample = sampleCohort(cohortLines(ids(10)).join('\n'), 50);
    expect(sample.size).toBe(10);
    expect(sample.population).toBe(10);
  });

  it('does not follow the holdout: a 10 % holdout is about 10 % of a sample too', () => {
    // The holdout hashes under measurement.salt, the sample under SAMPLE_KEY: independent. Binomial bound, ±5 sd.
    const sample = sampleCohort(cohortLines(ids(20_000)).join('\n'), 2000);
    const heldOut = sample.customerIds.filter((id) => holdoutPlaceOf(id, defaultConfig.measurement.salt) < 10).length;
    const sd = Math.sqrt(2000 * 0.1 * 0.9);
    expect(heldOut).toBeGreaterThan(200 - 5 * sd);
    expect(heldOut).toBeLessThan(200 + 5 * sd);
    expect(defaultConfig.measurement.salt).not.toBe(SAMPLE_KEY);
  });

  it.each(['0', '-3', 'many', '2.5', '', '1e400'])('refuses --sample %j, naming the option and the value', (value) => {
    expect(() => parseSampleSize(value)).toThrow(`--sample '${value}' is not a whole number of customers ≥ 2`);
  });

  it('refuses --sample 1: one customer shows nothing of how customers vary, so no figure would have an interval', () => {
    expect(() => parseSampleSize('1')).toThrow("--sample '1' is too small: a sample needs at least 2 customers to tell how much customers vary");
  });

  it('reads a good --sample', () => {
    expect(parseSampleSize('2000')).toBe(2000);
    expect(parseSampleSize('2')).toBe(2);
  });
});
