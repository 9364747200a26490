import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../functions/cli/summary.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { holdoutPlaceOf } from '../../functions/core/measurement/holdout.js';
import type { Message, MessageState } from '../../functions/core/messages.js';
import { checkBand } from '../../functions/local/band-check.js';
import { renderHtmlReport } from '../../functions/local/html-report.js';
import { emptyStats } from '../../functions/local/dynamo-stats.js';
import { buildReport } from '../../functions/local/report.js';
import type { SimulationResult } from '../../functions/local/simulation.js';

/**
 * Held-out messages in the simulation's report, its band check and its summary (SPEC.md, "Simulation"
 * and "Measuring retention"): listed among the final messages and counted, never taken for sent.
 */

const start = new Date('2027-01-01T00:00:00Z');
const end = new Date('2027-04-01T00:00:00Z');
const salt = defaultConfig.measurement.salt;
/** The first ids whose place is below 30 (held out at 30 %) and at or above it (treated). */
const idWhere = (held: boolean, skip = '') => {
  for (let i = 1; ; i++) if (`c-${i}` !== skip && holdoutPlaceOf(`c-${i}`, salt) < 30 === held) return `c-${i}`;
};
const heldOutId = idWhere(true);
const treatedId = idWhere(false);
const at30: RetentionConfig = { ...defaultConfig, measurement: { ...defaultConfig.measurement, holdoutPercent: 30 } };
const heldOutOfBirthdays: RetentionConfig = { ...defaultConfig, measurement: { ...defaultConfig.measurement, campaigns: { birthday: { holdoutPercent: 30 } } } };

const stored = (customerId: string, campaign: Message['campaign'], occurrence: string, state: MessageState, at: string, reason: string | null = null): Message => ({
  messageId: `${customerId}#${campaign}#${occurrence}`,
  customerId,
  campaign,
  occurrence,
  messageClass: 'marketing',
  priority: 10,
  countsTowardCap: true,
  dueAt: at,
  deadline: '2027-12-31T00:00:00.000Z',
  localDate: at.slice(0, 10),
  timeZone: 'UTC',
  state,
  reason,
  sendAfter: at,
  attempts: state === 'sent' ? 1 : 0,
  plannedAt: '2027-01-01T00:00:00.000Z',
  ...(state === 'sent' ? { sentAt: at, subject: 'Hello', locale: 'en', sesMessageId: `ses-${occurrence}` } : {}),
});

/** A treated customer who got a keep-in-touch every 25 days, and a held-out one whose messages were all held out. */
const messages = [
  stored(treatedId, 'keepInTouch', 'k1', 'sent', '2027-01-20T10:00:00.000Z'),
  stored(treatedId, 'keepInTouch', 'k2', 'sent', '2027-02-14T10:00:00.000Z'),
  stored(treatedId, 'keepInTouch', 'k3', 'sent', '2027-03-11T10:00:00.000Z'),
  stored(heldOutId, 'birthday', '2027', 'heldOut', '2027-01-10T09:00:00.000Z', 'held out to measure what birthday messages do'),
  stored(heldOutId, 'survey', 'o-1', 'heldOut', '2027-01-12T09:00:00.000Z', 'held out to measure what survey messages do'),
  stored(heldOutId, 'complaintFollowUp', 'p-1#1', 'sent', '2027-02-01T10:00:00.000Z'),
  stored(heldOutId, 'birthday', '2028', 'planned', '2027-03-30T09:00:00.000Z'),
];
const subjects = [
  { customerId: treatedId, timeZone: 'UTC' },
  { customerId: heldOutId, timeZone: 'UTC' },
];

