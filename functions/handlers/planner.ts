import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import type { InvalidRecordError } from '../core/errors.js';
import { planBirthdays } from '../core/jobs/plan-birthdays.js';
import { planFloor } from '../core/jobs/plan-floor.js';
import { planRenewals } from '../core/jobs/plan-renewals.js';
import { writeCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/**
 * Scheduled daily (EventBridge Scheduler): plans what comes into view. Dated messages first (birthday
 * greetings and renewal reminders entering the look-ahead window), then the floor (keep-in-touch
 * messages around them). Its figures: `PlannerRuns` (1 for a run that finished) and `MessagesPlanned` by campaign.
 */
export const createPlannerHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (_event: { scheduledTime?: string }) => {
    const { customers, outbox, control, ledger } = runtime.stores();
    const config = await runtime.config();
    const onInvalidRecord = (error: InvalidRecordError) => runtime.logger.error('skipped an invalid record', { record: error.record, field: error.field, reason: error.message });
    const deps = { customers, outbox, control, ledger, config, onInvalidRecord };
    const birthdays = await planBirthdays(deps, runtime.clock());
    const renewals = await planRenewals(deps, runtime.clock());
    const floor = await planFloor(deps, runtime.clock());
    runtime.logger.info('planner ran', { birthdays, renewals, floor });
    writeCounts(runtime, {}, { PlannerRuns: 1 });
    writeCounts(runtime, { campaign: 'birthday' }, { MessagesPlanned: birthdays.planned });
    writeCounts(runtime, { campaign: 'renewal' }, { MessagesPlanned: renewals.planned });
    writeCounts(runtime, { campaign: 'keepInTouch' }, { MessagesPlanned: floor.planned });
    return { birthdays, renewals, floor };
  });

export const handler = createPlannerHandler(lambdaRuntime());
