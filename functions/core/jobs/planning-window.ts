import { addDays, datesFrom, localDateOf, type LocalDate } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import type { ControlStore, CustomerStore, LedgerStore, Outbox } from '../ports.js';
import { InvalidRecordError } from '../errors.js';
import { recordFromItem, type RecordType } from '../records.js';

/** What every daily planning job needs. */
export interface PlanningDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly control: ControlStore;
  readonly config: RetentionConfig;
  /** Told of a stored record that fails validation; the job goes on without it. */
  readonly onInvalidRecord: (error: InvalidRecordError) => void;
}

/**
 * The local dates a dated-message planner has still to plan: from the day after its watermark (never
 * before yesterday in UTC, the earliest local date anywhere) up to the look-ahead horizon. Each date
 * is planned once; `done()` moves the watermark when the run got through them all.
 */
export const datesToPlan = async (control: ControlStore, planner: string, now: Date, lookAheadDays: number): Promise<{ dates: LocalDate[]; done: () => Promise<void> }> => {
  const todayUtc = localDateOf(now, 'UTC');
  const earliest = addDays(todayUtc, -1);
  const horizon = addDays(todayUtc, lookAheadDays);
  const watermark = await control.plannedThrough(planner);
  const from = watermark === undefined || watermark < earliest ? earliest : addDays(watermark, 1);
  return { dates: from > horizon ? [] : datesFrom(from, horizon), done: () => control.setPlannedThrough(planner, horizon) };
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