describe('held-out messages in the simulation report', () => {
  it('lists them among the final messages, and counts them, per campaign too', () => {
    // Prepare / Act
    const report = buildReport({ start, end, config: at30, messages, rejected: [] });

    // Assess
    expect(report.messages.filter((m) => m.state === 'heldOut').map((m) => [m.messageId, m.reason, m.sentAt])).toEqual([
      [`${heldOutId}#birthday#2027`, 'held out to measure what birthday messages do', null],
      [`${heldOutId}#survey#o-1`, 'held out to measure what survey messages do', null],
    ]);
    expect(report.messages.some((m) => m.state === 'planned')).toBe(false);
    expect(report.summary).toMatchObject({ sent: 4, heldOut: 2 });
    expect(report.summary.byCampaign.birthday).toMatchObject({ sent: 0, heldOut: 1 });
    expect(report.summary.byCampaign.survey).toMatchObject({ heldOut: 1 });
    expect(report.summary.byCampaign.keepInTouch).toMatchObject({ sent: 3, heldOut: 0 });
  });

  it('counts them in the HTML report, when there are any', () => {
    // Prepare
    const report = buildReport({ start, end, config: at30, messages, rejected: [] });
    const none = buildReport({ start, end, config: defaultConfig, messages: messages.filter((m) => m.state !== 'heldOut'), rejected: [] });

    // Act
    const [html, without] = [report, none].map((r) => renderHtmlReport(r, checkBand(r, r.config, subjects)));

    // Assess
    expect(html).toContain('<div><b>2</b>held out</div>');
    expect(without).not.toContain('held out</div>');
  });

  it('shows a customer whose id is an address, and the reasons, with the address masked', () => {
    // Prepare: a business whose customer ids are addresses
    const id = 'ana.garcia@example.com';
    const report = buildReport({
      start,
      end,
      config: defaultConfig,
      messages: [stored(id, 'birthday', '2027', 'sent', '2027-02-01T10:00:00.000Z'), stored(id, 'survey', 'o-1', 'suppressed', '2027-02-10T10:00:00.000Z', `${id} bounced`)],
      rejected: [],
    });

    // Act
    const html = renderHtmlReport(report, checkBand(report, report.config, subjects));

    // Assess
    expect(html).toContain("One customer's timeline: a***@example.com</h2>");
    expect(html).toContain('<td>a***@example.com bounced</td>');
    expect(html).not.toContain('ana.garcia@');
  });
});

describe('the band check and the holdout', () => {
  it('takes no held-out message for sent: two held out two days apart break no cap', () => {
    // Prepare
    const report = buildReport({ start, end, config: at30, messages, rejected: [] });

    // Act
    const band = checkBand(report, at30, subjects);

    // Assess
    expect(band).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
  });

  it('does not apply the floor to a customer held out of keep-in-touch, and does to one held out of other campaigns only', () => {
    // Prepare: the held-out customer got one complaint follow-up in 90 days.
    const report = buildReport({ start, end, config: at30, messages, rejected: [] });

    // Act
    const heldOutOfKeepInTouch = checkBand(report, at30, subjects);
    const heldOutOfBirthdaysOnly = checkBand({ ...report, config: heldOutOfBirthdays }, heldOutOfBirthdays, subjects);

    // Assess: the held-out birthday and survey do not count as contacts where the floor applies.
    expect(heldOutOfKeepInTouch.floor).toEqual([]);
    expect(heldOutOfBirthdaysOnly.floor).toEqual([`${heldOutId}: 2027-01-01 → 2027-02-01 (31 days)`, `${heldOutId}: 2027-02-01 → 2027-04-01 (59 days)`]);
  });
});

describe('the simulation summary', () => {
  const resultOf = (config: RetentionConfig, list: readonly Message[]): SimulationResult =>
    ({
      report: buildReport({ start, end, config, messages: list, rejected: [] }),
      floorSubjects: subjects,
      customers: 2,
      imported: 2,
      rejected: [],
      warnings: [],
      parked: [],
      messagesDeleted: 0,
      stats: { planner: emptyStats(), dispatchCoordinator: emptyStats(), dispatcher: emptyStats() },
    }) as unknown as SimulationResult;

  it('shows held-out counts, in total and per campaign, and the customers without a floor', () => {
    // Prepare
    const result = resultOf(at30, messages);

    // Act
    const summary = formatSummary(result, 1);

    // Assess
    expect(summary).toContain('Messages: 4 sent, 0 expired, 0 suppressed, 0 cancelled, 2 held out (measurement)');
    expect(summary).toMatch(/ {2}birthday +0 sent .* 0 cancelled +1 held out/);
    expect(summary).toMatch(/ {2}keepInTouch +3 sent .* 0 cancelled +0 held out/);
    expect(summary).toContain('0 floor violations (over 1 consenting customers; 1 more held out of keepInTouch, without a floor)');
  });

  it('says nothing of holdouts when nobody was held out', () => {
    // Prepare
    const result = resultOf(defaultConfig, messages.filter((m) => m.state !== 'heldOut'));

    // Act
    const summary = formatSummary(result, 1);

    // Assess
    expect(summary).not.toContain('held out');
    expect(summary).toContain('Messages: 4 sent, 0 expired, 0 suppressed, 0 cancelled\n');
  });
});
