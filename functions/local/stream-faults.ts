import { TransientError } from '../core/errors.js';
import type { PlannedMessage } from '../core/messages.js';
import type { Outbox } from '../core/ports.js';

/**
 * Fault injection for the customer stream (pass the result as `LocalSystemOptions.wrapStreamOutbox`):
 * the stream handler's outbox refuses, as a throttled write, the first `times` attempts to plan a
 * message matching `matches`, then behaves. The record whose job plans that message fails for a
 * transient reason and is retried, as Lambda would; records behind it in the stream (a later version
 * of the same record, most tellingly) must wait for it. With `times` above the stream's retry budget
 * (`STREAM_DELIVERY.retryAttempts`) the record is parked instead.
 *
 * Example: a complaint's first follow-up, `…#complaintFollowUp#q-1#1`, is what its opened version
 * plans; `failPlanningOf((id) => id.endsWith('#q-1#1'))` fails that version once.
 */
export const failPlanningOf =
  (matches: (messageId: string) => boolean, times = 1) =>
  (outbox: Outbox): Outbox => {
    let left = times;
    const refuse = (message: PlannedMessage) => {
      if (left <= 0 || !matches(message.messageId)) return;
      left--;
      throw new TransientError(`ProvisionedThroughputExceededException: injected while planning ${message.messageId}`);
    };
    return Object.assign(Object.create(outbox) as Outbox, {
      plan: async (message: PlannedMessage, now: Date) => {
        refuse(message);
        return outbox.plan(message, now);
      },
      replan: async (message: PlannedMessage, now: Date, options?: Parameters<Outbox['replan']>[2]) => {
        refuse(message);
        return outbox.replan(message, now, options);
      },
    });
  };
