import { addDays, datesFrom, localDateOf } from '../calendar.js';
import { floorOf } from '../cadence.js';
import { floorRecheckAfter, keepInTouchFor } from '../campaigns/keep-in-touch.js';
import { validRecord, type PlanningDeps } from './planning-window.js';
import type { Customer } from '../records.js';
import { forEachConcurrently } from '../concurrency.js';
import { newlyPlanned } from '../messages.js';
import { arrangeCustomer } from './arrange-customer.js';

export const FLOOR_PLANNER = 'floorPlanner';

/** How many customers' floors are checked at once. */
const PLANNING_CONCURRENCY = 8;

export interface PlanFloorResult {
  readonly checked: number;
  readonly planned: number;
  readonly heldByOthers: number;
  readonly withoutConsent: number;
}

/**
 * Holds the contact floor. Reads only the customers whose floor check falls on the dates since the
 * last run (the ledger's `byFloorCheck` index; every send moves a customer's check forward). For each:
 * if a message already waits that will reach them within the floor, look again after it; otherwise
 * plan a keep-in-touch message and arrange it around their other messages, never breaking the cap.
 */
export const planFloor = async (deps: PlanningDeps, now: Date): Promise<PlanFloorResult> => {
  const { config } = deps;
  const result = { checked: 0, planned: 0, heldByOthers: 0, withoutConsent: 0 };
  const todayUtc = localDateOf(now, 'UTC');
  const watermark = await deps.control.plannedThrough(FLOOR_PLANNER);
  const last = addDays(todayUtc, 1); // the latest local date anywhere
  const first = watermark === undefined ? addDays(todayUtc, -1) : addDays(watermark, 1);
  if (first > last) return result;

  for (const date of datesFrom(first, last)) {
    for await (const page of deps.ledger.floorChecksOn(date)) {
      // The ledger carries the profile's zone and consent (copied on every profile change); only a
      // ledger written before it did needs the profile read.
      const withoutFacts = page.filter((entry) => entry.timeZone === undefined || entry.marketingOptIn === undefined);
      const profiles = withoutFacts.length > 0 ? await deps.customers.getProfiles(withoutFacts.map((entry) => entry.customerId)) : new Map<string, unknown>();
      // Customers are independent of each other: several at a time.
      await forEachConcurrently(page, PLANNING_CONCURRENCY, async (entry) => {
        result.checked++;
        let customer: Pick<Customer, 'customerId' | 'timeZone' | 'marketingOptIn'> | undefined;
        if (entry.timeZone !== undefined && entry.marketingOptIn !== undefined) {
          customer = { customerId: entry.customerId, timeZone: entry.timeZone, marketingOptIn: entry.marketingOptIn };
        } else {
          const profile = profiles.get(entry.customerId);
          if (profile === undefined) {
            await deps.ledger.setFloorCheck(entry.customerId, undefined);
            return;
          }
          customer = validRecord(profile, 'customer', now, deps.onInvalidRecord);
        }
        if (!customer) return;
        const today = localDateOf(now, customer.timeZone);
        if (customer.marketingOptIn === false) {
          // The floor is for customers with marketing consent; look again in a while in case that changes.
          result.withoutConsent++;
          await deps.ledger.setFloorCheck(entry.customerId, addDays(today, config.cadence.minDaysBetween));
          return;
        }
        const floor = floorOf(entry.lastContactDate, config.cadence);
        const waiting = await deps.outbox.waitingFor(entry.customerId);
        const holding = waiting.filter((message) => message.localDate <= floor.lastDay).sort((a, b) => a.localDate.localeCompare(b.localDate))[0];
        if (holding) {
          result.heldByOthers++;
          await deps.ledger.setFloorCheck(entry.customerId, floorRecheckAfter(holding.localDate));
          return;
        }
        const keepInTouch = keepInTouchFor(customer, entry.lastContactDate, today, config);
        if (keepInTouch && (await deps.outbox.plan(keepInTouch, now)) === 'planned') {
          result.planned++;
          await arrangeCustomer(deps, entry.customerId, now, { waiting: [...waiting, newlyPlanned(keepInTouch, now)], lastCappedDate: entry.lastCappedDate });
        }
        // If nothing has gone out by the floor's last day, look again then.
        await deps.ledger.setFloorCheck(entry.customerId, addDays(floor.lastDay, 1));
      });
    }
  }
  await deps.control.setPlannedThrough(FLOOR_PLANNER, last);
  return result;
};
