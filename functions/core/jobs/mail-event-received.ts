import type { SuppressionStore } from '../ports.js';
import { mailEventOutcome, type MailEventOutcome } from '../suppression.js';

/**
 * An SES event arrived (bounce, complaint, or another we do not act on): suppress what it says to.
 * Throws InvalidRecordError for a notification that cannot be read.
 */
export const mailEventReceived = async (suppressions: SuppressionStore, notification: unknown, now: Date): Promise<MailEventOutcome> => {
  const outcome = mailEventOutcome(notification, now);
  if (outcome.kind === 'suppress') await suppressions.suppress(outcome.suppressions);
  return outcome;
};
