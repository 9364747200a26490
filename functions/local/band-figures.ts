import { birthdayInYear, endOfLocalDay, instantAt, localDateOf, type LocalDate } from '../core/calendar.js';
import type { RetentionConfig } from '../core/config.js';
import { hasMarketingConsent } from '../core/consent.js';
import type { Customer, NdjsonLine } from '../core/records.js';
import { checkBand, floorSubjectsOf } from './band-check.js';
import type { SimulationReport } from './report.js';

/**
 * The figures a simulation report is judged by (`npm run figures`): what the floor costs, how evenly
 * mail is spread over the days, whether the band held, and whether every birthday went on its day.
 * Pure: a report and the NDJSON lines it was run on (valid lines, with and without `at`) in, numbers out.
 */

const DAY_MS = 86_400_000;
/** Days in an average month. */
export const DAYS_PER_MONTH = 30.44;
/** How many missed birthdays a figure lists. */
const LISTED = 5;

export interface BandFigures {
  readonly window: { readonly start: string; readonly end: string; readonly days: number };
  /** Distinct customers with a valid `customer` record in the data. */
  readonly customers: number;
  /** Customer-months in the window: each customer from the window's start, or from when they joined (a late joiner's `at`). */
  readonly customerMonths: number;
  readonly sent: number;
  readonly perCustomerMonth: number;
  /** Customers who were sent something, and nothing but keepInTouch. */
  readonly keepInTouchOnly: { readonly customers: number; readonly sent: number; readonly customerMonths: number; readonly perCustomerMonth: number };
  /** Customers who were sent nothing at all. */
  readonly sentNothing: number;
  /** keepInTouch's share of all sent messages (0–1). */
  readonly keepInTouchShare: number;
  /** Sent messages per UTC day of `sentAt` over the window. */
  readonly days: { readonly peakDate: string | null; readonly peak: number; readonly average: number; readonly peakToAverage: number };
  readonly band: {
    readonly cap: readonly string[];
    readonly floor: readonly string[];
    readonly floorSubjects: number;
    readonly quietHours: readonly string[];
    readonly duplicates: readonly string[];
  };
  readonly birthdays: BirthdayFigures;
}

export interface BirthdayFigures {
  /** Birthdays of consenting customers whose sendable part of the day lies in the window (see `expectedBirthdays`). */
  readonly expected: number;
  readonly sentOnTheDay: number;
  /** Expected birthdays not sent on their local day: how many, and up to five of them with what happened instead. */
  readonly missed: number;
  readonly missedExamples: readonly string[];
  /** Customers left out because a timed record changed their birthday or consent during the window. */
  readonly changedCustomers: number;
}

export interface ExpectedBirthday {
  readonly customerId: string;
  readonly timeZone: string;
  /** The local date the greeting belongs on. */
  readonly date: LocalDate;
  readonly messageId: string;
}

interface CustomerLines {
  readonly immediate: Customer[];
  readonly timed: { readonly record: Customer; readonly at: Date }[];
}

const customerLines = (lines: readonly NdjsonLine[]): Map<string, CustomerLines> => {
  const byCustomer = new Map<string, CustomerLines>();
  for (const line of lines) {
    if (line.record.type !== 'customer') continue;
    const entry = byCustomer.get(line.record.customerId) ?? { immediate: [], timed: [] };
    if (line.at === undefined) entry.immediate.push(line.record as Customer);
    else entry.timed.push({ record: line.record as Customer, at: line.at });
    byCustomer.set(line.record.customerId, entry);
  }
  return byCustomer;
};

/** When a customer joined the window: its start, or the first `at` of a customer who only arrives with timed records. */
const joinedAt = (entry: CustomerLines, start: Date): Date =>
  entry.immediate.length > 0 ? start : new Date(Math.max(start.getTime(), Math.min(...entry.timed.map((t) => t.at.getTime()))));

const monthsBetween = (from: Date, to: Date): number => Math.max(0, to.getTime() - from.getTime()) / (DAYS_PER_MONTH * DAY_MS);

/**
 * The birthdays a report must show sent on their local day. Narrow on purpose, so a miss is a miss:
 * - the customer has a birthday and marketing consent, and every customer record of theirs agrees on
 *   both (a customer whose birthday or consent a timed record changes is left out, and counted);
 * - the birthday campaign is enabled, and the leap-day policy celebrates it that year;
 * - the whole sendable part of that local day (from `sendAt` to the start of quiet hours) lies inside
 *   the window and after the customer joined.
 */
