import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { simulate, type SimulationResult } from '../../functions/local/simulation.js';
import { checkBand } from '../../functions/local/band-check.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

// Fixed customer ids: a customer's first keep-in-touch day is spread by a hash of their id, and it takes the cap
// (a random id made Dan's survey wait for it now and then). The tables are this run's own.
const prefix = 'feedback-';
const tablePrefix = uniquePrefix('feedback');
const id = (name: string) => `${prefix}${name}`;
const line = (record: Record<string, unknown>) => JSON.stringify(record);
const customer = (name: string, timeZone: string, locale: string) =>
  line({ type: 'customer', customerId: id(name), email: `${id(name)}@example.com`, timeZone, locale, name: name[0]!.toUpperCase() + name.slice(1), marketingOptIn: true });
const complaint = (name: string, fields: Record<string, unknown>) => line({ type: 'complaint', complaintId: `q-${name}`, customerId: id(name), subject: 'Late delivery', ...fields });
const interaction = (name: string, interactionId: string, completedAt: string, at?: string) =>
  line({ type: 'interaction', interactionId, customerId: id(name), completedAt, ...(at ? { at } : {}) });

// Window: 1 January – 21 April 2027.
const data = [
  // Ana's complaint is resolved between her second and third check-in.
  customer('ana', 'Europe/Madrid', 'es'),
  complaint('ana', { openedAt: '2027-01-05T10:00:00Z' }),
  line({ ...JSON.parse(complaint('ana', { openedAt: '2027-01-05T10:00:00Z', status: 'resolved', resolvedAt: '2027-01-15T10:00:00Z' })), at: '2027-01-15T10:00:00Z' }),
  // Ben's complaint stays open: every check-in goes, and his survey does not.
  customer('ben', 'UTC', 'en'),
  complaint('ben', { openedAt: '2027-01-03T12:00:00Z' }),
  interaction('ben', 'o-ben', '2027-01-04T15:00:00Z', '2027-01-04T15:00:00Z'),
  // Cai: surveyed in January, not again in February (90-day spacing), again in April; a detractor in January.
  customer('cai', 'Europe/Bucharest', 'ro'),
  interaction('cai', 'o-cai-1', '2027-01-02T10:00:00Z', '2027-01-02T10:00:00Z'),
  interaction('cai', 'o-cai-2', '2027-02-01T10:00:00Z', '2027-02-01T10:00:00Z'),
  interaction('cai', 'o-cai-3', '2027-04-10T10:00:00Z', '2027-04-10T10:00:00Z'),
  line({ type: 'surveyResponse', surveyId: 'o-cai-1', customerId: id('cai'), score: 3, respondedAt: '2027-01-06T10:00:00Z', at: '2027-01-06T10:00:00Z' }),
  // Eli's complaint is resolved, opened again, and resolved again: each episode has its follow-ups.
  customer('eli', 'UTC', 'en'),
  complaint('eli', { openedAt: '2027-01-10T10:00:00Z' }),
  line({ ...JSON.parse(complaint('eli', { openedAt: '2027-01-10T10:00:00Z', status: 'resolved', resolvedAt: '2027-01-12T10:00:00Z' })), at: '2027-01-12T10:00:00Z' }),
  line({ ...JSON.parse(complaint('eli', { openedAt: '2027-01-10T10:00:00Z', status: 'open', resolvedAt: '2027-01-12T10:00:00Z', reopenedAt: '2027-01-13T10:00:00Z' })), at: '2027-01-13T10:00:00Z' }),
  line({ ...JSON.parse(complaint('eli', { openedAt: '2027-01-10T10:00:00Z', status: 'resolved', resolvedAt: '2027-01-20T10:00:00Z', reopenedAt: '2027-01-13T10:00:00Z' })), at: '2027-01-20T10:00:00Z' }),
  // Fay's first survey meets her open complaint and ends; her second, kept out for the first while it
  // waited, comes back and goes once the complaint is resolved.
  customer('fay', 'UTC', 'en'),
  complaint('fay', { openedAt: '2027-01-01T10:00:00Z' }),
  line({ ...JSON.parse(complaint('fay', { openedAt: '2027-01-01T10:00:00Z', status: 'resolved', resolvedAt: '2027-01-13T12:00:00Z' })), at: '2027-01-13T12:00:00Z' }),
  interaction('fay', 'o-fay-1', '2027-01-10T10:00:00Z', '2027-01-10T10:00:00Z'),
  interaction('fay', 'o-fay-2', '2027-01-11T10:00:00Z', '2027-01-11T10:00:00Z'),
  // Dan is happy: a promoter's answer opens nothing.
  customer('dan', 'America/New_York', 'en'),
  interaction('dan', 'o-dan', '2027-01-10T18:00:00Z', '2027-01-10T18:00:00Z'),
  line({ type: 'surveyResponse', surveyId: 'o-dan', customerId: id('dan'), score: 9, respondedAt: '2027-01-14T18:00:00Z', at: '2027-01-14T18:00:00Z' }),
].join('\n');

