import { describe, expect, it } from 'vitest';
import { localDateOf, localTimeOf } from '../../functions/core/calendar.js';
import { defaultConfig } from '../../functions/core/config.js';
import type { MessageState } from '../../functions/core/messages.js';
import { parseNdjson } from '../../functions/core/records.js';
import { checkBand, floorSubjectsOf } from '../../functions/local/band-check.js';
import { bandFigures, DAYS_PER_MONTH, expectedBirthdays } from '../../functions/local/band-figures.js';
import type { ReportMessage, SimulationReport } from '../../functions/local/report.js';

const start = '2027-01-01T00:00:00.000Z';
const end = '2027-04-01T00:00:00.000Z'; // 90 days

// c-1 and c-2 consent from the start; c-3 has no consent; c-4 joins late (Tokyo, 9 Feb); c-5 withdraws consent.
const data = [
  { type: 'customer', customerId: 'c-1', email: 'c1@example.com', timeZone: 'Europe/Madrid', birthday: '1990-02-10', marketingOptIn: true },
  { type: 'customer', customerId: 'c-2', email: 'c2@example.com', timeZone: 'America/New_York', marketingOptIn: true },
  { type: 'customer', customerId: 'c-3', email: 'c3@example.com', timeZone: 'UTC', birthday: '--03-15', marketingOptIn: false },
  { type: 'contract', contractId: 'k-3', customerId: 'c-3', endsOn: '2027-03-08' },
  { type: 'customer', customerId: 'c-5', email: 'c5@example.com', timeZone: 'Europe/London', birthday: '1980-03-20', marketingOptIn: true },
  { type: 'customer', customerId: 'c-4', email: 'c4@example.com', timeZone: 'Asia/Tokyo', birthday: '1996-02-29', marketingOptIn: true, at: '2027-02-09T12:00:00Z' },
  { type: 'customer', customerId: 'c-5', email: 'c5@example.com', timeZone: 'Europe/London', birthday: '1980-03-20', marketingOptIn: false, at: '2027-02-01T12:00:00Z' },
];
const lines = parseNdjson(data.map((r) => JSON.stringify(r)).join('\n'), new Date(start)).records;

const message = (customerId: string, campaign: string, timeZone: string, occurrence: string, state: MessageState, sentAt?: string, reason: string | null = null): ReportMessage => ({
  messageId: `${customerId}#${campaign}#${occurrence}`,
  customerId,
  campaign,
  state,
  reason,
  dueAt: sentAt ?? '2027-02-28T00:00:00.000Z',
  sentAt: sentAt ?? null,
  localDate: sentAt ? localDateOf(new Date(sentAt), timeZone) : null,
  localTime: sentAt ? localTimeOf(new Date(sentAt), timeZone) : null,
  timeZone,
  locale: 'en',
  subject: null,
  sesMessageId: sentAt ? `ses-${customerId}-${occurrence}` : null,
});

const report: SimulationReport = {
  window: { start, end },
  config: defaultConfig,
  messages: [
    message('c-1', 'keepInTouch', 'Europe/Madrid', '2027-01-31', 'sent', '2027-01-20T09:00:00.000Z'),
    message('c-1', 'survey', 'Europe/Madrid', 'o-1', 'sent', '2027-01-23T09:00:00.000Z'), // 3 days after: a cap violation
    message('c-1', 'birthday', 'Europe/Madrid', '2027', 'sent', '2027-02-10T08:00:00.000Z'),
    message('c-1', 'keepInTouch', 'Europe/Madrid', '2027-03-12', 'sent', '2027-03-10T09:00:00.000Z'),
    message('c-2', 'keepInTouch', 'America/New_York', '2027-01-30', 'sent', '2027-01-20T15:00:00.000Z'),
    message('c-2', 'keepInTouch', 'America/New_York', '2027-02-19', 'sent', '2027-02-18T15:00:00.000Z'),
    message('c-2', 'keepInTouch', 'America/New_York', '2027-03-20', 'sent', '2027-03-19T14:00:00.000Z'),
    message('c-3', 'renewal', 'UTC', 'k-3#7', 'sent', '2027-03-01T09:00:00.000Z'),
    message('c-4', 'birthday', 'Asia/Tokyo', '2027', 'expired', undefined, 'gave way under the weekly cap to renewal'),
    message('c-4', 'keepInTouch', 'Asia/Tokyo', '2027-03-11', 'sent', '2027-03-05T00:00:00.000Z'),
  ],
  rejected: [],
  warnings: [],
  summary: { sent: 9, deferred: 0, expired: 1, suppressed: 0, cancelled: 0, heldOut: 0, byCampaign: {} },
};

