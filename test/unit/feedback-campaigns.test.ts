import { describe, expect, it } from 'vitest';
import { complaintFollowUps, detractorFollowUp, followUpKindOf, followUpTriggerGone } from '../../functions/core/campaigns/complaint-follow-up.js';
import { surveyBlocked, surveyFor } from '../../functions/core/campaigns/survey.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import type { Complaint, Customer, Interaction, SurveyResponse } from '../../functions/core/records.js';

const customer: Customer = { type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid', locale: 'es', name: 'Ana', tier: 'gold', loyaltyPoints: 0, marketingOptIn: false, createdAt: '2020-01-01T00:00:00Z' };
// Opened on the Friday before summer time starts (28 March 2027) in Madrid.
const complaint = (fields: Partial<Complaint> = {}): Complaint => ({ type: 'complaint', complaintId: 'q-9', customerId: 'c-1', openedAt: '2027-03-19T10:00:00Z', subject: 'Late delivery', status: 'open', ...fields });
const withFollowUp = (settings: Partial<RetentionConfig['campaigns']['complaintFollowUp']>): RetentionConfig => ({
  ...defaultConfig,
  campaigns: { ...defaultConfig.campaigns, complaintFollowUp: { ...defaultConfig.campaigns.complaintFollowUp, ...settings } },
});

describe('complaint follow-ups', () => {
  it('apologise a day after opening, then check in weekly at the same local time, three in all, outside the cap, without consent', () => {
    const plan = complaintFollowUps(complaint(), customer, defaultConfig);
    expect(plan.map((m) => [m.messageId, m.dueAt, m.deadline, m.localDate])).toEqual([
      ['c-1#complaintFollowUp#q-9#1', '2027-03-20T10:00:00.000Z', '2027-03-23T10:00:00.000Z', '2027-03-20'],
      // 11:00 in Madrid either side of the clock change.
      ['c-1#complaintFollowUp#q-9#2', '2027-03-27T10:00:00.000Z', '2027-03-30T09:00:00.000Z', '2027-03-27'],
      ['c-1#complaintFollowUp#q-9#3', '2027-04-03T09:00:00.000Z', '2027-04-06T09:00:00.000Z', '2027-04-03'],
    ]);
    for (const message of plan) expect(message).toMatchObject({ countsTowardCap: false, messageClass: 'service', priority: 100, sourceKey: 'complaint#q-9' });
  });

  it('once resolved, plan only the "how did we do?" afterResolvedDays later', () => {
    const plan = complaintFollowUps(complaint({ status: 'resolved', resolvedAt: '2027-03-22T16:00:00Z' }), customer, defaultConfig);
    expect(plan.map((m) => [m.occurrence, m.dueAt])).toEqual([['q-9#resolved', '2027-03-25T16:00:00.000Z']]);
  });

  it('opened again: a new episode with check-ins of its own from then, and its own "how did we do?" once resolved again', () => {
    const reopened = complaint({ status: 'open', resolvedAt: '2027-03-22T16:00:00Z', reopenedAt: '2027-03-24T09:00:00Z' });
    expect(complaintFollowUps(reopened, customer, defaultConfig).map((m) => [m.occurrence, m.dueAt, followUpKindOf(m.occurrence)])).toEqual([
      ['q-9@2027-03-24T09:00:00.000Z#2', '2027-03-25T09:00:00.000Z', 'checkIn'],
      ['q-9@2027-03-24T09:00:00.000Z#3', '2027-04-01T08:00:00.000Z', 'checkIn'], // the same local time, after the clock change
      ['q-9@2027-03-24T09:00:00.000Z#4', '2027-04-08T08:00:00.000Z', 'checkIn'],
    ]);
    const resolvedAgain = { ...reopened, status: 'resolved' as const, resolvedAt: '2027-04-02T12:00:00Z' };
    expect(complaintFollowUps(resolvedAgain, customer, defaultConfig).map((m) => [m.occurrence, m.dueAt])).toEqual([['q-9@2027-03-24T09:00:00.000Z#resolved', '2027-04-05T12:00:00.000Z']]);
    // Resolved again without a later resolvedAt: no second "how did we do?" for the first resolution.
    expect(complaintFollowUps({ ...reopened, status: 'resolved' }, customer, defaultConfig)).toEqual([]);
    // The first episode's messages stop at send time; the new episode's go.
    expect(followUpTriggerGone({ occurrence: 'q-9#2' }, reopened, defaultConfig)).toBe('the complaint was opened again since: its new episode has follow-ups of its own');
    expect(followUpTriggerGone({ occurrence: 'q-9#resolved' }, resolvedAgain, defaultConfig)).toBe('the complaint was opened again since: its new episode has follow-ups of its own');
    expect(followUpTriggerGone({ occurrence: 'q-9@2027-03-24T09:00:00.000Z#2' }, reopened, defaultConfig)).toBeNull();
    expect(followUpTriggerGone({ occurrence: 'q-9@2027-03-24T09:00:00.000Z#resolved' }, resolvedAgain, defaultConfig)).toBeNull();
  });

  it('follow the configuration: how many while open, and none when switched off', () => {
    expect(complaintFollowUps(complaint(), customer, withFollowUp({ maxWhileOpen: 1 })).map((m) => m.occurrence)).toEqual(['q-9#1']);
    expect(complaintFollowUps(complaint(), customer, withFollowUp({ maxWhileOpen: 0 }))).toEqual([]);
    expect(complaintFollowUps(complaint(), customer, withFollowUp({ enabled: false }))).toEqual([]);
  });

  it.each([
    ['q-9#1', 'apology'],
    ['q-9#2', 'checkIn'],
    ['q-9#3', 'checkIn'],
    ['q-9#resolved', 'resolved'],
    ['o-5#detractor', 'detractor'],
  ] as const)('tell which e-mail %s is', (occurrence, kind) => {
    expect(followUpKindOf(occurrence)).toBe(kind);
  });

  it('stop at send time when the complaint changed state', () => {
    const open = complaint();
    const resolved = complaint({ status: 'resolved', resolvedAt: '2027-03-22T16:00:00Z' });
    expect(followUpTriggerGone({ occurrence: 'q-9#2' }, open, defaultConfig)).toBeNull();
    expect(followUpTriggerGone({ occurrence: 'q-9#2' }, resolved, defaultConfig)).toBe('the complaint was resolved');
    expect(followUpTriggerGone({ occurrence: 'q-9#resolved' }, resolved, defaultConfig)).toBeNull();
    expect(followUpTriggerGone({ occurrence: 'q-9#resolved' }, open, defaultConfig)).toBe('the complaint was reopened');
    expect(followUpTriggerGone({ occurrence: 'q-9#1' }, undefined, defaultConfig)).toBe('the complaint no longer exists');
  });
});

describe('a detractor’s follow-up', () => {
  const answer = (score: number): SurveyResponse => ({ type: 'surveyResponse', surveyId: 'o-5', customerId: 'c-1', score, respondedAt: '2027-03-10T08:00:00Z' });

  it('is planned for a score at or below detractorMaxScore, a day after the answer', () => {
    expect(detractorFollowUp(answer(6), customer, defaultConfig, new Date())).toMatchObject({
      messageId: 'c-1#complaintFollowUp#o-5#detractor',
      dueAt: '2027-03-11T08:00:00.000Z',
      sourceKey: 'surveyResponse#o-5',
      countsTowardCap: false,
    });
    expect(detractorFollowUp(answer(0), customer, defaultConfig, new Date())).not.toBeNull();
    expect(detractorFollowUp(answer(7), customer, defaultConfig, new Date())).toBeNull();
  });

  it('is cancelled at send time when the answer was changed to a better one', () => {
    expect(followUpTriggerGone({ occurrence: 'o-5#detractor' }, answer(3), defaultConfig)).toBeNull();
    expect(followUpTriggerGone({ occurrence: 'o-5#detractor' }, answer(9), defaultConfig)).toBe('the customer changed their answer to 9');
  });
});

describe('a survey', () => {
  const interaction: Interaction = { type: 'interaction', interactionId: 'o-5', customerId: 'c-1', completedAt: '2027-03-01T17:30:00Z', kind: 'purchase' };

  it('is due afterDays after the interaction, until deadlineDays later, as capped marketing', () => {
    expect(surveyFor(interaction, customer, defaultConfig)).toMatchObject({
      messageId: 'c-1#survey#o-5',
      dueAt: '2027-03-04T17:30:00.000Z',
      deadline: '2027-03-18T17:30:00.000Z',
      localDate: '2027-03-04',
      messageClass: 'marketing',
      countsTowardCap: true,
      priority: 50,
      sourceKey: 'interaction#o-5',
    });
  });

  it('does not go while a complaint is open, nor within minDaysBetweenSurveys of another', () => {
    expect(surveyBlocked('2027-03-04', { complaintOpen: false }, defaultConfig)).toBeNull();
    expect(surveyBlocked('2027-03-04', { complaintOpen: true }, defaultConfig)).toBe('a complaint of the customer is open');
    expect(surveyBlocked('2027-03-04', { complaintOpen: false, lastSurveyDate: '2026-12-05' }, defaultConfig)).toBe('another survey falls on 2026-12-05, less than 90 days apart');
    expect(surveyBlocked('2027-03-05', { complaintOpen: false, lastSurveyDate: '2026-12-05' }, defaultConfig)).toBeNull(); // 90 days later
  });
});
