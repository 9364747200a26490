import { addDays, later, type LocalDate } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { plannedMessage, type PlannedMessage } from '../messages.js';
import { parseStoredRecord, recordKeyOf, type Customer, type Interaction } from '../records.js';

/**
 * Satisfaction surveys (SPEC.md): `afterDays` after an interaction was completed, until `deadlineDays`
 * after that; never while a complaint of the customer is open, and at most one per
 * `minDaysBetweenSurveys`. The survey's id is the interaction's: one survey per interaction.
 */

export const surveyIdOf = (interaction: Pick<Interaction, 'interactionId'>): string => interaction.interactionId;

/** The survey an interaction calls for, whether or not its time has come or gone; null when surveys are off. */
export const surveyFor = (interaction: Interaction, customer: Customer, config: RetentionConfig): PlannedMessage | null => {
  const settings = config.campaigns.survey;
  if (!settings.enabled) return null;
  const dueAt = later(new Date(interaction.completedAt), { days: settings.afterDays }, customer.timeZone);
  return plannedMessage(customer, 'survey', settings, surveyIdOf(interaction), {
    dueAt,
    deadline: later(dueAt, { days: settings.deadlineDays }, customer.timeZone),
    sourceKey: recordKeyOf(interaction),
  });
};

export interface SurveyFacts {
  readonly complaintOpen: boolean;
  /** The local date of the latest survey sent or still to be sent, if any. */
  readonly lastSurveyDate?: LocalDate;
}

/**
 * Whether one of the customer's complaints, as stored, is open. One that does not read as a complaint
 * (written with a field misspelt, a bad date) counts as open: a survey must not reach a customer whose
 * complaint may be unresolved; it waits until the record is mended.
 */
export const anyComplaintOpen = (complaintItems: readonly unknown[], now: Date): boolean =>
  complaintItems.some((item) => {
    const parsed = parseStoredRecord(item, 'complaint', now);
    return !parsed.ok || parsed.record.type !== 'complaint' || parsed.record.status === 'open';
  });

/** Why a survey on `date` must not go, or null: the one place for both of the survey's stop conditions. */
export const surveyBlocked = (date: LocalDate, facts: SurveyFacts, config: RetentionConfig): string | null => {
  if (facts.complaintOpen) return 'a complaint of the customer is open';
  const spacing = config.campaigns.survey.minDaysBetweenSurveys;
  if (facts.lastSurveyDate !== undefined && date < addDays(facts.lastSurveyDate, spacing)) {
    return `another survey falls on ${facts.lastSurveyDate}, less than ${spacing} days apart`;
  }
  return null;
};
