import type { CampaignName, RetentionConfig } from '../config.js';
import { localDateOf } from '../calendar.js';
import type { PlannedMessage } from '../messages.js';
import type { BusinessRecord, Customer } from '../records.js';
import { renewalTriggerGone } from './renewal.js';
import { birthdayGreetingOn } from './birthday.js';
import { followUpTriggerGone } from './complaint-follow-up.js';
import { surveyBlocked, type SurveyFacts } from './survey.js';

/**
 * Each campaign's check at send time, with the customer as they are now: the trigger may have gone
 * away since the message was planned. Returns the reason to cancel, or null to send.
 */
export interface SendTimeFacts {
  readonly now: Date;
  /** The record named by the message's `sourceKey`, as it is now (undefined when gone). */
  readonly source?: BusinessRecord;
  /** For a survey: the customer's complaints and latest survey. */
  readonly survey?: SurveyFacts;
}

type TriggerCheck = (message: PlannedMessage, customer: Customer, config: RetentionConfig, facts: SendTimeFacts) => string | null;

const triggerChecks: Partial<Record<CampaignName, TriggerCheck>> = {
  birthday: (message, customer, config) => {
    const greeting = birthdayGreetingOn(customer, message.localDate, config.campaigns.birthday);
    if (greeting === null || greeting.messageId !== message.messageId) return `the customer's birthday is no longer on ${message.localDate}`;
    return null;
  },
  renewal: (message, _customer, _config, { source }) => renewalTriggerGone(message, source?.type === 'contract' ? source : undefined),
  complaintFollowUp: (message, _customer, config, { source }) =>
    followUpTriggerGone(message, source?.type === 'complaint' || source?.type === 'surveyResponse' ? source : undefined, config),
  survey: (_message, customer, config, { source, survey, now }) => {
    if (source?.type !== 'interaction') return 'the interaction no longer exists';
    if (!survey) throw new Error('a survey was checked without its survey facts');
    return surveyBlocked(localDateOf(now, customer.timeZone), survey, config);
  },
};

/** Campaigns whose send-time check needs the customer's complaints and survey history. */
export const needsSurveyFacts = (campaign: CampaignName): boolean => campaign === 'survey';

export const triggerGone = (message: PlannedMessage, customer: Customer, config: RetentionConfig, facts: SendTimeFacts): string | null =>
  triggerChecks[message.campaign]?.(message, customer, config, facts) ?? null;
