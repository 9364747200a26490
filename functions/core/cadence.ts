import { addDays, instantAt, localDateOf, localTimeOf, startOfLocalDay, type LocalDate } from './calendar.js';
import type { RetentionConfig } from './config.js';

/**
 * The cadence band (SPEC.md), counted in the customer's local calendar days: the cap (at least
 * `minDaysBetween` days between capped messages), the floor (at most `maxDaysBetween` days without a
 * message) and quiet hours. Pure rules; the ledger adapter enforces the cap atomically.
 */

type Cadence = RetentionConfig['cadence'];

/** A date that is before every real one: "never capped". */
export const NEVER: LocalDate = '0000-01-01';

/** Is this local wall time inside quiet hours (which may wrap midnight, 20:00–09:00)? */
const inQuietHours = (time: string, quiet: Cadence['quietHours']): boolean =>
  quiet.start > quiet.end ? time >= quiet.start || time < quiet.end : time >= quiet.start && time < quiet.end;

/** The first instant at or after `from` outside quiet hours, in the customer's zone. */
export const firstSendableInstant = (from: Date, timeZone: string, cadence: Cadence): Date => {
  if (!inQuietHours(localTimeOf(from, timeZone), cadence.quietHours)) return from;
  const today = localDateOf(from, timeZone);
  const opensToday = instantAt(today, cadence.quietHours.end, timeZone);
  return opensToday > from ? opensToday : instantAt(addDays(today, 1), cadence.quietHours.end, timeZone);
};

/** When the last stretch of sending hours before `deadline` ends: the deadline itself, or the start of the quiet hours it falls in. */
export const sendingEndsBy = (deadline: Date, timeZone: string, cadence: Cadence): Date => {
  // The moment just before the deadline is what may still be sent in (quiet hours end on their minute, so a deadline there is itself sendable).
  const last = new Date(deadline.getTime() - 1);
  const time = localTimeOf(last, timeZone);
  const quiet = cadence.quietHours;
  if (!inQuietHours(time, quiet)) return deadline;
  const date = localDateOf(last, timeZone);
  // Quiet hours that wrap midnight (20:00–09:00) began the evening before when it is early morning.
  return instantAt(quiet.start > quiet.end && time < quiet.end ? addDays(date, -1) : date, quiet.start, timeZone);
};

/** How long before sending ends a message's last try falls: a dispatcher run or two late still finds it sendable. */
const LAST_TRY_LEAD_MS = 5 * 60_000;

/**
 * When a message that failed for now (or waits out a pause) is tried again: after its backoff, outside
 * quiet hours; when that would pass its deadline, once more shortly before sending ends for it, so a
 * fault mended in the meantime still gets it out; null when that moment has passed too (it expires).
 */
export const retryInstant = (backoff: Date, now: Date, deadline: Date, timeZone: string, cadence: Cadence): Date | null => {
  const next = firstSendableInstant(backoff, timeZone, cadence);
  if (next < deadline) return next;
  const lastTry = firstSendableInstant(new Date(sendingEndsBy(deadline, timeZone, cadence).getTime() - LAST_TRY_LEAD_MS), timeZone, cadence);
  return lastTry > now && lastTry < deadline ? lastTry : null;
};

/** The latest capped send date that still allows a capped message on `today`. */
export const capThreshold = (today: LocalDate, cadence: Cadence): LocalDate => addDays(today, -cadence.minDaysBetween);

/** The first local date the cap allows after a capped message on `lastCapped`. */
export const firstDateAfterCap = (lastCapped: LocalDate, cadence: Cadence): LocalDate =>
  lastCapped === NEVER ? NEVER : addDays(lastCapped, cadence.minDaysBetween);

/** The first instant a capped message may go, given the last capped date: no earlier than `from`, never in quiet hours. */
export const firstCapSlot = (from: Date, lastCapped: LocalDate, timeZone: string, cadence: Cadence): Date => {
  const allowedDate = firstDateAfterCap(lastCapped, cadence);
  const allowedFrom = allowedDate > localDateOf(from, timeZone) ? startOfLocalDay(allowedDate, timeZone) : from;
  return firstSendableInstant(allowedFrom, timeZone, cadence);
};

/**
 * A floor check date the floor planner will still read: it reads a day ahead of UTC, so a check set
 * now goes no earlier than the day after that (one on a date already read would never be read).
 */
export const readableFloorCheck = (date: LocalDate, now: Date): LocalDate => {
  const earliest = addDays(localDateOf(now, 'UTC'), 2);
  return date < earliest ? earliest : date;
};

/** The floor check after a contact on `day` (its floor's `checkOn`), set now. */
export const floorCheckAfterContact = (day: LocalDate, now: Date, cadence: Cadence): LocalDate => readableFloorCheck(floorOf(day, cadence).checkOn, now);

/**
 * The floor after a contact on `lastContact`: the last local date by which the next message must
 * arrive, and the date on which the floor planner decides whether a keep-in-touch message is needed
 * (early enough that it still fits under the cap before that date).
 */
export const floorOf = (lastContact: LocalDate, cadence: Band): { readonly lastDay: LocalDate; readonly checkOn: LocalDate } => ({
  lastDay: addDays(lastContact, cadence.maxDaysBetween),
  checkOn: addDays(lastContact, daysToFloorCheck(cadence)),
});

/** The cap and the floor, without the quiet hours. */
export type Band = Pick<Cadence, 'maxDaysBetween' | 'minDaysBetween'>;

/** Days from a contact to the floor check after it: the cap's length before the floor's last day, so a keep-in-touch still fits. */
const daysToFloorCheck = (cadence: Band): number => Math.max(1, cadence.maxDaysBetween - cadence.minDaysBetween);

/**
 * How far ahead the floor checks set under one or more bands can lie: the longest floor, and the longest
 * time from a contact to its check. Stored with the configuration (the widest of every band in force
 * since the floor planner last caught up with it), so that a band set and changed again between two
 * planner runs still counts.
 */
export interface BandReach {
  readonly maxDaysBetween: number;
  readonly daysToFloorCheck: number;
}

/** A stored value as a BandReach, or undefined when it is not one. */
export const asBandReach = (value: unknown): BandReach | undefined => {
  const { maxDaysBetween, daysToFloorCheck } = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof BandReach, unknown>>;
  return typeof maxDaysBetween === 'number' && typeof daysToFloorCheck === 'number' ? { maxDaysBetween, daysToFloorCheck } : undefined;
};

export const reachOf = (band: Band): BandReach => ({ maxDaysBetween: band.maxDaysBetween, daysToFloorCheck: daysToFloorCheck(band) });

export const widerReach = (a: BandReach, b: BandReach): BandReach => ({
  maxDaysBetween: Math.max(a.maxDaysBetween, b.maxDaysBetween),
  daysToFloorCheck: Math.max(a.daysToFloorCheck, b.daysToFloorCheck),
});

/**
 * Is `now` narrower than what checks set under `before` allow for: could one of them come later than
 * `now` wants it? A shorter floor, or a shorter time from a contact to its check (a longer cap).
 */
export const bandNarrowed = (before: BandReach, now: Band): boolean => now.maxDaysBetween < before.maxDaysBetween || daysToFloorCheck(now) < before.daysToFloorCheck;
