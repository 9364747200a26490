import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../scripts/demo-data.js';
import { defaultConfig } from '../../functions/core/config.js';
import { checkBand } from '../../functions/local/band-check.js';
import { simulate, type SimulationResult } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('cohort');

/**
 * Every campaign at once: a generated cohort with contracts, complaints, interactions, survey answers
 * and timed updates (resolutions, renewals, consent withdrawn), three bad lines, 120 days.
 */
const data = generateCohort({ customers: 80, seed: 11, startDate: '2027-01-01', invalidLines: true })
  .map((line) => line.replaceAll('"customerId":"', `"customerId":"${prefix}`).replaceAll('"email":"', `"email":"${prefix}`))
  .join('\n');

describe('a whole cohort, every campaign, on the real local stack', () => {
  let result: SimulationResult;

  beforeAll(async () => {
    result = await simulate({ ...endpoints(), data, start: new Date('2027-01-01T00:00:00Z'), days: 120, config: defaultConfig, tablePrefix: prefix });
  }, 120_000);

  it('sends every campaign', () => {
    for (const campaign of ['birthday', 'renewal', 'complaintFollowUp', 'survey', 'keepInTouch']) expect(result.report.summary.byCampaign[campaign]?.sent ?? 0).toBeGreaterThan(0);
  });

  it('keeps the cadence band: no cap or floor violation, nothing in quiet hours, no id twice', () => {
    expect(result.floorSubjects.length).toBeGreaterThan(50);
    expect(checkBand(result.report, result.report.config, result.floorSubjects)).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
  });

  it('delivers every sent message to the mail service, and gives a reason for every one that did not go', async () => {
    const stored = new Set((await emailsTo((to) => to.startsWith(prefix))).map((email) => email.messageId));
    const sent = result.report.messages.filter((m) => m.state === 'sent');
    expect(stored.size).toBe(sent.length);
    for (const message of sent) expect(stored.has(message.sesMessageId!)).toBe(true);
    for (const message of result.report.messages.filter((m) => m.state !== 'sent')) expect(message.reason).toBeTruthy();
  });

  it('rejects the three bad lines with their reasons, and parks no stream record', () => {
    expect(result.rejected.map((r) => r.field)).toEqual(['timeZone', 'birthday', 'json']);
    expect(result.parked).toEqual([]);
  });
});