describe('floor subjects (one rule for the simulator and the figures)', () => {
  it('takes consenting customers imported at the start, and late joiners from the moment they joined', () => {
    expect(floorSubjectsOf(lines)).toEqual([
      { customerId: 'c-1', timeZone: 'Europe/Madrid' },
      { customerId: 'c-2', timeZone: 'America/New_York' },
      { customerId: 'c-4', timeZone: 'Asia/Tokyo', from: '2027-02-09T12:00:00.000Z' },
    ]);
  });

  it('leaves out a late joiner whose profile changes again', () => {
    const more = parseNdjson(JSON.stringify({ type: 'customer', customerId: 'c-4', email: 'c4@example.com', timeZone: 'Asia/Tokyo', marketingOptIn: false, at: '2027-03-01T00:00:00Z' }), new Date(start)).records;
    expect(floorSubjectsOf([...lines, ...more]).map((s) => s.customerId)).toEqual(['c-1', 'c-2']);
  });

  it('starts a late joiner’s floor on the local date they joined', () => {
    const subjects = floorSubjectsOf(lines);
    expect(checkBand(report, defaultConfig, subjects).floor).toEqual([]);
    // Judged from the window's start, c-4 would have been left 63 days.
    const fromStart = subjects.map(({ customerId, timeZone }) => ({ customerId, timeZone }));
    expect(checkBand(report, defaultConfig, fromStart).floor).toEqual(['c-4: 2027-01-01 → 2027-03-05 (63 days)']);
    // Joined 9 February (Tokyo): with nothing sent until 15 March, 34 days pass.
    const late = { ...report, messages: report.messages.map((m) => (m.messageId === 'c-4#keepInTouch#2027-03-11' ? message('c-4', 'keepInTouch', 'Asia/Tokyo', '2027-03-11', 'sent', '2027-03-15T00:00:00.000Z') : m)) };
    expect(checkBand(late, defaultConfig, subjects).floor).toEqual(['c-4: 2027-02-09 → 2027-03-15 (34 days)']);
  });
});

describe('birthdays a report must show sent on their day', () => {
  it('counts consenting customers with an unchanged profile, whose sendable day lies in the window after they joined', () => {
    const { birthdays, changedCustomers } = expectedBirthdays(lines, report.window, defaultConfig);
    expect(birthdays).toEqual([
      { customerId: 'c-1', timeZone: 'Europe/Madrid', date: '2027-02-10', messageId: 'c-1#birthday#2027' },
      { customerId: 'c-4', timeZone: 'Asia/Tokyo', date: '2027-02-28', messageId: 'c-4#birthday#2027' }, // 29 Feb in a common year: 28 Feb
    ]);
    expect(changedCustomers).toBe(1); // c-5
  });

  it('leaves out a birthday before the customer joined, and one whose day is not wholly inside the window', () => {
    const window = { start: '2027-02-10T12:00:00.000Z', end: '2027-02-28T15:00:00.000Z' }; // c-1 after 09:00 Madrid; Tokyo 28 Feb closes at 11:00 UTC
    expect(expectedBirthdays(lines, window, defaultConfig).birthdays.map((b) => b.messageId)).toEqual(['c-4#birthday#2027']);
    expect(expectedBirthdays(lines, { ...window, end: '2027-02-28T10:00:00.000Z' }, defaultConfig).birthdays).toEqual([]);
    const skip = { ...defaultConfig, campaigns: { ...defaultConfig.campaigns, birthday: { ...defaultConfig.campaigns.birthday, leapDayPolicy: 'skip' as const } } };
    expect(expectedBirthdays(lines, report.window, skip).birthdays.map((b) => b.messageId)).toEqual(['c-1#birthday#2027']);
  });
});

describe('the band figures of a report', () => {
  const figures = bandFigures(report, lines);

  it('counts messages per customer-month, a late joiner from when they joined', () => {
    expect(figures.customers).toBe(5);
    expect(figures.sent).toBe(9);
    const months = (4 * 90 + 50.5) / DAYS_PER_MONTH; // c-4 from 9 Feb 12:00 UTC
    expect(figures.customerMonths).toBeCloseTo(months, 9);
    expect(figures.perCustomerMonth).toBeCloseTo(9 / months, 9);
    expect(figures.sentNothing).toBe(1); // c-5
  });

  it('shows what the floor alone costs: customers sent nothing but keepInTouch', () => {
    expect(figures.keepInTouchOnly.customers).toBe(2); // c-2, c-4
    expect(figures.keepInTouchOnly.sent).toBe(4);
    expect(figures.keepInTouchOnly.perCustomerMonth).toBeCloseTo(4 / ((90 + 50.5) / DAYS_PER_MONTH), 9);
    expect(figures.keepInTouchShare).toBeCloseTo(6 / 9, 9);
  });

  it('finds the busiest UTC day against the average day of the window', () => {
    expect(figures.days).toEqual({ peakDate: '2027-01-20', peak: 2, average: 0.1, peakToAverage: 20 });
  });

  it('reports cap and floor violations over the floor subjects, and the birthdays missed', () => {
    expect(figures.band.cap).toEqual(['c-1#keepInTouch#2027-01-31 → c-1#survey#o-1: 3 days']);
    expect(figures.band.floor).toEqual([]);
    expect(figures.band.floorSubjects).toBe(3);
    expect(figures.birthdays).toEqual({
      expected: 2,
      sentOnTheDay: 1,
      missed: 1,
      missedExamples: ['c-4 2027-02-28 (Asia/Tokyo): expired: gave way under the weekly cap to renewal'],
      changedCustomers: 1,
    });
  });

  it('says when a greeting went on another day, or never reached the report', () => {
    const moved = { ...report, messages: report.messages.filter((m) => m.messageId !== 'c-4#birthday#2027').map((m) => (m.messageId === 'c-1#birthday#2027' ? message('c-1', 'birthday', 'Europe/Madrid', '2027', 'sent', '2027-02-11T08:00:00.000Z') : m)) };
    expect(bandFigures(moved, lines).birthdays.missedExamples).toEqual([
      'c-1 2027-02-10 (Europe/Madrid): sent on 2027-02-11 09:00',
      'c-4 2027-02-28 (Asia/Tokyo): not in the report (never planned, or still waiting)',
    ]);
  });
});
