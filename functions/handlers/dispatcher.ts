import { randomUUID } from 'node:crypto';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { linkSecretFromEnv } from '../adapters/link-secret.js';
import { sesMailerFromEnv } from '../adapters/ses-mailer.js';
import { dispatchDue, noOutcomes, type DispatchOutcome } from '../core/jobs/dispatch.js';
import { withMiddlewares } from './middleware.js';

/** How many full batches one invocation works through before leaving the rest to the next run. */
const MAX_BATCHES_PER_RUN = 10;

/** What the dispatcher logs when SES refuses because of the sending account or its setup: the alarm's filter. */
export const SENDING_ACCOUNT_FAULT = 'the sending account refused a message; messages are held until it is mended';

/** Scheduled every few minutes: sends what is due, once each. */
export const createDispatcherHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (_event: { scheduledTime?: string }) => {
    const config = await runtime.config();
    const { outbox, customers, ledger, mailer, suppressions } = runtime.stores();
    const links = { baseUrl: runtime.linksBaseUrl(), secret: await runtime.linkSecret() };
    const totals = noOutcomes();
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const onError = (messageId: string, error: Error) => runtime.logger.error('message failed with an unknown outcome; left claimed', { messageId, error: error.message });
      const onAccountFault = (messageId: string, reason: string) => runtime.logger.error(SENDING_ACCOUNT_FAULT, { messageId, reason });
      const deps = { outbox, customers, ledger, mailer, suppressions, config, brand: runtime.brand, links, newClaimId: randomUUID, clock: runtime.clock, onError, onAccountFault };
      const { due, outcomes } = await dispatchDue(deps, runtime.clock());
      for (const [outcome, count] of Object.entries(outcomes)) totals[outcome as DispatchOutcome] += count;
      if (due < config.dispatcher.maxMessagesPerRun || outcomes.held > 0) break;
    }
    runtime.logger.info('dispatcher ran', { ...totals });
    return totals;
  });

export const handler = createDispatcherHandler(lambdaRuntime({ mailer: sesMailerFromEnv, linkSecret: linkSecretFromEnv }));
