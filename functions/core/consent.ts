import type { PlannedMessage } from './messages.js';
import type { Customer } from './records.js';

/**
 * Who may receive what (SPEC.md): marketing needs marketing consent; service messages go to every
 * customer who is not suppressed. Returns the reason a message must not go, or null.
 */
export const consentBlocks = (message: Pick<PlannedMessage, 'messageClass'>, customer: Customer): string | null => {
  if (message.messageClass === 'marketing' && customer.marketingOptIn === false) return 'the customer has no marketing consent';
  return null;
};
