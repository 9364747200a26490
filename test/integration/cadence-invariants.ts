import { firstSendableInstant } from '../../functions/core/cadence.js';
import { daysBetween, instantAt, localDateOf } from '../../functions/core/calendar.js';
import type { RetentionConfig } from '../../functions/core/config.js';
import { reminderOffsetOf, termEndOf } from '../../functions/core/campaigns/renewal.js';
import { isFinal, type Message } from '../../functions/core/messages.js';
import type { NdjsonLine } from '../../functions/core/records.js';
import { checkBand } from '../../functions/local/band-check.js';
import { expectedBirthdays, type ExpectedBirthday } from '../../functions/local/band-figures.js';
import type { SimulationResult } from '../../functions/local/simulation.js';

/**
 * What a simulated cohort must show, whatever its records (the property test's invariants; also
 * usable on its own to check a replayed counterexample): the band held, nothing sent twice or in
 * quiet hours, nothing parked, and every birthday of a consenting customer sent on its local day
 * unless the band made that impossible.
 */
export interface CadenceViolations {
  readonly cap: string[];
  readonly floor: string[];
  readonly quietHours: string[];
  readonly duplicates: string[];
  readonly parked: string[];
  readonly birthdays: string[];
  /** A contract's term reminded twice at the same offset (a later term's reminders have ids of their own). */
  readonly renewals: string[];
}

export const noViolations = (v: CadenceViolations): boolean => Object.values(v).every((list) => list.length === 0);

/**
 * Why a greeting that did not go on its day could not have, or null. Narrow on purpose: the only
 * excuse is another message of the customer that counts toward the cap, has a higher priority, and
 * - whose every possible local day (from the first instant outside quiet hours at or after its due
 *   time, to the last instant before its deadline) lies fewer than `minDaysBetween` days from the
 *   birthday, so the two cannot both go inside their windows; and
 * - that was still in the way when the greeting's last chance passed: it was sent, or it ended
 *   unsent (cancelled, expired, suppressed) no earlier than `marginMinutes` before quiet hours began
 *   on the birthday. One cancelled earlier freed the day, and the greeting must then go (SPEC.md:
 *   an expiry decided by the arrangement is provisional until the message's deadline).
 * A capped message sent before the greeting was planned cannot be an excuse: the planner knows a
 * birthday `lookAheadDays` (≥ `maxDaysBetween` > `minDaysBetween`) ahead, and a late joiner has nothing
 * sent before they join.
 */
export const birthdayExcuse = (birthday: ExpectedBirthday, stored: readonly Message[], config: RetentionConfig, marginMinutes: number): string | null => {
  const { cadence } = config;
  const closes = instantAt(birthday.date, cadence.quietHours.start, birthday.timeZone).getTime() - marginMinutes * 60_000;
  for (const other of stored) {
    if (other.customerId !== birthday.customerId || other.messageId === birthday.messageId) continue;
    if (!other.countsTowardCap || other.priority <= config.campaigns.birthday.priority) continue;
    const first = localDateOf(firstSendableInstant(new Date(other.dueAt), other.timeZone, cadence), other.timeZone);
    const last = localDateOf(new Date(Date.parse(other.deadline) - 1), other.timeZone);
    if (first > last) continue;
    const collides = daysBetween(birthday.date, first) > -cadence.minDaysBetween && daysBetween(birthday.date, last) < cadence.minDaysBetween;
    if (!collides) continue;
    const inTheWay = other.state === 'sent' || !isFinal(other.state) || Date.parse(other.updatedAt ?? other.plannedAt) >= closes;
    if (inTheWay) return `${other.messageId} (priority ${other.priority}, ${other.state}) can only go ${first} … ${last}`;
  }
  return null;
};

/** Birthdays of consenting customers (`expectedBirthdays`) not sent on their local day, without an excuse. */
export const unexcusedBirthdays = (lines: readonly NdjsonLine[], result: Pick<SimulationResult, 'report'>, stored: readonly Message[], config: RetentionConfig, marginMinutes: number): string[] => {
  const byId = new Map(stored.map((m) => [m.messageId, m]));
  const misses: string[] = [];
  for (const birthday of expectedBirthdays(lines, result.report.window, config).birthdays) {
    const message = byId.get(birthday.messageId);
    if (message?.state === 'sent' && message.sentAt && localDateOf(new Date(message.sentAt), birthday.timeZone) === birthday.date) continue;
    if (birthdayExcuse(birthday, stored, config, marginMinutes) !== null) continue;
    const what = message === undefined
      ? 'never planned'
      : message.state === 'sent'
        ? `sent on ${localDateOf(new Date(message.sentAt!), birthday.timeZone)}`
        : `${message.state}${message.reason ? `: ${message.reason}` : ''}`;
    misses.push(`${birthday.messageId} due ${birthday.date} (${birthday.timeZone}): ${what}`);
  }
  return misses;
};

/** Renewal reminders sent twice for one term of a contract at one offset: its end date and offset (renewal.ts `termEndOf`, `reminderOffsetOf`). */
export const renewalsSentTwice = (stored: readonly Message[]): string[] => {
  const seen = new Map<string, string>();
  const twice: string[] = [];
  for (const message of stored) {
    if (message.campaign !== 'renewal' || message.state !== 'sent') continue;
    const term = `${message.customerId} ${message.sourceKey} ends ${termEndOf(message)}, ${reminderOffsetOf(message)} days before`;
    const other = seen.get(term);
    if (other !== undefined) twice.push(`${term}: ${other} and ${message.messageId}`);
    seen.set(term, message.messageId);
  }
  return twice;
};

export const cadenceViolations = (
  lines: readonly NdjsonLine[],
  result: Pick<SimulationResult, 'report' | 'floorSubjects' | 'parked'>,
  stored: readonly Message[],
  config: RetentionConfig,
  marginMinutes: number,
): CadenceViolations => {
  const band = checkBand(result.report, config, result.floorSubjects);
  return {
    cap: band.cap,
    floor: band.floor,
    quietHours: band.quietHours,
    duplicates: band.duplicates,
    parked: result.parked.map((p) => JSON.stringify(p).slice(0, 300)),
    birthdays: unexcusedBirthdays(lines, result, stored, config, marginMinutes),
    renewals: renewalsSentTwice(stored),
  };
};