export const expectedBirthdays = (lines: readonly NdjsonLine[], window: SimulationReport['window'], config: RetentionConfig): { birthdays: ExpectedBirthday[]; changedCustomers: number } => {
  const settings = config.campaigns.birthday;
  const quiet = config.cadence.quietHours;
  const start = new Date(window.start);
  const end = new Date(window.end);
  const birthdays: ExpectedBirthday[] = [];
  let changedCustomers = 0;
  if (!settings.enabled) return { birthdays, changedCustomers };
  for (const [customerId, entry] of customerLines(lines)) {
    const records = [...entry.immediate, ...entry.timed.map((t) => t.record)];
    const first = records[0]!;
    if (records.some((r) => r.birthday !== first.birthday || hasMarketingConsent(r) !== hasMarketingConsent(first))) {
      changedCustomers++;
      continue;
    }
    if (first.birthday === undefined || !hasMarketingConsent(first)) continue;
    const from = joinedAt(entry, start);
    const timeZone = first.timeZone;
    const firstYear = Number(localDateOf(from, timeZone).slice(0, 4));
    const lastYear = Number(localDateOf(end, timeZone).slice(0, 4));
    for (let year = firstYear; year <= lastYear; year++) {
      const date = birthdayInYear(first.birthday, year, settings.leapDayPolicy);
      if (date === null) continue;
      const opens = instantAt(date, settings.sendAt, timeZone);
      const closes = quiet.start > settings.sendAt ? instantAt(date, quiet.start, timeZone) : endOfLocalDay(date, timeZone);
      if (opens < from || closes > end) continue;
      birthdays.push({ customerId, timeZone, date, messageId: `${customerId}#birthday#${year}` });
    }
  }
  return { birthdays, changedCustomers };
};

/** Which expected birthdays the report does not show sent on their local day, each with what happened instead. */
export const missedBirthdays = (report: SimulationReport, expected: readonly ExpectedBirthday[]): string[] => {
  const byId = new Map(report.messages.map((m) => [m.messageId, m]));
  const missed: string[] = [];
  for (const birthday of expected) {
    const message = byId.get(birthday.messageId);
    if (message?.state === 'sent' && message.localDate === birthday.date) continue;
    const what = message === undefined
      ? 'not in the report (never planned, or still waiting)'
      : message.state === 'sent'
        ? `sent on ${message.localDate} ${message.localTime}`
        : `${message.state}${message.reason ? `: ${message.reason}` : ''}`;
    missed.push(`${birthday.customerId} ${birthday.date} (${birthday.timeZone}): ${what}`);
  }
  return missed;
};

export const bandFigures = (report: SimulationReport, lines: readonly NdjsonLine[]): BandFigures => {
  const start = new Date(report.window.start);
  const end = new Date(report.window.end);
  const windowDays = (end.getTime() - start.getTime()) / DAY_MS;
  const sent = report.messages.filter((m) => m.state === 'sent');

  const customers = customerLines(lines);
  const monthsOf = new Map([...customers].map(([id, entry]) => [id, monthsBetween(joinedAt(entry, start), end)]));
  const customerMonths = [...monthsOf.values()].reduce((sum, months) => sum + months, 0);

  const campaignsOf = new Map<string, string[]>();
  for (const m of sent) campaignsOf.set(m.customerId, [...(campaignsOf.get(m.customerId) ?? []), m.campaign]);
  // Of the customers the floor applies to throughout (consenting, unchanged): one who withdrew consent
  // gets fewer messages for a reason that is not the cadence's.
  const floorSubjects = floorSubjectsOf(lines);
  const subjects = new Set(floorSubjects.map((subject) => subject.customerId));
  const onlyKeepInTouch = [...customers.keys()].filter((id) => {
    const campaigns = campaignsOf.get(id);
    if (!subjects.has(id)) return false;
    return campaigns !== undefined && campaigns.every((c) => c === 'keepInTouch');
  });
  const kitSent = onlyKeepInTouch.reduce((sum, id) => sum + campaignsOf.get(id)!.length, 0);
  const kitMonths = onlyKeepInTouch.reduce((sum, id) => sum + monthsOf.get(id)!, 0);

  const perDay = new Map<string, number>();
  for (const m of sent) {
    const day = m.sentAt!.slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  let peakDate: string | null = null;
  let peak = 0;
  for (const [day, count] of [...perDay].sort(([a], [b]) => a.localeCompare(b))) {
    if (count > peak) [peakDate, peak] = [day, count];
  }
  const average = windowDays > 0 ? sent.length / windowDays : 0;

  const band = checkBand(report, report.config, floorSubjects);
  const { birthdays, changedCustomers } = expectedBirthdays(lines, report.window, report.config);
  const missed = missedBirthdays(report, birthdays);

  return {
    window: { start: report.window.start, end: report.window.end, days: windowDays },
    customers: customers.size,
    customerMonths,
    sent: sent.length,
    perCustomerMonth: customerMonths > 0 ? sent.length / customerMonths : 0,
    keepInTouchOnly: { customers: onlyKeepInTouch.length, sent: kitSent, customerMonths: kitMonths, perCustomerMonth: kitMonths > 0 ? kitSent / kitMonths : 0 },
    sentNothing: [...customers.keys()].filter((id) => !campaignsOf.has(id)).length,
    keepInTouchShare: sent.length > 0 ? sent.filter((m) => m.campaign === 'keepInTouch').length / sent.length : 0,
    days: { peakDate, peak, average, peakToAverage: average > 0 ? peak / average : 0 },
    band: { ...band, floorSubjects: floorSubjects.length },
    birthdays: {
      expected: birthdays.length,
      sentOnTheDay: birthdays.length - missed.length,
      missed: missed.length,
      missedExamples: missed.slice(0, LISTED),
      changedCustomers,
    },
  };
};
