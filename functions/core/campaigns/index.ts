import type { CampaignName, RetentionConfig } from '../config.js';
import type { Message } from '../messages.js';
import type { Customer } from '../records.js';
import { birthdayGreetingOn } from './birthday.js';

/**
 * Each campaign's check at send time, with the customer as they are now: the trigger may have gone
 * away since the message was planned. Returns the reason to cancel, or null to send.
 */
type TriggerCheck = (message: Message, customer: Customer, config: RetentionConfig) => string | null;

const triggerChecks: Partial<Record<CampaignName, TriggerCheck>> = {
  birthday: (message, customer, config) => {
    const greeting = birthdayGreetingOn(customer, message.localDate, config.campaigns.birthday);
    if (greeting === null || greeting.messageId !== message.messageId) return `the customer's birthday is no longer on ${message.localDate}`;
    return null;
  },
};

export const triggerGone = (message: Message, customer: Customer, config: RetentionConfig): string | null =>
  triggerChecks[message.campaign]?.(message, customer, config) ?? null;
