import { addDays, datesFrom, localDateOf } from '../calendar.js';
import { forEachCustomer, planDates, validRecord, type PlanningDeps } from './planning-window.js';
import { forEachConcurrently } from '../concurrency.js';
import type { Customer } from '../records.js';
import type { LedgerEntry } from '../ports.js';
import { hasMarketingConsent } from '../consent.js';
import { replanCustomer } from './replan-customer.js';

export const FLOOR_PLANNER = 'floorPlanner';

/** How many of a date's partitions of floor checks a run reads at once, each a page of customers 8 at a time. */
export const PARTITIONS_AT_ONCE = 8;

export interface PlanFloorResult {
  readonly checked: number;
  readonly planned: number;
  readonly heldByOthers: number;
  readonly withoutConsent: number;
  /** Dates left for the next run: this one's time ran out (PlanningRun). */
  readonly datesLeft: number;
}

/**
 * Holds the contact floor. Reads only the customers whose floor check falls on the dates since the
 * last run (the ledger's `byFloorCheck` index; every send moves a customer's check forward), and makes
 * each one's plan again: if a waiting message is arranged to reach them within the floor, look again
 * after it; otherwise their keep-in-touch goes as late as the band allows, never breaking the cap.
 * The watermark moves as each date is checked, so a run whose time runs out leaves the rest to the next.
 * A date's partitions of checks are read at once; a run may stop inside a date, and the next run goes on
 * in each partition after the last page it checked there.
 */
export const planFloor = async (deps: PlanningDeps, now: Date): Promise<PlanFloorResult> => {
  const { config } = deps;
  const result = { checked: 0, planned: 0, heldByOthers: 0, withoutConsent: 0, datesLeft: 0 };
  const todayUtc = localDateOf(now, 'UTC');
  // A date of floor checks may be more than a run can do (10 M customers: docs/scale.md): a run that stopped inside one left where.
  const { plannedThrough: watermark, resume } = await deps.control.progress(FLOOR_PLANNER);
  const last = addDays(todayUtc, 1); // the latest local date anywhere
  const first = watermark === undefined ? addDays(todayUtc, -1) : addDays(watermark, 1);
  if (first > last) return result;

  result.datesLeft = await planDates(deps, datesFrom(first, last), (date) => deps.control.setPlannedThrough(FLOOR_PLANNER, date), async (date) => {
    // Where each partition's pages read so far end: where the next run goes on if this one stops or a
    // page fails (a run that crashes instead reads the date again from the last point kept; a check
    // already made is no longer there, or plans nothing new).
    const partitions = deps.ledger.floorChecksOn(date, resume?.date === date ? resume.after : undefined);
    const cursors: Record<string, unknown> = Object.fromEntries(partitions.map((partition) => [partition.name, partition.from]));
    // Each customer's check is in one partition: the partitions are read at once, each at its own pace
    // (PARTITIONS_AT_ONCE at most, dueShards may be 99). A partition stops before its next page once the
    // run must stop, or another one failed, so no page is read only to be left to the next run.
    let stopped = false;
    let failure: { readonly error: unknown } | undefined;
    await forEachConcurrently(partitions, PARTITIONS_AT_ONCE, async ({ name, pages }) => {
      const iterator = pages[Symbol.asyncIterator]();
      try {
        for (;;) {
          if (cursors[name] !== null && (failure !== undefined || deps.run?.mustStop())) {
            await iterator.return?.();
            stopped = true;
            return;
          }
          const { done, value: page } = await iterator.next();
          if (done) break;
          if (page.items.length > 0) {
            await checkFloors(deps, now, page.items, result);
            deps.run?.planned();
          }
          cursors[name] = page.next ?? null;
        }
      } catch (error) {
        failure ??= { error };
      }
    });
    if (failure) {
      // A cursor moves only once its page is done: what the failed page began is read again, the rest is
      // not. Should keeping them fail too, the date is read again from the last point kept.
      await deps.control.setResumePoint(FLOOR_PLANNER, { date, after: cursors }).catch(() => undefined);
      throw failure.error;
    }
    if (!stopped) return 'planned';
    await deps.control.setResumePoint(FLOOR_PLANNER, { date, after: cursors });
    return 'stopped';
  });
  return result;
};

type FloorCounts = { -readonly [K in Exclude<keyof PlanFloorResult, 'datesLeft'>]: number };

/** Makes the plan of each customer whose floor check a page holds, several at a time. */
const checkFloors = async (deps: PlanningDeps, now: Date, page: readonly LedgerEntry[], result: FloorCounts): Promise<void> => {
  // The ledger carries the profile's zone and consent (copied on every profile change); only a
  // ledger written before it did needs the profile read.
  const withoutFacts = page.filter((entry) => entry.timeZone === undefined || entry.marketingOptIn === undefined);
  const profiles = withoutFacts.length > 0 ? await deps.customers.getProfiles(withoutFacts.map((entry) => entry.customerId)) : new Map<string, unknown>();
  // Customers are independent of each other: several at a time.
  await forEachCustomer(page, (entry) => entry.customerId, async (entry) => {
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
    if (!hasMarketingConsent(customer)) {
      // The floor is for customers with marketing consent: out of the index until they give it. Consent
      // is the profile's, and a changed profile opens the ledger again and makes the plan again
      // (customer-changed.ts), which brings the floor check back; reading them again meanwhile finds nothing to plan.
      result.withoutConsent++;
      await deps.ledger.setFloorCheck(entry.customerId, undefined);
      return;
    }
    const plan = await replanCustomer(deps, entry.customerId, now, { ledger: entry, customer });
    if (plan.floor === 'held') result.heldByOthers++;
    else if (plan.steps.some((step) => step.kind === 'keepInTouch')) result.planned++;
  });
};
