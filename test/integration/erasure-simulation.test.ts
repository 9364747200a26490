import { describe, expect, it } from 'vitest';
import { generateCohort } from '../../scripts/demo-data.js';
import { defaultConfig } from '../../functions/core/config.js';
import { checkBand } from '../../functions/local/band-check.js';
import { simulate, type SimulationResult } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

const cohort = generateCohort({ customers: 30, seed: 5, startDate: '2027-01-01' });
const start = new Date('2027-01-01T00:00:00Z');
const days = 75;

// One prefix for the ids and addresses of both runs (when a keep-in-touch goes depends on the id), tables of their own.
const prefix = uniquePrefix('erase-sim');
const prefixed = cohort.map((line) => line.replaceAll('"customerId":"', `"customerId":"${prefix}`).replaceAll('"email":"', `"email":"${prefix}`));

/** The cohort, with extra lines, on tables of its own. */
const run = async (extra: string[] = []): Promise<SimulationResult> =>
  simulate({ ...endpoints(), data: [...prefixed, ...extra].join('\n'), start, days, config: defaultConfig, tablePrefix: uniquePrefix('erase-sim-tables') });

/** Each sent message as `id without the prefix @ when`, customer by customer. */
const sentBy = (result: SimulationResult) => {
  const sent = new Map<string, string[]>();
  for (const message of result.report.messages.filter((m) => m.state === 'sent')) {
    const customerId = message.customerId.slice(prefix.length);
    sent.set(customerId, [...(sent.get(customerId) ?? []), `${message.messageId.slice(prefix.length)} @ ${message.sentAt}`].sort());
  }
  return sent;
};

describe('an erasure in the middle of a simulation', () => {
  it('sends that customer nothing more, keeps the band, and changes nothing for the others', async () => {
    // Prepare: the run without it; the customer with the most messages, erased half-way between their first and last.
    const baseline = await run();
    const before = sentBy(baseline);
    const [erased, theirs] = [...before].sort((a, b) => b[1].length - a[1].length)[0]!;
    const times = theirs.map((entry) => Date.parse(entry.split(' @ ')[1]!));
    const erasedAt = new Date((Math.min(...times) + Math.max(...times)) / 2);
    const sentBefore = theirs.filter((entry) => Date.parse(entry.split(' @ ')[1]!) < erasedAt.getTime());
    expect(sentBefore.length).toBeGreaterThan(0);
    expect(sentBefore.length).toBeLessThan(theirs.length); // something would have gone after it

    // Act
    const result = await run([JSON.stringify({ type: 'erasure', customerId: `${prefix}${erased}`, at: erasedAt.toISOString() })]);

    // Assess: the mail service got, from this run, only what went before the erasure (the inbox holds both runs'); none of their messages is left.
    const profile = cohort.map((line) => JSON.parse(line) as { type: string; customerId: string; email: string }).find((record) => record.type === 'customer' && record.customerId === erased)!;
    const received = await emailsTo((to) => to === `${prefix}${profile.email}`);
    expect(received).toHaveLength(theirs.length + sentBefore.length);
    const after = sentBy(result);
    expect(after.has(erased)).toBe(false);
    // Everyone else, exactly as without it; and the band held.
    before.delete(erased);
    expect(after).toEqual(before);
    expect(checkBand(result.report, result.report.config, result.floorSubjects)).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
    expect(result.parked).toEqual([]);
  }, 240_000);
});
