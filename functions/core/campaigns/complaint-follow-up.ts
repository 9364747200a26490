import { later } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { plannedMessage, type PlannedMessage } from '../messages.js';
import { recordKeyOf, type Complaint, type Customer, type SurveyResponse } from '../records.js';

/**
 * Complaint follow-ups (SPEC.md), service messages outside the weekly cap:
 * - while a complaint is open, an apology `firstAfterHours` after `openedAt` (step 1), then a check-in
 *   every `repeatEveryDays` (steps 2, 3, …), `maxWhileOpen` messages in all;
 * - once it is resolved, one "how did we do?" `afterResolvedDays` after `resolvedAt` (step `resolved`);
 * - opened again (`reopenedAt`), it starts a new episode with follow-ups of its own: check-ins from
 *   `reopenedAt` (steps 2, 3, …; no second apology), then its own "how did we do?" once resolved
 *   again. The episode is part of the id (`q-1@<reopenedAt>#2`): the first episode's messages ended
 *   for good when it changed state, and must not stand in the way of the next one's;
 * - a survey answered at or below `detractorMaxScore` gets one follow-up with the survey as its subject
 *   (step `detractor`), `firstAfterHours` after the answer.
 * Each may go until `deadlineDays` after it became due.
 */

type FollowUpSettings = RetentionConfig['campaigns']['complaintFollowUp'];
export type FollowUpKind = 'apology' | 'checkIn' | 'resolved' | 'detractor';

const RESOLVED_STEP = 'resolved';
const DETRACTOR_STEP = 'detractor';

/** Which e-mail a follow-up is, from the step its occurrence ends with. */
export const followUpKindOf = (occurrence: string): FollowUpKind => {
  const step = occurrence.slice(occurrence.lastIndexOf('#') + 1);
  if (step === RESOLVED_STEP) return 'resolved';
  if (step === DETRACTOR_STEP) return 'detractor';
  return step === '1' ? 'apology' : 'checkIn';
};

const followUp = (customer: Customer, occurrence: string, dueAt: Date, sourceKey: string, settings: FollowUpSettings): PlannedMessage =>
  plannedMessage(customer, 'complaintFollowUp', settings, occurrence, { dueAt, deadline: later(dueAt, { days: settings.deadlineDays }, customer.timeZone), sourceKey });

/** The complaint's episode as its follow-ups' ids carry it: none for the first, `@<reopenedAt>` once it was opened again. */
const episodeOf = (complaint: Pick<Complaint, 'reopenedAt'>): string => (complaint.reopenedAt === undefined ? '' : `@${new Date(complaint.reopenedAt).toISOString()}`);

/** The episode a follow-up of this complaint belongs to, from its occurrence (`q-1@…#2`). */
const episodeOfOccurrence = (occurrence: string, complaintId: string): string => occurrence.slice(complaintId.length, occurrence.lastIndexOf('#'));

/** Every follow-up the complaint calls for in its present state and episode, whether or not its time has come or gone. */
export const complaintFollowUps = (complaint: Complaint, customer: Customer, config: RetentionConfig): PlannedMessage[] => {
  const settings = config.campaigns.complaintFollowUp;
  if (!settings.enabled) return [];
  const sourceKey = recordKeyOf(complaint);
  const episode = `${complaint.complaintId}${episodeOf(complaint)}`;
  if (complaint.status === 'resolved') {
    // Resolved again needs a resolvedAt after the reopening: the first resolution's would ask its "how did we do?" twice.
    if (complaint.reopenedAt !== undefined && Date.parse(complaint.resolvedAt!) <= Date.parse(complaint.reopenedAt)) return [];
    const dueAt = later(new Date(complaint.resolvedAt!), { days: settings.afterResolvedDays }, customer.timeZone);
    return [followUp(customer, `${episode}#${RESOLVED_STEP}`, dueAt, sourceKey, settings)];
  }
  // Opened again: check-ins from then on, numbered after the apology the first episode had.
  const firstStep = complaint.reopenedAt === undefined ? 1 : 2;
  const firstAt = later(new Date(complaint.reopenedAt ?? complaint.openedAt), { hours: settings.firstAfterHours }, customer.timeZone);
  return Array.from({ length: settings.maxWhileOpen }, (_, index) =>
    followUp(customer, `${episode}#${firstStep + index}`, later(firstAt, { days: index * settings.repeatEveryDays }, customer.timeZone), sourceKey, settings),
  );
};

export const isDetractor = (response: Pick<SurveyResponse, 'score'>, config: RetentionConfig): boolean => response.score <= config.campaigns.survey.detractorMaxScore;

/** The follow-up a detractor's answer opens, or null when the answer is no detractor's. */
export const detractorFollowUp = (response: SurveyResponse, customer: Customer, config: RetentionConfig, now: Date): PlannedMessage | null => {
  const settings = config.campaigns.complaintFollowUp;
  if (!settings.enabled || !isDetractor(response, config)) return null;
  const answeredAt = response.respondedAt ? new Date(response.respondedAt) : now;
  const dueAt = later(answeredAt, { hours: settings.firstAfterHours }, customer.timeZone);
  return followUp(customer, `${response.surveyId}#${DETRACTOR_STEP}`, dueAt, recordKeyOf(response), settings);
};

/** At send time: why the follow-up must not go (the complaint changed state, the answer changed), or null. */
export const followUpTriggerGone = (message: Pick<PlannedMessage, 'occurrence'>, source: Complaint | SurveyResponse | undefined, config: RetentionConfig): string | null => {
  const kind = followUpKindOf(message.occurrence);
  if (kind === 'detractor') {
    if (source?.type !== 'surveyResponse') return 'the survey answer no longer exists';
    return isDetractor(source, config) ? null : `the customer changed their answer to ${source.score}`;
  }
  if (source?.type !== 'complaint') return 'the complaint no longer exists';
  if (kind === 'resolved' && source.status !== 'resolved') return 'the complaint was reopened';
  if (kind !== 'resolved' && source.status !== 'open') return 'the complaint was resolved';
  return episodeOfOccurrence(message.occurrence, source.complaintId) === episodeOf(source) ? null : 'the complaint was opened again since: its new episode has follow-ups of its own';
};
