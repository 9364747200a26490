import { randomUUID } from 'node:crypto';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import type { InvalidRecordError } from '../core/errors.js';
import { planBirthdays } from '../core/jobs/plan-birthdays.js';
import { planFloor } from '../core/jobs/plan-floor.js';
import { planRenewals } from '../core/jobs/plan-renewals.js';
import { PlanningRun } from '../core/jobs/planning-window.js';
import { countingEndings, writeCounts, writeMessages, type MessageCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/** Kept free at the end of the planner's time: no new date, nor page of floor checks (about a second's work), is begun with less left. */
export const PLANNER_END_MARGIN_MS = 60_000;

/**
 * A planner run that stopped with dates left, its time nearly up: what it planned stays planned and
 * its watermarks say where it stopped. The schedule invokes the planner asynchronously, so Lambda
 * runs it again (twice at most), each run going on from the watermarks; what is still left then waits
 * for the next day's run.
 */
export class PlannerUnfinishedError extends Error {
  override readonly name = 'PlannerUnfinishedError';
}

/**
 * Scheduled daily (EventBridge Scheduler): plans what comes into view. Dated messages first (birthday
 * greetings and renewal reminders entering the look-ahead window), then the floor (keep-in-touch
 * messages around them). Each date is planned, then marked planned; with less than
 * PLANNER_END_MARGIN_MS of its time left the run begins no new date (nor page of a date's floor
 * checks), and fails with PlannerUnfinishedError. One run at a time: a run that finds the planner's
 * turn held by another plans nothing (docs/scale.md, "The planner's run"). Its figures: `PlannerRuns` (1 for a run that finished) and `MessagesPlanned`
 * by campaign (a run that stopped counts what it planned), and `Messages` by outcome and by campaign
 * and outcome: the messages ended for good while customers' plans were made (a keep-in-touch whose
 * floor was met, a provisional end once past its deadline), written even when the run fails.
 */
export const createPlannerHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (_event: { scheduledTime?: string }, context) => {
    const { customers, outbox, control, ledger } = runtime.stores();
    const config = await runtime.config();
    const onInvalidRecord = (error: InvalidRecordError) => runtime.logger.error('skipped an invalid record', { record: error.record, field: error.field, reason: error.message });
    // One run at a time: a second one (an operator's run beside a scheduled one or its retry, an event
    // Lambda delivered twice) would read the same dates beside it, for nothing but double the reads.
    // Held until this run's time ends at the latest, so a run that crashed holds it no longer.
    const runId = randomUUID();
    const startedAt = runtime.clock();
    const heldUntil = await control.holdPlannerTurn(runId, startedAt, new Date(startedAt.getTime() + context.getRemainingTimeInMillis()));
    if (heldUntil !== undefined) {
      runtime.logger.warn('another planner run is under way: this run plans nothing and leaves the dates to it', { heldUntil });
      return { skipped: 'another planner run is under way', heldUntil };
    }
    const run = new PlanningRun(() => context.getRemainingTimeInMillis(), PLANNER_END_MARGIN_MS);
    const ended: MessageCounts = new Map();
    const deps = { customers, outbox: countingEndings(outbox, ended), control, ledger, config, onInvalidRecord, run };
    try {
      const birthdays = await planBirthdays(deps, runtime.clock());
      const renewals = await planRenewals(deps, runtime.clock());
      const floor = await planFloor(deps, runtime.clock());
      writeCounts(runtime, { campaign: 'birthday' }, { MessagesPlanned: birthdays.planned });
      writeCounts(runtime, { campaign: 'renewal' }, { MessagesPlanned: renewals.planned });
      writeCounts(runtime, { campaign: 'keepInTouch' }, { MessagesPlanned: floor.planned });
      runtime.logger.info('planner ran', { birthdays, renewals, floor });
      const datesLeft = { birthdays: birthdays.datesLeft, renewals: renewals.datesLeft, floor: floor.datesLeft };
      if (Object.values(datesLeft).some((left) => left > 0)) {
        throw new PlannerUnfinishedError(
          `the planner stopped with its time nearly up and dates left (birthdays ${datesLeft.birthdays}, renewals ${datesLeft.renewals}, floor ${datesLeft.floor}); what it planned stays, and the next run goes on from its watermarks`,
        );
      }
      writeCounts(runtime, {}, { PlannerRuns: 1 });
      return { birthdays, renewals, floor };
    } finally {
      // What it ended stays ended, whatever stops the run: counted now, or never.
      writeMessages(runtime, ended);
      // Given back however the run ends; if that fails, the turn runs out with the run's time.
      await control.releasePlannerTurn(runId, runtime.clock()).catch((error: unknown) => runtime.logger.warn('could not give the planner\'s turn back: it runs out with this run\'s time', { error }));
    }
  });

export const handler = createPlannerHandler(lambdaRuntime());
