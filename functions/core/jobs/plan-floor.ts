import { addDays, datesFrom, localDateOf, type LocalDate } from '../calendar.js';
import { forEachCustomer, planDates, validRecord, type PlanningDeps } from './planning-window.js';
import { forEachConcurrently } from '../concurrency.js';
import type { Customer } from '../records.js';
import type { LedgerEntry, ResumePoint } from '../ports.js';
import { asBandReach, bandNarrowed, floorOf, reachOf, widerReach, type BandReach } from '../cadence.js';
import { CONFIG_READ_EVERY_MS } from '../config.js';
import { functionTimeoutSeconds } from '../function-timeouts.js';
import { hasMarketingConsent } from '../consent.js';
import { replanCustomer } from './replan-customer.js';

export const FLOOR_PLANNER = 'floorPlanner';

/**
 * The floor checks read again ahead of their dates once the cadence band has narrowed: its own
 * watermark and resume point, and what it was started for as its settings (`plannedWith`, StartedReread).
 */
export const FLOOR_REREAD = 'floorReread';

/** The floor's jobs, whose resume points may name a customer (an erasure forgets them). */
export const FLOOR_JOBS = [FLOOR_PLANNER, FLOOR_REREAD] as const;

/** How many of a date's partitions of floor checks a run reads at once, each a page of customers 8 at a time. */
export const PARTITIONS_AT_ONCE = 8;