describe('complaint follow-ups and surveys on the real local stack', () => {
  let result: SimulationResult;
  const of = (name: string, campaign: string) =>
    Object.fromEntries(
      result.report.messages
        .filter((m) => m.customerId === id(name) && m.campaign === campaign)
        .map((m) => [m.messageId.slice(`${id(name)}#${campaign}#`.length), m.state === 'sent' ? [m.state, m.localDate, m.localTime] : [m.state, m.reason]]),
    );

  beforeAll(async () => {
    result = await simulate({ ...endpoints(), data, start: new Date('2027-01-01T00:00:00Z'), days: 110, config: defaultConfig, tablePrefix });
  });

  it('apologises a day after a complaint opens, checks in weekly while it is open, and stops when it is resolved', () => {
    expect(of('ana', 'complaintFollowUp')).toEqual({
      'q-ana#1': ['sent', '2027-01-06', '11:00'],
      'q-ana#2': ['sent', '2027-01-13', '11:00'],
      'q-ana#3': ['cancelled', 'the complaint was resolved'],
      'q-ana#resolved': ['sent', '2027-01-18', '11:00'],
    });
    expect(of('ben', 'complaintFollowUp')).toEqual({
      'q-ben#1': ['sent', '2027-01-04', '12:00'],
      'q-ben#2': ['sent', '2027-01-11', '12:00'],
      'q-ben#3': ['sent', '2027-01-18', '12:00'],
    });
  });

  it('checks in again when a resolved complaint is opened again, and asks "how did we do?" again once it is resolved again', () => {
    const episode = 'q-eli@2027-01-13T10:00:00.000Z';
    expect(of('eli', 'complaintFollowUp')).toEqual({
      'q-eli#1': ['sent', '2027-01-11', '10:00'],
      'q-eli#2': ['cancelled', 'the complaint was resolved'],
      'q-eli#3': ['cancelled', 'the complaint was resolved'],
      'q-eli#resolved': ['cancelled', 'the complaint was reopened'],
      [`${episode}#2`]: ['sent', '2027-01-14', '10:00'],
      [`${episode}#3`]: ['cancelled', 'the complaint was resolved'],
      [`${episode}#4`]: ['cancelled', 'the complaint was resolved'],
      [`${episode}#resolved`]: ['sent', '2027-01-23', '10:00'],
    });
  });

  it('brings back a survey kept out for another one that then ended unsent', () => {
    const surveys = of('fay', 'survey');
    expect(surveys['o-fay-1']).toEqual(['cancelled', 'a complaint of the customer is open']);
    expect(surveys['o-fay-2']?.[0]).toBe('sent');
  });

  it('writes each follow-up in the customer’s language, with the complaint’s subject', async () => {
    const subjects = (await emailsTo((to) => to.startsWith(id('ana')))).map((e) => e.subject);
    expect(subjects).toEqual(expect.arrayContaining(['Lo sentimos: Late delivery', 'Novedades sobre tu reclamación: Late delivery', '¿Qué tal lo hicimos con "Late delivery"?']));
  });

  it('never surveys a customer whose complaint is open', () => {
    expect(of('ben', 'survey')).toEqual({ 'o-ben': ['cancelled', 'a complaint of the customer is open'] });
  });

  it('surveys at most once in 90 days, and a detractor hears from us', async () => {
    const surveys = of('cai', 'survey');
    expect(surveys).toMatchObject({
      'o-cai-1': ['sent', '2027-01-05', '12:00'],
      'o-cai-2': ['cancelled', 'another survey falls on 2027-01-05, less than 90 days apart'],
    });
    // Due 13 April; the weekly cap may move it (a keep-in-touch went shortly before), never past its 14 days.
    const [state, localDate = ''] = surveys['o-cai-3']!.map(String);
    expect(state).toBe('sent');
    expect(localDate >= '2027-04-13' && localDate < '2027-04-27').toBe(true);
    expect(of('cai', 'complaintFollowUp')).toEqual({ 'o-cai-1#detractor': ['sent', '2027-01-07', '12:00'] });
    const emails = await emailsTo((to) => to.startsWith(id('cai')));
    const survey = emails.find((e) => e.subject === 'Cum ne-am descurcat, Cai?')!;
    expect(survey.body.text!.match(/^\d+: http\S+\/survey\?t=\S+$/gm)).toHaveLength(11);
    expect(emails.map((e) => e.subject)).toContain('Nu ne-am ridicat la înălțime, Cai: mulțumim că ne-ai spus');
  });

  it('opens nothing for a promoter', () => {
    expect(of('dan', 'survey')).toEqual({ 'o-dan': ['sent', '2027-01-13', '13:00'] });
    expect(of('dan', 'complaintFollowUp')).toEqual({});
  });

  it('keeps the cadence band, parks nothing', () => {
    expect(result.parked).toEqual([]);
    expect(checkBand(result.report, result.report.config, result.floorSubjects)).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
  });
});
