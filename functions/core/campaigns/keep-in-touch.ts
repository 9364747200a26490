import { addDays, endOfLocalDay, instantAt, type LocalDate } from '../calendar.js';
import { floorOf } from '../cadence.js';
import type { RetentionConfig } from '../config.js';
import { messageIdOf, type PlannedMessage } from '../messages.js';

/**
 * Keep-in-touch (SPEC.md): holds the floor. Placed when nothing else will reach a consenting customer
 * before the floor runs out, as late as the band allows (the planner moves it earlier only when known
 * messages require it). Its occurrence is the floor's last day, so one floor gets at most one.
 */

/** The id of the keep-in-touch of the floor whose last day is `floorLastDay`: one per floor. */
export const keepInTouchIdFor = (customerId: string, floorLastDay: LocalDate): string => messageIdOf(customerId, 'keepInTouch', floorLastDay);

/** The keep-in-touch message of the floor ending on `floorLastDay`, due on `dueDate`, until that day ends. */
export const keepInTouchFor = (customer: { readonly customerId: string; readonly timeZone: string }, floorLastDay: LocalDate, dueDate: LocalDate, config: RetentionConfig): PlannedMessage => {
  const settings = config.campaigns.keepInTouch;
  return {
    messageId: keepInTouchIdFor(customer.customerId, floorLastDay),
    customerId: customer.customerId,
    campaign: 'keepInTouch',
    occurrence: floorLastDay,
    messageClass: settings.class,
    priority: settings.priority,
    countsTowardCap: settings.countsTowardCap,
    dueAt: instantAt(dueDate, config.cadence.quietHours.end, customer.timeZone).toISOString(),
    deadline: endOfLocalDay(floorLastDay, customer.timeZone).toISOString(),
    localDate: dueDate,
    timeZone: customer.timeZone,
  };
};

/** The first day of the floor a keep-in-touch of `floorLastDay` was for: a contact after it met that floor. */
export const floorStartOf = (floorLastDay: LocalDate, cadence: RetentionConfig['cadence']): LocalDate => addDays(floorLastDay, -cadence.maxDaysBetween);

/**
 * A stable spread of customers over `days` days, from their id: FNV-1a, then a final mix (murmur3's)
 * so ids that differ only in their last characters still land far apart. The same id, the same day.
 */
export const spreadOf = (customerId: string, days: number): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) hash = Math.imul(hash ^ customerId.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return ((hash ^ (hash >>> 16)) >>> 0) % days;
};

/**
 * The latest day the keep-in-touch of the floor opened on `lastContact` aims for. A customer's first
 * floor (nothing sent since they were first seen) aims for a day spread over the window by their id,
 * so a whole imported base is not written to on the same day; every later floor aims for its last day.
 */
export const keepInTouchTarget = (
  customerId: string,
  ledger: { readonly lastContactDate: LocalDate; readonly openedOn?: LocalDate },
  cadence: RetentionConfig['cadence'],
): LocalDate => {
  const floor = floorOf(ledger.lastContactDate, cadence);
  if (ledger.openedOn === undefined || ledger.openedOn !== ledger.lastContactDate) return floor.lastDay;
  return addDays(ledger.lastContactDate, 1 + spreadOf(customerId, cadence.maxDaysBetween));
};
