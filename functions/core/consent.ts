import type { PlannedMessage } from './messages.js';
import type { Preferences } from './preferences.js';
import type { Customer } from './records.js';

/**
 * Whether a customer gave marketing consent: only an explicit `marketingOptIn: true` counts (SPEC.md
 * "Data": consent is never assumed). An import stores the value it resolved, from the line or from
 * `consent.defaultMarketingOptIn`; a profile without one, however it got there, has no consent. Every
 * check of consent asks this.
 */
export const hasMarketingConsent = (customer: { readonly marketingOptIn?: unknown }): boolean => customer.marketingOptIn === true;

/**
 * Who may receive what (SPEC.md): marketing needs the customer's marketing consent and no
 * unsubscribe; service messages go to every customer who has not unsubscribed from everything.
 * Returns the reason a message must not go, or null. Checked at send time, with both as they are then.
 */
export const consentBlocks = (message: Pick<PlannedMessage, 'messageClass'>, customer: Pick<Customer, 'marketingOptIn'>, preferences?: Preferences): string | null => {
  if (preferences?.receive === 'nothing') return 'the customer unsubscribed from everything';
  if (message.messageClass !== 'marketing') return null;
  if (!hasMarketingConsent(customer)) return 'the customer has no marketing consent';
  if (preferences?.receive === 'service') return 'the customer unsubscribed from marketing';
  return null;
};

/** Whether marketing may reach the customer at all (the rule above): the floor is kept only for them. */
export const welcomesMarketing = (customer: Pick<Customer, 'marketingOptIn'>, preferences?: Preferences): boolean =>
  consentBlocks({ messageClass: 'marketing' }, customer, preferences) === null;
