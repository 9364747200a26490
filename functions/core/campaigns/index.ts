import type { CampaignName, RetentionConfig } from '../config.js';
import type { Message } from '../messages.js';
import type { BusinessRecord, Customer } from '../records.js';
import { renewalTriggerGone } from './renewal.js';
import { birthdayGreetingOn } from './birthday.js';

/**
 * Each campaign's check at send time, with the customer as they are now: the trigger may have gone
 * away since the message was planned. Returns the reason to cancel, or null to send.
 */
type TriggerCheck = (message: Message, customer: Customer, config: RetentionConfig, source: BusinessRecord | undefined) => string | null;

const triggerChecks: Partial<Record<CampaignName, TriggerCheck>> = {
  birthday: (message, customer, config) => {
    const greeting = birthdayGreetingOn(customer, message.localDate, config.campaigns.birthday);
    if (greeting === null || greeting.messageId !== message.messageId) return `the customer's birthday is no longer on ${message.localDate}`;
    return null;
  },
  renewal: (message, _customer, _config, source) => renewalTriggerGone(message, source?.type === 'contract' ? source : undefined),
};

/** `source` is the record named by the message's `sourceKey`, as it is now (undefined when gone). */
export const triggerGone = (message: Message, customer: Customer, config: RetentionConfig, source?: BusinessRecord): string | null =>
  triggerChecks[message.campaign]?.(message, customer, config, source) ?? null;
