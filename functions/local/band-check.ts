import { daysBetween, localDateOf } from '../core/calendar.js';
import type { RetentionConfig } from '../core/config.js';
import { firstSendableInstant } from '../core/cadence.js';
import type { ReportMessage, SimulationReport } from './report.js';

/**
 * Checks a simulation's sent messages against the cadence band, the way an auditor would: from what
 * went out, not from what the planner meant. Counts in each customer's local calendar days.
 */
export interface BandViolations {
  /** Two capped messages closer than `minDaysBetween` local days. */
  readonly cap: string[];
  /** A consenting customer left longer than `maxDaysBetween` local days (from the window's start). */
  readonly floor: string[];
  /** Sent inside quiet hours. */
  readonly quietHours: string[];
  /** A message id sent twice. (SES ids are the provider's: the emulator's are random and may collide.) */
  readonly duplicates: string[];
}

export interface FloorSubject {
  readonly customerId: string;
  readonly timeZone: string;
}

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
  for (const subject of floorSubjects) {
    const dates = [localDateOf(start, subject.timeZone), ...(byCustomer.get(subject.customerId) ?? []).map((m) => m.localDate!).sort(), localDateOf(end, subject.timeZone)];
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