export interface PlanFloorResult {
  readonly checked: number;
  readonly planned: number;
  readonly heldByOthers: number;
  readonly withoutConsent: number;
  /** Checks read ahead of their dates after the band narrowed, which the new band wants sooner (some made at once). */
  readonly broughtForward: number;
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
 *
 * Checks are stored where the band of their day put them. When ops narrow it (a shorter
 * `maxDaysBetween`, a longer `minDaysBetween`), a check set under the old band can lie up to the old
 * floor ahead and come too late for the new one: the run that first sees the narrower band reads every
 * date of checks the old bands could have set (FLOOR_REREAD), and brings each check the new band
 * wants sooner forward, making the plan at once where that is already due.
 */
export const planFloor = async (deps: PlanningDeps, now: Date): Promise<PlanFloorResult> => {
  const { config } = deps;
  const result = { checked: 0, planned: 0, heldByOthers: 0, withoutConsent: 0, broughtForward: 0, datesLeft: 0 };
  const todayUtc = localDateOf(now, 'UTC');
  // A date of floor checks may be more than a run can do (10 M customers: docs/scale.md): a run that stopped inside one left where.
  const progress = await deps.control.progress(FLOOR_PLANNER);
  const last = addDays(todayUtc, 1); // the latest local date anywhere
  const reread = await rereadAfterNarrowing(deps, last, now, progress.plannedWith);

  const watermark = progress.plannedThrough;
  const first = watermark === undefined ? addDays(todayUtc, -1) : addDays(watermark, 1);
  if (first <= last) {
    result.datesLeft = await planDates(deps, datesFrom(first, last), (date) => deps.control.setPlannedThrough(FLOOR_PLANNER, date), (date) =>
      readChecksOn(deps, FLOOR_PLANNER, date, progress.resume, (page) => checkFloors(deps, now, page, result)),
    );
  }
  // The dates ahead, read again for a narrower band; the dates up to `last` are the run's own above.
  if (reread.through !== undefined && result.datesLeft === 0) {
    const from = reread.plannedThrough === undefined || reread.plannedThrough < last ? addDays(last, 1) : addDays(reread.plannedThrough, 1);
    if (from <= reread.through) {
      result.datesLeft = await planDates(deps, datesFrom(from, reread.through), (date) => deps.control.setPlannedThrough(FLOOR_REREAD, date), (date) =>
        readChecksOn(deps, FLOOR_REREAD, date, reread.resume, (page) => bringForward(deps, now, date, last, page, result)),
      );
    }
  }
  return result;
};

/**
 * How long after a configuration change a floor check may still be set under the band it replaced: a
 * handler reads the configuration again once its cached copy is a minute old, and a run that read it
 * just before goes on with it to its end (the planner's is the longest).
 */
export const BAND_CHANGE_SETTLES_MS = CONFIG_READ_EVERY_MS + Math.max(...Object.values(functionTimeoutSeconds)) * 1000;

/**
 * Starts reading ahead, when the band in force is narrower than the reach of the bands since the
 * planner last caught up (FloorReach, kept with the configuration): every date a check of those bands
 * can be on, up to their longest floor and the two days after a message on its last day, from the
 * first date after the run's own. A read-ahead left unfinished is started again from its beginning, to
 * the further of the two ends: what it read was brought forward for a band since narrowed again.
 *
 * Until the change has settled (BAND_CHANGE_SETTLES_MS), a handler still holding the old band may set
 * a check behind the read-ahead: the planner then catches up no further than starting it, and the
 * first run after the change has settled starts it once more. After that, the reach is the band's own.
 */
const rereadAfterNarrowing = async (deps: PlanningDeps, last: LocalDate, now: Date, caughtUpWith: string | undefined): Promise<Reread> => {
  const { cadence } = deps.config;
  const [stored, progress] = await Promise.all([deps.control.floorReach(), deps.control.progress(FLOOR_REREAD)]);
  const started = startedReread(progress.plannedWith);
  const unfinished = started !== undefined && (progress.plannedThrough === undefined || progress.plannedThrough < started.through) ? started.through : undefined;
  const pending: Reread = { through: unfinished, plannedThrough: progress.plannedThrough, resume: progress.resume };
  // The band the planner last caught up with (kept beside its watermark) counts too, should a writer that
  // does not keep the reach (an older version's `config set`) have dropped it since.
  const caughtUp = parsedReach(caughtUpWith);
  if (stored === undefined && caughtUp === undefined) return pending;
  const reach = stored === undefined ? caughtUp! : caughtUp === undefined ? stored.reach : widerReach(stored.reach, caughtUp);
  const settled = stored === undefined || now.getTime() - stored.updatedAt.getTime() >= BAND_CHANGE_SETTLES_MS;
  const own = reachOf(cadence);
  let reread = pending;
  if (bandNarrowed(reach, cadence)) {
    // Once for a change of band, and once more when it first runs settled; a write that changed no band
    // (the marketing pause) starts nothing again.
    const change = JSON.stringify({ reach, band: own });
    const done = started !== undefined && started.change === change && (started.settled || !settled);
    if (!done) {
      const furthest = addDays(last, reach.maxDaysBetween + 2);
      const through = unfinished !== undefined && unfinished > furthest ? unfinished : furthest;
      const read: StartedReread = { through, change, settled };
      await deps.control.restartPlanning(FLOOR_REREAD, JSON.stringify(read));
      reread = { through };
    }
  }
  if (settled) {
    if (stored !== undefined && !sameReach(own, stored.reach)) await deps.control.settleFloorReach(own, stored.revision);
    if (caughtUp === undefined || !sameReach(own, caughtUp)) await deps.control.setPlannedWith(FLOOR_PLANNER, JSON.stringify(own));
  }
  return reread;
};

const sameReach = (a: BandReach, b: BandReach): boolean => a.maxDaysBetween === b.maxDaysBetween && a.daysToFloorCheck === b.daysToFloorCheck;

const parsedReach = (settings: string | undefined): BandReach | undefined => {
  try {
    return asBandReach(settings === undefined ? undefined : JSON.parse(settings));
  } catch {
    return undefined;
  }
};

/** A read-ahead as it was started (the re-read's `plannedWith`): the last date to read, and the change of band it was started for. */
interface StartedReread {
  readonly through: LocalDate;
  /** The reach it read for, and the band it read under. */
  readonly change: string;
  /** Started once the change had settled (no handler could still set a check under the old band). */
  readonly settled: boolean;
}

const startedReread = (settings: string | undefined): StartedReread | undefined => {
  try {
    const parsed = (settings === undefined ? undefined : JSON.parse(settings)) as Partial<StartedReread> | undefined;
    return typeof parsed?.through === 'string' ? { through: parsed.through, change: String(parsed.change), settled: parsed.settled === true } : undefined;
  } catch {
    return undefined;
  }
};

/** The read-ahead to do: the last date to read (none: nothing to read), and how far it got. */
interface Reread {
  readonly through?: LocalDate;
  readonly plannedThrough?: LocalDate;
  readonly resume?: ResumePoint;
}

/**
 * Reads a date's floor checks, partition by partition, handing each page to `checkPage`; `'stopped'`
 * when the run must stop inside it, keeping where each partition got to (`job`'s resume point).
 */
const readChecksOn = async (
  deps: PlanningDeps,
  job: string,
  date: LocalDate,
  resume: ResumePoint | undefined,
  checkPage: (page: readonly LedgerEntry[]) => Promise<void>,
): Promise<'planned' | 'stopped'> => {
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
          await checkPage(page.items);
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
    await deps.control.setResumePoint(job, { date, after: cursors }).catch(() => undefined);
    throw failure.error;
  }
  if (!stopped) return 'planned';
  await deps.control.setResumePoint(job, { date, after: cursors });
  return 'stopped';
};

/**
 * A page of checks read ahead of their date (`date`) under a narrower band: each customer's check
 * after their last contact, by the band now. One already due (on a date the planner has read) makes the
 * plan now; one due sooner than where it is moves there; the rest stay (a check set after a waiting
 * message, or in a week, is sooner than its floor's anyway).
 */
const bringForward = async (deps: PlanningDeps, now: Date, date: LocalDate, last: LocalDate, page: readonly LedgerEntry[], result: FloorCounts): Promise<void> => {
  const checkOn = (entry: LedgerEntry) => floorOf(entry.lastContactDate, deps.config.cadence).checkOn;
  const sooner = page.filter((entry) => checkOn(entry) < date);
  result.broughtForward += sooner.length;
  await checkFloors(deps, now, sooner.filter((entry) => checkOn(entry) <= last), result);
  await forEachCustomer(sooner.filter((entry) => checkOn(entry) > last), (entry) => entry.customerId, (entry) => deps.ledger.setFloorCheck(entry.customerId, checkOn(entry)));
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
