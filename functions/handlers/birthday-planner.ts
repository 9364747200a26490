import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { planBirthdays } from '../core/jobs/plan-birthdays.js';
import { withMiddlewares } from './middleware.js';

/** Scheduled daily (EventBridge Scheduler): plans the birthday greetings coming into the look-ahead window. */
export const createBirthdayPlannerHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (_event: { scheduledTime?: string }) => {
    const { customers, outbox, control } = runtime.stores();
    const result = await planBirthdays(
      {
        customers,
        outbox,
        control,
        config: await runtime.config(),
        onInvalidCustomer: (error) => runtime.logger.error('skipped an invalid customer profile', { record: error.record, field: error.field, reason: error.message }),
      },
      runtime.clock(),
    );
    runtime.logger.info('birthday planner ran', { ...result });
    return result;
  });

export const handler = createBirthdayPlannerHandler(lambdaRuntime());
