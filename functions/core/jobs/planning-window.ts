import { addDays, datesFrom, localDateOf, type LocalDate } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import type { ControlStore, CustomerStore, LedgerStore, Outbox } from '../ports.js';
import { InvalidRecordError } from '../errors.js';
import { recordFromItem, type RecordType } from '../records.js';
import { forEachConcurrently } from '../concurrency.js';

/** What every daily planning job needs. */
export interface PlanningDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly control: ControlStore;
  readonly config: RetentionConfig;
  /** Told of a stored record that fails validation; the job goes on without it. */
  readonly onInvalidRecord: (error: InvalidRecordError) => void;
  /** The scheduled run's time (the planner handler's); absent: no limit. */
  readonly run?: PlanningRun;
}

/**
 * When a planner run must stop taking new work (a date; for the floor, a page of a date): its
 * Lambda's time is nearly up (less than `marginMs` left) and it has planned something, so every run
 * moves on. Each date's watermark moves once the date is planned, so the next run starts where this
 * one stopped.
 */
export class PlanningRun {
  private done = 0;

  constructor(
    private readonly timeLeftMs: () => number,
    private readonly marginMs: number,
  ) {}

  mustStop(): boolean {
    return this.done > 0 && this.timeLeftMs() < this.marginMs;
  }

  /** A date, or a page of one, planned. */
  planned(): void {
    this.done++;
  }
}

/** How many customers are planned at once. */
const PLANNING_CONCURRENCY = 8;

/**
 * Plans `items` several customers at a time, each customer's own one after another: two plans of one
 * customer (two contracts ending the same day) never arrange their messages at the same moment.
 */
export const forEachCustomer = async <T>(items: readonly T[], customerIdOf: (item: T) => string, plan: (item: T) => Promise<void>): Promise<void> => {
  const byCustomer = new Map<string, T[]>();
  for (const item of items) {
    const customerId = customerIdOf(item);
    byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), item]);
  }
  await forEachConcurrently([...byCustomer.values()], PLANNING_CONCURRENCY, async (own) => {
    for (const item of own) await plan(item);
  });
};

/**
 * The local dates a dated-message planner has still to plan: from the day after its watermark (never
 * before yesterday in UTC, the earliest local date anywhere) up to the look-ahead horizon. Each date
 * is planned once: `planned(date)` moves the watermark to it.
 *
 * `settings` are those of the planner's campaign that decide what a date plans (the reminders'
 * offsets, the leap-day policy). Dates planned under other settings, or beyond a horizon made shorter
 * since (records arriving for them would be planned neither by their stream job nor by the planner),
 * are planned again from the start: planning a date again plans only what is missing.
 */
export const datesToPlan = async (
  control: ControlStore,
  planner: string,
  now: Date,
  lookAheadDays: number,
  settings: string,
): Promise<{ dates: LocalDate[]; planned: (date: LocalDate) => Promise<void> }> => {
  const todayUtc = localDateOf(now, 'UTC');
  const earliest = addDays(todayUtc, -1);
  const horizon = addDays(todayUtc, lookAheadDays);
  const progress = await control.progress(planner);
  const restart = progress.plannedWith !== settings || (progress.plannedThrough !== undefined && progress.plannedThrough > horizon);
  if (restart) await control.restartPlanning(planner, settings);
  const watermark = restart ? undefined : progress.plannedThrough;
  const from = watermark === undefined || watermark < earliest ? earliest : addDays(watermark, 1);
  return { dates: from > horizon ? [] : datesFrom(from, horizon), planned: (date) => control.setPlannedThrough(planner, date) };
};

/**
 * Plans each of `dates` in turn with `planDate`, moving the watermark after each (`planned`), until
 * the run must stop (PlanningRun) before a date or `planDate` stops inside one (`'stopped'`, its
 * watermark left where it was): how many dates are left for the next run.
 */
export const planDates = async (
  deps: PlanningDeps,
  dates: readonly LocalDate[],
  planned: (date: LocalDate) => Promise<void>,
  planDate: (date: LocalDate) => Promise<'planned' | 'stopped'>,
): Promise<number> => {
  for (const [index, date] of dates.entries()) {
    if (deps.run?.mustStop() || (await planDate(date)) === 'stopped') return dates.length - index;
    await planned(date);
    deps.run?.planned();
  }
  return 0;
};

/** A stored record as a valid one of its type, or undefined after reporting why not: one bad record never stops a planner. */
export const validRecord = <T extends RecordType>(item: unknown, type: T, now: Date, onInvalid: (error: InvalidRecordError) => void) => {
  try {
    return recordFromItem(item, type, now);
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    onInvalid(error);
    return undefined;
  }
};
