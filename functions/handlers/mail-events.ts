import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { InvalidRecordError } from '../core/errors.js';
import { mailEventReceived } from '../core/jobs/mail-event-received.js';
import { writeCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/**
 * SES events of the configuration set, through SNS: a hard bounce or a spam complaint suppresses the
 * address for every message to come. A notification that cannot be read is logged and skipped (it
 * would fail the same way every time); any other failure fails the invocation, so Lambda retries it
 * and then hands it to the dead-letter queue. Addresses are never logged. Its figures: `Bounces` and
 * `Complaints`, the recipients of hard bounces and of complaints (a soft bounce suppresses nothing and
 * is not counted), written even when the invocation fails half-way.
 */
export const createMailEventsHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (event: SNSEvent) => {
    const outcomes = { suppressed: 0, ignored: 0, unreadable: 0 };
    const counted = { Bounces: 0, Complaints: 0 };
    try {
      for (const record of event.Records) {
        const where = { snsMessageId: record.Sns.MessageId };
        try {
          const notification = messageOf(record);
          const outcome = await mailEventReceived(runtime.stores().suppressions, notification, runtime.clock());
          if (outcome.kind === 'suppress') {
            outcomes.suppressed += outcome.suppressions.length;
            counted[outcome.cause === 'Bounce' ? 'Bounces' : 'Complaints'] += outcome.suppressions.length;
          } else outcomes.ignored++;
          runtime.logger.info('mail event', { ...where, ...(outcome.kind === 'suppress' ? { suppressed: outcome.suppressions.map((s) => s.address), reason: outcome.suppressions[0]?.reason } : { ignored: outcome.why }) });
        } catch (error) {
          if (!(error instanceof InvalidRecordError)) throw error;
          outcomes.unreadable++;
          runtime.logger.error('skipped an unreadable mail event', { ...where, field: error.field, reason: error.message });
        }
      }
    } finally {
      writeCounts(runtime, {}, counted);
    }
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
