import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { InvalidRecordError } from '../core/errors.js';
import { mailEventReceived } from '../core/jobs/mail-event-received.js';
import { writeCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/**
 * A notification (or some of its recipients) that cannot be read: the invocation fails with this once
 * every readable recipient is suppressed, so Lambda retries it and then parks the event, with this
 * reason, in the dead-letter queue (whose alarm tells a person). It names the SNS message and the
 * field, never an address. `outcomes`: what the invocation did, for the local runner's account.
 */
export class UnreadableMailEventError extends Error {
  override readonly name = 'UnreadableMailEventError';
  constructor(
    readonly unreadable: readonly { readonly snsMessageId: string; readonly field: string; readonly reason: string }[],
    readonly outcomes: MailEventsOutcomes,
  ) {
    super(`unreadable SES notifications, parked for a person to look at: ${unreadable.map((u) => `${u.snsMessageId} ${u.reason}`).join('; ')}`);
  }
}

export interface MailEventsOutcomes {
  suppressed: number;
  ignored: number;
  unreadable: number;
}

/**
 * SES events of the configuration set, through SNS: a hard bounce or a spam complaint suppresses the
 * address for every message to come. What cannot be read is logged with its field and, once every
 * readable recipient is suppressed, fails the invocation (UnreadableMailEventError), so it is parked in
 * the dead-letter queue, not dropped; any other failure fails it too, so Lambda retries it and then
 * parks it. Addresses are never logged. Its figures: `Bounces` and `Complaints`, the recipients of hard
 * bounces and of complaints (a soft bounce suppresses nothing and is not counted), and
 * `MailEventsUnreadable`, written even when the invocation fails half-way.
 */
export const createMailEventsHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (event: SNSEvent) => {
    const outcomes: MailEventsOutcomes = { suppressed: 0, ignored: 0, unreadable: 0 };
    const counted = { Bounces: 0, Complaints: 0, MailEventsUnreadable: 0 };
    const unreadable: { snsMessageId: string; field: string; reason: string }[] = [];
    const skip = (snsMessageId: string, error: InvalidRecordError) => {
      outcomes.unreadable++;
      counted.MailEventsUnreadable++;
      unreadable.push({ snsMessageId, field: error.field, reason: error.message });
      runtime.logger.error('an unreadable mail event', { snsMessageId, field: error.field, reason: error.message });
    };
    try {
      for (const record of event.Records) {
        const where = { snsMessageId: record.Sns.MessageId };
        try {
          const notification = messageOf(record);
          const outcome = await mailEventReceived(runtime.stores().suppressions, notification, runtime.clock());
          if (outcome.kind === 'suppress') {
            outcomes.suppressed += outcome.suppressions.length;
            counted[outcome.cause === 'Bounce' ? 'Bounces' : 'Complaints'] += outcome.suppressions.length;
            for (const error of outcome.unreadable) skip(record.Sns.MessageId, error);
          } else outcomes.ignored++;
          runtime.logger.info('mail event', { ...where, ...(outcome.kind === 'suppress' ? { suppressed: outcome.suppressions.map((s) => s.address), reason: outcome.suppressions[0]?.reason } : { ignored: outcome.why }) });
        } catch (error) {
          if (!(error instanceof InvalidRecordError)) throw error;
          skip(record.Sns.MessageId, error);
        }
      }
    } finally {
      writeCounts(runtime, {}, counted);
    }
    if (unreadable.length > 0) throw new UnreadableMailEventError(unreadable, outcomes);
    return outcomes;
  });

const messageOf = (record: SNSEventRecord): unknown => {
  try {
    return JSON.parse(record.Sns.Message);
  } catch {
    throw new InvalidRecordError('SES notification', 'Message', 'SES notification.Message: is not JSON');
  }
};

export const handler = createMailEventsHandler(lambdaRuntime());
