import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { lambdaRuntime, once, type HandlerRuntime } from '../adapters/runtime.js';
import { linkSecretFromEnv } from '../adapters/link-secret.js';
import { sesMailerFromEnv } from '../adapters/ses-mailer.js';
import { sesPacing } from '../adapters/ses-account.js';
import { SendPacer, sendRateOf, sendWorkers, unpaced } from '../core/pacing.js';
import { cachedTemplates, DynamoTemplateStore } from '../adapters/dynamo-templates.js';
import type { RetentionConfig } from '../core/config.js';
import { addOutcomes, dispatchDue, noOutcomes, type DispatchOutcome } from '../core/jobs/dispatch.js';
import { parseSendWork, type SendWork } from '../core/send-work.js';
import { addMessages, countingEndings, writeCounts, writeMessages, type MessageCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/** How many full batches one invocation works through before leaving the rest to the next run. */
const MAX_BATCHES_PER_RUN = 10;

/** What the dispatcher logs when SES refuses because of the sending account or its setup: the alarm's filter. */
export const SENDING_ACCOUNT_FAULT = 'the sending account refused a message; messages are held until it is mended';
/** What the dispatcher logs (ERROR) when a step after a message was settled fails: the message is not the worse for it, the step is not retried. */
export const DISPATCH_STEP_FAILED = 'a step after a message was settled failed; the message stands as recorded';

/** Kept free at the end of the Lambda's time: the last sends and their records (one SES call may take 35 s). */
export const END_OF_RUN_MARGIN_MS = 40_000;

/**
 * The sender's pacer: its share of the send rate (`sending.maxSendRate`, else the SES account's, over
 * the run's senders), claiming only what can start before the run's `claimUntil` or the end of the
 * Lambda's time, less its margin. Unpaced when the runtime does not pace (the local runner's simulations).
 */
export const pacerFor = async (runtime: HandlerRuntime, config: RetentionConfig, work: SendWork, remainingMs: () => number): Promise<SendPacer> => {
  if (!runtime.pacing) return unpaced();
  const pacing = runtime.pacing();
  const rate = await sendRateOf(config.sending.maxSendRate, pacing.accountRate);
  const share = { ...rate, perSecond: rate.perSecond / work.senders };
  const claimMs = Date.parse(work.claimUntil) - runtime.clock().getTime();
  return new SendPacer(share, pacing.clock, pacing.clock.now() + Math.min(remainingMs() - END_OF_RUN_MARGIN_MS, claimMs));
};

/**
 * A sender (docs/scale.md): handed one part of a run through the send-work queue (its `byDue` shards,
 * its share of the rate, until when it may claim; the coordinator, dispatch-coordinator.ts, queues
 * them), it sends what is due there, once each. Its figures: `Messages` by outcome (every outcome,
 * zeros too, so an alarm on `failed` or `unconfirmed` always has data) and by campaign and outcome
 * (the outcomes that happened), with the messages ended for good when a customer's plan was made again
 * after one of theirs ended unsent (countingEndings), and `AccountFaults`; written even when the run
 * stops half-way. A body that is not a part is logged, naming the field and value, and fails the
 * invocation: the queue delivers it again and, after its retries, parks it in its dead-letter queue.
 */
export const createDispatcherHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (event: SQSEvent, context) => {
    const totals = noOutcomes();
    // One part per invocation (the event source's batch size); more are worked through one after another.
    for (const record of event.Records) {
      let work: SendWork;
      try {
        work = parseSendWork(record.body, `send-work message ${record.messageId}`, runtime.dueShards);
      } catch (error) {
        runtime.logger.error('not a part of a dispatcher run', { messageId: record.messageId, error: (error as Error).message });
        throw error;
      }
      addOutcomes(totals, await sendPart(runtime, work, () => context.getRemainingTimeInMillis()));
    }
    return totals;
  });

const sendPart = async (runtime: HandlerRuntime, work: SendWork, remainingMs: () => number): Promise<Record<DispatchOutcome, number>> => {
  const config = await runtime.config();
  const pacer = await pacerFor(runtime, config, work, remainingMs);
  const templates = await runtime.templates();
  const { outbox, customers, ledger, mailer, suppressions } = runtime.stores();
  const links = { baseUrl: runtime.linksBaseUrl(), secret: await runtime.linkSecret() };
  // The run's outcomes by campaign, and the messages its jobs ended for good while making a customer's plan again.
  const byCampaign: MessageCounts = new Map();
  let accountFaults = 0;
  let stepsFailed = 0;
  const totals = noOutcomes();
  const onError = (messageId: string, error: Error) => runtime.logger.error('message failed with an unknown outcome; left claimed', { messageId, error: error.message });
  const onStepError = (step: string, error: Error) => {
    stepsFailed++;
    runtime.logger.error(DISPATCH_STEP_FAILED, { step, error: error.message });
  };
  const onAccountFault = (messageId: string, reason: string) => {
    accountFaults++;
    runtime.logger.error(SENDING_ACCOUNT_FAULT, { messageId, reason });
  };
  const deps = { outbox: countingEndings(outbox, byCampaign), customers, ledger, mailer, suppressions, config, templates, links, newClaimId: randomUUID, clock: runtime.clock, pacer, concurrency: sendWorkers(pacer.rate), onError, onStepError, onAccountFault };
  try {
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const result = await dispatchDue(deps, runtime.clock(), work.shards);
      addOutcomes(totals, result.outcomes);
      for (const [campaign, outcomes] of Object.entries(result.byCampaign)) {
        for (const [outcome, count] of Object.entries(outcomes) as [DispatchOutcome, number][]) addMessages(byCampaign, campaign, outcome, count);
      }
      if (result.due < config.dispatcher.maxMessagesPerRun || result.outcomes.held > 0) break;
    }
  } finally {
    writeMessages(runtime, byCampaign, noOutcomes());
    writeCounts(runtime, {}, { AccountFaults: accountFaults, DispatchStepsFailed: stepsFailed });
  }
  runtime.logger.info('dispatcher ran', { ...totals, shards: work.shards, scheduledTime: work.scheduledTime, sendRate: pacer.rate.perSecond, sendRateFrom: pacer.rate.source });
  return totals;
};

const mailer = once(sesMailerFromEnv);
export const handler = createDispatcherHandler(
  lambdaRuntime({
    mailer,
    linkSecret: linkSecretFromEnv,
    templates: (client, table, clock) => cachedTemplates(new DynamoTemplateStore(client, table), clock),
    pacing: (logger) => sesPacing(mailer().client, logger),
  }),
);
