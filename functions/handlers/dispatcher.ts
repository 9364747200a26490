import { randomUUID } from 'node:crypto';
import { lambdaRuntime, once, type HandlerRuntime } from '../adapters/runtime.js';
import { linkSecretFromEnv } from '../adapters/link-secret.js';
import { sesMailerFromEnv } from '../adapters/ses-mailer.js';
import { dispatchEveryMinutesFromEnv, sesPacing } from '../adapters/ses-account.js';
import { SendPacer, sendRateOf, sendWorkers, unpaced } from '../core/pacing.js';
import { cachedTemplates, DynamoTemplateStore } from '../adapters/dynamo-templates.js';
import type { CampaignName, RetentionConfig } from '../core/config.js';
import { addOutcomes, dispatchDue, noOutcomes, type DispatchOutcome } from '../core/jobs/dispatch.js';
import { sweepErasures } from '../core/jobs/erase-customer.js';
import { writeCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/** How many full batches one invocation works through before leaving the rest to the next run. */
const MAX_BATCHES_PER_RUN = 10;

/** What the dispatcher logs when SES refuses because of the sending account or its setup: the alarm's filter. */
export const SENDING_ACCOUNT_FAULT = 'the sending account refused a message; messages are held until it is mended';

/** Kept free at the end of the Lambda's time: the last sends and their records (one SES call may take 35 s). */
export const END_OF_RUN_MARGIN_MS = 40_000;

/**
 * The invocation's pacer: at `sending.maxSendRate`, else the SES account's rate; claiming only what can
 * start before the schedule's next run or the end of the Lambda's time, less its margin. Unpaced when the
 * runtime does not pace (the local runner's simulations).
 */
export const pacerFor = async (runtime: HandlerRuntime, config: RetentionConfig, remainingMs: () => number): Promise<SendPacer> => {
  if (!runtime.pacing) return unpaced();
  const pacing = runtime.pacing();
  const rate = await sendRateOf(config.sending.maxSendRate, pacing.accountRate);
  return new SendPacer(rate, pacing.clock, pacing.clock.now() + Math.min(remainingMs() - END_OF_RUN_MARGIN_MS, pacing.runMs));
};

/**
 * Scheduled every few minutes: sends what is due, once each. Its figures: `Messages` by outcome (every
 * outcome, zeros too, so an alarm on `failed` or `unconfirmed` always has data) and by campaign and
 * outcome (the outcomes that happened), and `AccountFaults`; written even when the run stops half-way.
 * Each run first makes the second pass of the erasures that are due (erase-customer.ts): one read when none is.
 */
export const createDispatcherHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (_event: { scheduledTime?: string }, context) => {
    const config = await runtime.config();
    const pacer = await pacerFor(runtime, config, () => context.getRemainingTimeInMillis());
    const templates = await runtime.templates();
    const { outbox, customers, ledger, mailer, suppressions, erasures } = runtime.stores();
    const erased = await sweepErasures(erasures, runtime.clock());
    if (erased.swept.length > 0) runtime.logger.info('second pass of erasures', { customerHashes: erased.swept, deleted: erased.deleted });
    const links = { baseUrl: runtime.linksBaseUrl(), secret: await runtime.linkSecret() };
    const byCampaign = new Map<CampaignName, Record<DispatchOutcome, number>>();
    let accountFaults = 0;
    const totals = noOutcomes();
    const onError = (messageId: string, error: Error) => runtime.logger.error('message failed with an unknown outcome; left claimed', { messageId, error: error.message });
    const onAccountFault = (messageId: string, reason: string) => {
      accountFaults++;
      runtime.logger.error(SENDING_ACCOUNT_FAULT, { messageId, reason });
    };
    const deps = { outbox, customers, ledger, mailer, suppressions, config, templates, links, newClaimId: randomUUID, clock: runtime.clock, pacer, concurrency: sendWorkers(pacer.rate), onError, onAccountFault };
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
        const result = await dispatchDue(deps, runtime.clock());
        addOutcomes(totals, result.outcomes);
        for (const [campaign, outcomes] of Object.entries(result.byCampaign) as [CampaignName, Record<DispatchOutcome, number>][]) {
          byCampaign.set(campaign, addOutcomes(byCampaign.get(campaign) ?? noOutcomes(), outcomes));
        }
        if (result.due < config.dispatcher.maxMessagesPerRun || result.outcomes.held > 0) break;
      }
    } finally {
      for (const [outcome, count] of Object.entries(totals)) writeCounts(runtime, { outcome }, { Messages: count });
      for (const [campaign, outcomes] of byCampaign) {
        for (const [outcome, count] of Object.entries(outcomes)) if (count > 0) writeCounts(runtime, { campaign, outcome }, { Messages: count });
      }
      writeCounts(runtime, {}, { AccountFaults: accountFaults });
    }
    runtime.logger.info('dispatcher ran', { ...totals, sendRate: pacer.rate.perSecond, sendRateFrom: pacer.rate.source });
    return totals;
  });

const mailer = once(sesMailerFromEnv);
export const handler = createDispatcherHandler(
  lambdaRuntime({
    mailer,
    linkSecret: linkSecretFromEnv,
    templates: (client, table, clock) => cachedTemplates(new DynamoTemplateStore(client, table), clock),
    pacing: (logger) => sesPacing(mailer().client, logger, dispatchEveryMinutesFromEnv()),
  }),
);
