import { daysBetween, localDateOf } from '../core/calendar.js';
import type { RetentionConfig } from '../core/config.js';
import { firstSendableInstant } from '../core/cadence.js';
import { hasMarketingConsent } from '../core/consent.js';
import type { NdjsonLine } from '../core/records.js';
import { isHeldOut } from '../core/measurement/holdout.js';
import type { ReportMessage, SimulationReport } from './report.js';

/**
 * Checks a simulation's sent messages against the cadence band, the way an auditor would: from what
 * went out, not from what the planner meant. Counts in each customer's local calendar days. A held-out
 * message (`heldOut`) was never sent: it counts for neither the cap nor the floor.
 */
export interface BandViolations {
  /** Two capped messages closer than `minDaysBetween` local days. */
  readonly cap: string[];
  /** A consenting customer left longer than `maxDaysBetween` local days (from the window's start, or from when they joined). */
  readonly floor: string[];
  /** Sent inside quiet hours. */
  readonly quietHours: string[];
  /** A message id sent twice. (SES ids are the provider's: the emulator's are random and may collide.) */
  readonly duplicates: string[];
}

export interface FloorSubject {
  readonly customerId: string;
  readonly timeZone: string;
  /** When their floor starts (ISO instant): a customer who joined late, from the moment they joined; by default the window's start. */
  readonly from?: string;
}

/**
 * The customers the floor applies to, from the records a simulation was run on (valid NDJSON lines,
 * with and without `at`): those with marketing consent whose profile no timed record changes.
 * - A customer imported at the start (customer records without `at` only) is a subject from the window's start.
 * - A customer who joins late (exactly one customer record, and it has `at`) is a subject from that
 *   instant: becoming a customer counts as a contact, so their floor runs from the local date they joined.
 * - A customer whose profile changes during the window (a timed customer record after their first one,
 *   e.g. consent withdrawn) is not a subject: the floor may rightly stop applying part-way.
 * - An erased customer is not a subject: from the erasure on nobody is there to write to.
 * Who of them is held out of keep-in-touch depends on the configuration: `floorApplies` says.
 */
export const floorSubjectsOf = (lines: readonly NdjsonLine[]): FloorSubject[] => {
  const byCustomer = new Map<string, { immediate: NdjsonLine[]; timed: NdjsonLine[] }>();
  const erased = new Set(lines.filter((line) => line.record.type === 'erasure').map((line) => line.record.customerId));
  for (const line of lines) {
    if (line.record.type !== 'customer' || erased.has(line.record.customerId)) continue;
    const entry = byCustomer.get(line.record.customerId) ?? { immediate: [], timed: [] };
    (line.at === undefined ? entry.immediate : entry.timed).push(line);
    byCustomer.set(line.record.customerId, entry);
  }
  const subjects: FloorSubject[] = [];
  for (const [customerId, { immediate, timed }] of byCustomer) {
    if (immediate.length > 0 && timed.length === 0) {
      // Several lines for one customer at the start: the last one written is the profile.
      const record = immediate[immediate.length - 1]!.record;
      if (record.type === 'customer' && hasMarketingConsent(record)) subjects.push({ customerId, timeZone: record.timeZone });
    } else if (immediate.length === 0 && timed.length === 1) {
      const { record, at } = timed[0]!;
      if (record.type === 'customer' && hasMarketingConsent(record)) subjects.push({ customerId, timeZone: record.timeZone, from: at!.toISOString() });
    }
  }
  return subjects;
};

/** Whether the floor applies to a subject under this configuration: not while they are held out of keep-in-touch (SPEC.md, "Measuring retention"). */
export const floorApplies = (subject: Pick<FloorSubject, 'customerId'>, config: RetentionConfig): boolean => !isHeldOut(subject.customerId, 'keepInTouch', config.measurement);

const inQuiet = (time: string, quiet: RetentionConfig['cadence']['quietHours']) =>
  quiet.start > quiet.end ? time >= quiet.start || time < quiet.end : time >= quiet.start && time < quiet.end;

export const checkBand = (report: SimulationReport, config: RetentionConfig, floorSubjects: readonly FloorSubject[]): BandViolations => {
  const { minDaysBetween, maxDaysBetween, quietHours } = config.cadence;
  const capped = new Set(Object.entries(config.campaigns).filter(([, c]) => c.countsTowardCap).map(([name]) => name));
  const sent = report.messages.filter((m) => m.state === 'sent');
  const violations: BandViolations = { cap: [], floor: [], quietHours: [], duplicates: [] };

  const seen = new Set<string>();
  for (const m of sent) {
    if (seen.has(m.messageId)) violations.duplicates.push(m.messageId);
    seen.add(m.messageId);
    if (m.localTime && inQuiet(m.localTime, quietHours)) violations.quietHours.push(`${m.messageId} at ${m.localDate} ${m.localTime}`);
  }

  const byCustomer = new Map<string, typeof sent>();
  for (const m of sent) byCustomer.set(m.customerId, [...(byCustomer.get(m.customerId) ?? []), m]);
  for (const messages of byCustomer.values()) {
    const cappedDates = messages.filter((m) => capped.has(m.campaign)).map((m) => ({ id: m.messageId, date: m.localDate! })).sort((a, b) => a.date.localeCompare(b.date));
    for (let i = 1; i < cappedDates.length; i++) {
      const gap = daysBetween(cappedDates[i - 1]!.date, cappedDates[i]!.date);
      if (gap < minDaysBetween) violations.cap.push(`${cappedDates[i - 1]!.id} → ${cappedDates[i]!.id}: ${gap} days`);
    }
  }

  const start = new Date(report.window.start);
  const end = new Date(report.window.end);
  for (const subject of floorSubjects.filter((candidate) => floorApplies(candidate, config))) {
    // Joining counts as a contact: a late joiner's floor runs from the local date they joined.
    const from = subject.from === undefined || new Date(subject.from) < start ? start : new Date(subject.from);
    if (from >= end) continue;
    const dates = [localDateOf(from, subject.timeZone), ...(byCustomer.get(subject.customerId) ?? []).map((m) => m.localDate!).sort(), localDateOf(end, subject.timeZone)];
    for (let i = 1; i < dates.length; i++) {
      const gap = daysBetween(dates[i - 1]!, dates[i]!);
      // The last stretch runs to the window's end: only a gap already longer than the floor counts.
      if (gap > maxDaysBetween) violations.floor.push(`${subject.customerId}: ${dates[i - 1]} → ${dates[i]} (${gap} days)`);
    }
  }
  return violations;
};

/**
 * Whether the band moved a sent message to a later day than it could otherwise have gone (its due
 * time, or the end of the quiet hours it fell in): the weekly cap deferred it. A transient failure's
 * retry could do the same; with a healthy mail service it is the cap alone.
 */
export const sentOnALaterDay = (message: ReportMessage, cadence: RetentionConfig['cadence']): boolean => {
  if (message.state !== 'sent' || message.localDate === null) return false;
  const earliest = firstSendableInstant(new Date(message.dueAt), message.timeZone, cadence);
  return message.localDate > localDateOf(earliest, message.timeZone);
};
