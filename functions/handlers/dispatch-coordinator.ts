import { SESv2Client } from '@aws-sdk/client-sesv2';
import { lambdaRuntime, once, type HandlerRuntime } from '../adapters/runtime.js';
import { sesPacing } from '../adapters/ses-account.js';
import { sendWorkQueueFromEnv } from '../adapters/sqs-send-work.js';
import { sweepErasures } from '../core/jobs/erase-customer.js';
import { sendRateOf, unpaced } from '../core/pacing.js';
import type { SendWorkQueue } from '../core/ports.js';
import { sendersFor, sendWorkOf } from '../core/send-work.js';
import { withMiddlewares } from './middleware.js';

/**
 * Scheduled every few minutes (docs/scale.md, "Senders"): hands the run to its senders through the
 * send-work queue, then makes the second pass of the erasures that are due (erase-customer.ts; two
 * reads when none is). The senders: as many as the send rate needs (send-work.ts sendersFor; the rate as the senders
 * read it, `sending.maxSendRate` or the SES account's), each a part of the `byDue` shards. The run is
 * the scheduled one: its senders claim until `RUN_GAP_MS` before the next, however late this started.
 */
export const createDispatchCoordinatorHandler = (runtime: HandlerRuntime, queue: () => SendWorkQueue, everyMinutes: () => number) =>
  withMiddlewares(runtime, async (event: { scheduledTime?: string }) => {
    const scheduled = event.scheduledTime && !Number.isNaN(Date.parse(event.scheduledTime)) ? new Date(event.scheduledTime) : runtime.clock();
    const rate = runtime.pacing ? await sendRateOf((await runtime.config()).sending.maxSendRate, runtime.pacing().accountRate) : unpaced().rate;
    const work = sendWorkOf(scheduled, everyMinutes(), sendersFor(rate, runtime.dueShards), runtime.dueShards);
    await queue().enqueue(work);
    runtime.logger.info('dispatcher run handed to its senders', { scheduledTime: scheduled.toISOString(), senders: work.length, sendRate: rate.perSecond, claimUntil: work[0]?.claimUntil });
    // After the hand-over: a sweep that is long or fails never holds a run's sending back (the senders end
    // an erased customer's messages anyway: their profile is gone). A failure fails the invocation, alarmed.
    const erased = await sweepErasures(runtime.stores().erasures, runtime.clock());
    if (erased.swept.length > 0) runtime.logger.info('second pass of erasures', { customerHashes: erased.swept, registeredAgain: erased.registeredAgain, deleted: erased.deleted });
    return work;
  });

/** The dispatcher's schedule period, from the environment (`DISPATCH_EVERY_MINUTES`, set by the compute stack). */
export const dispatchEveryMinutesFromEnv = (): number => {
  const value = Number(process.env.DISPATCH_EVERY_MINUTES);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`environment variable DISPATCH_EVERY_MINUTES must be a positive number of minutes, got ${JSON.stringify(process.env.DISPATCH_EVERY_MINUTES)}`);
  return value;
};

export const handler = createDispatchCoordinatorHandler(
  lambdaRuntime({ pacing: (logger) => sesPacing(new SESv2Client({}), logger) }),
  once(sendWorkQueueFromEnv),
  dispatchEveryMinutesFromEnv,
);
