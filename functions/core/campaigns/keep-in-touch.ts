import { addDays, endOfLocalDay, instantAt, type LocalDate } from '../calendar.js';
import { floorOf } from '../cadence.js';
import type { RetentionConfig } from '../config.js';
import { messageIdOf, type PlannedMessage } from '../messages.js';
import type { Customer } from '../records.js';

/**
 * Keep-in-touch (SPEC.md): holds the floor. Placed when nothing else will reach a consenting customer
 * before the floor runs out; due from the floor check day (or today, if later), until the floor's
 * last day. Its occurrence is that last day, so one floor gets at most one.
 */
export const keepInTouchFor = (customer: Pick<Customer, 'customerId' | 'timeZone' | 'marketingOptIn'>, lastContact: LocalDate, today: LocalDate, config: RetentionConfig): PlannedMessage | null => {
  const settings = config.campaigns.keepInTouch;
  if (!settings.enabled || customer.marketingOptIn === false) return null;
  const floor = floorOf(lastContact, config.cadence);
  const dueDate = today > floor.checkOn ? today : floor.checkOn;
  return {
    messageId: messageIdOf(customer.customerId, 'keepInTouch', floor.lastDay),
    customerId: customer.customerId,
    campaign: 'keepInTouch',
    occurrence: floor.lastDay,
    messageClass: settings.class,
    priority: settings.priority,
    countsTowardCap: settings.countsTowardCap,
    dueAt: instantAt(dueDate, config.cadence.quietHours.end, customer.timeZone).toISOString(),
    deadline: endOfLocalDay(floor.lastDay, customer.timeZone).toISOString(),
    localDate: dueDate,
    timeZone: customer.timeZone,
  };
};

/** When to look again at a customer whose floor is already held by a waiting message due on `date`. */
export const floorRecheckAfter = (date: LocalDate): LocalDate => addDays(date, 1);
