import { beforeAll, describe, expect, it } from 'vitest';
import { daysBetween, localDateOf } from '../../functions/core/calendar.js';
import { defaultConfig } from '../../functions/core/config.js';
import { checkBand } from '../../functions/local/band-check.js';
import { simulate, type SimulationResult } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * Where campaigns interact, the band must still hold (SPEC.md, "Plans follow events"): one customer
 * per way it used to break, all in one simulated window on the real local stack.
 */
const prefix = uniquePrefix('follow');
const id = (name: string) => `${prefix}${name}`;
const customer = (name: string, fields: Record<string, unknown>) =>
  JSON.stringify({ type: 'customer', customerId: id(name), email: `${id(name)}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', marketingOptIn: true, ...fields });
const record = (type: string, name: string, fields: Record<string, unknown>) => JSON.stringify({ type, customerId: id(name), ...fields });

const data = [
  // 1. A survey the floor counted on is cancelled at send time (a complaint is still open): the
  //    floor must be guarded again at once. Sol's birthday greeting (2 January) opens the floor to 1 February.
  customer('sol', { birthday: '1990-01-02' }),
  record('complaint', 'sol', { complaintId: 'q-1', openedAt: '2026-12-01T10:00:00Z', subject: 'Pedido perdido' }),
  record('interaction', 'sol', { interactionId: 'o-1', completedAt: '2027-01-22T08:00:00Z', at: '2027-01-22T08:00:00Z' }),
  // 2. A renewal reminder due inside the floor (29 January) is arranged after the birthday (1 February),
  //    past the floor's end: the floor is judged by when it will go, not when it falls due.
  customer('ren', { birthday: '1980-02-01' }),
  record('contract', 'ren', { contractId: 'k-2', endsOn: '2027-02-28', plan: 'Anual' }),
  // 3. A birthday greeting gives way to a renewal reminder (18 February, until the 25th); the contract
  //    is renewed on 6 February, the reminder cancelled, and the greeting must come back.
  customer('eva', { birthday: '1985-02-20' }),
  record('contract', 'eva', { contractId: 'k-3', endsOn: '2027-02-25', plan: 'Anual' }),
  record('contract', 'eva', { contractId: 'k-3', endsOn: '2027-02-25', plan: 'Anual', status: 'renewed', at: '2027-02-06T12:00:00Z' }),
  // 4. A reminder deferred by the cap (due 12 March, after the birthday on the 10th) must move with its
  //    contract's new end date (extended on 11 March to 9 April), not be cancelled and block the new one.
  customer('max', { birthday: '1975-03-10' }),
  record('contract', 'max', { contractId: 'k-4', endsOn: '2027-03-19', plan: 'Anual' }),
  record('contract', 'max', { contractId: 'k-4', endsOn: '2027-04-09', plan: 'Anual', at: '2027-03-11T12:00:00Z' }),
  // 5. A contract set to renew itself (28 January) cancels its reminders; set back (10 February), it may
  //    lapse on 3 March again, and its 7-day reminder (24 February) must come back. The same for a
  //    contract cancelled and then active again. (Service messages only: no consent, no floor.)
  customer('ana', { marketingOptIn: false }),
  record('contract', 'ana', { contractId: 'k-5', endsOn: '2027-03-03', plan: 'Anual' }),
  record('contract', 'ana', { contractId: 'k-5', endsOn: '2027-03-03', plan: 'Anual', autoRenew: true, at: '2027-01-28T12:00:00Z' }),
  record('contract', 'ana', { contractId: 'k-5', endsOn: '2027-03-03', plan: 'Anual', autoRenew: false, at: '2027-02-10T12:00:00Z' }),
  customer('tom', { marketingOptIn: false }),
  record('contract', 'tom', { contractId: 'k-6', endsOn: '2027-03-03', plan: 'Anual' }),
  record('contract', 'tom', { contractId: 'k-6', endsOn: '2027-03-03', plan: 'Anual', status: 'cancelled', at: '2027-01-28T12:00:00Z' }),
  record('contract', 'tom', { contractId: 'k-6', endsOn: '2027-03-03', plan: 'Anual', status: 'active', at: '2027-02-10T12:00:00Z' }),
  // 6. A detractor's answer (3) changed to 8 cancels its follow-up; changed back to 3, the follow-up must come back.
  customer('det', { marketingOptIn: false }),
  record('interaction', 'det', { interactionId: 'o-6', completedAt: '2026-12-31T10:00:00Z' }),
  record('surveyResponse', 'det', { surveyId: 'o-6', score: 3, respondedAt: '2027-01-05T10:00:00Z', at: '2027-01-05T10:00:00Z' }),
  record('surveyResponse', 'det', { surveyId: 'o-6', score: 8, respondedAt: '2027-01-05T10:10:00Z', at: '2027-01-05T10:10:00Z' }),
  record('surveyResponse', 'det', { surveyId: 'o-6', score: 3, respondedAt: '2027-01-05T10:20:00Z', at: '2027-01-05T10:20:00Z' }),
  // 7. A birthday (10 February) corrected on 15 January to a day already past this year (3 January): the
  //    greeting planned for 10 February must end then, not hold its place under the cap until its day.
  //    A survey due from 29 January (until 9 February; the 30-day renewal reminder went on 28 January)
  //    must then go once the cap allows, on 4 February, not give way to that greeting.
  customer('bea', { birthday: '1990-02-10' }),
  record('contract', 'bea', { contractId: 'k-7', endsOn: '2027-02-27', plan: 'Anual' }),
  customer('bea', { birthday: '1990-01-03', at: '2027-01-15T12:00:00Z' }),
  record('interaction', 'bea', { interactionId: 'o-7', completedAt: '2027-01-23T09:00:00Z', at: '2027-01-29T12:00:00Z' }),
  // 8. Consent withdrawn an hour after the import (the floor's keep-in-touch, due in January, is then
  //    suppressed on its day) and given again on 20 January: the floor to 31 January is theirs again.
  customer('con', {}),
  customer('con', { marketingOptIn: false, at: '2027-01-01T01:00:00Z' }),
  customer('con', { marketingOptIn: true, at: '2027-01-20T12:00:00Z' }),
  // 9. A survey that would go at 19:59 on the floor's last day (1 February; the greeting went on 2 January)
  //    while a complaint is open: it will be cancelled at send time, a minute before quiet hours, so it
  //    must not count as holding the floor; the keep-in-touch goes on its day all the same.
  customer('ivo', { birthday: '1990-01-02' }),
  record('complaint', 'ivo', { complaintId: 'q-9', openedAt: '2026-11-01T10:00:00Z', subject: 'Factura duplicada' }),
  record('interaction', 'ivo', { interactionId: 'o-9', completedAt: '2027-01-29T18:59:00Z', at: '2027-01-29T19:00:00Z' }),
  // 10. Greeted on 3 January in Los Angeles (already the 4th in Kiritimati), then moved to Kiritimati on
  //     the 5th: the 7-day reminder (due the 10th there) must wait for the 11th, 7 days after the greeting there.
  customer('zed', { birthday: '1990-01-03', timeZone: 'America/Los_Angeles' }),
  record('contract', 'zed', { contractId: 'k-10', endsOn: '2027-01-17', plan: 'Anual' }),
  customer('zed', { birthday: '1990-01-03', timeZone: 'Pacific/Kiritimati', at: '2027-01-05T00:00:00Z' }),
  // 11. A birthday (10 February) changed on 15 January to a day already past (3 January), which cancels the
  //     greeting, and changed back on the 20th; and one whose profile is written without it for five minutes.
  customer('bia', { birthday: '1990-02-10' }),
  customer('bia', { birthday: '1990-01-03', at: '2027-01-15T12:00:00Z' }),
  customer('bia', { birthday: '1990-02-10', at: '2027-01-20T12:00:00Z' }),
  customer('bru', { birthday: '1990-02-10' }),
  customer('bru', { at: '2027-01-15T12:00:00Z' }),
  customer('bru', { birthday: '1990-02-10', at: '2027-01-15T12:05:00Z' }),
  // 12. Consent withdrawn on the birthday's morning (10 February, before the greeting's 09:00) and given
  //     back at 09:30: the greeting suppressed at 09:00 goes that day after all.
  customer('cob', { birthday: '1990-02-10' }),
  customer('cob', { birthday: '1990-02-10', marketingOptIn: false, at: '2027-02-10T07:00:00Z' }),
  customer('cob', { birthday: '1990-02-10', marketingOptIn: true, at: '2027-02-10T08:30:00Z' }),
  // 13. Reminded on 3 January in Los Angeles, in Kiritimati on the 5th and back on the 6th: the greeting on
  //     the 10th is 7 days after the reminder there, as it was before the trip.
  customer('rtt', { birthday: '1990-01-10', timeZone: 'America/Los_Angeles' }),
  record('contract', 'rtt', { contractId: 'k-13', endsOn: '2027-01-10', plan: 'Anual' }),
  customer('rtt', { birthday: '1990-01-10', timeZone: 'Pacific/Kiritimati', at: '2027-01-05T00:00:00Z' }),
  customer('rtt', { birthday: '1990-01-10', timeZone: 'America/Los_Angeles', at: '2027-01-06T00:00:00Z' }),
].join('\n');

describe('plans follow events (real local stack)', () => {
  let result: SimulationResult;
  const messagesOf = (name: string) => result.report.messages.filter((m) => m.customerId === id(name));
  const sent = (name: string) => messagesOf(name).filter((m) => m.state === 'sent').map((m) => `${m.messageId.slice(prefix.length)} ${m.localDate}`);

  beforeAll(async () => {
    result = await simulate({ ...endpoints(), data, start: new Date('2027-01-01T00:00:00Z'), days: 100, config: defaultConfig, tablePrefix: prefix });
  });

  it('keeps the band for every one of them: no cap or floor violation, nothing parked', () => {
    expect(result.floorSubjects).toHaveLength(5);
    expect(checkBand(result.report, defaultConfig, result.floorSubjects)).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
    expect(result.parked).toEqual([]);
  });

  it('guards the floor again when a survey it counted on is cancelled at send time', () => {
    const survey = messagesOf('sol').find((m) => m.campaign === 'survey');
    expect([survey?.state, survey?.reason]).toEqual(['cancelled', 'a complaint of the customer is open']);
    const keepInTouch = messagesOf('sol').filter((m) => m.campaign === 'keepInTouch' && m.state === 'sent').map((m) => m.localDate!);
    expect(keepInTouch[0]! > '2027-01-25' && keepInTouch[0]! <= '2027-02-01').toBe(true);
  });

  it('judges the floor by when the renewal reminder is arranged to go, and sends all three', () => {
    const campaigns = messagesOf('ren').filter((m) => m.state === 'sent' && m.localDate! <= '2027-02-28').map((m) => m.campaign).sort();
    expect(campaigns).toEqual(['birthday', 'keepInTouch', 'renewal', 'renewal']);
    expect(sent('ren')).toContain('ren#birthday#2027 2027-02-01');
  });

  it('brings back the birthday greeting that gave way, once the reminder it gave way to is cancelled', () => {
    expect(messagesOf('eva').find((m) => m.messageId.endsWith('#k-3#7'))?.state).toBe('cancelled');
    expect(sent('eva')).toContain('eva#birthday#2027 2027-02-20');
  });

  it('brings back a reminder cancelled while its contract renewed itself or was cancelled, once it may lapse again', () => {
    for (const [name, contract] of [['ana', 'k-5'], ['tom', 'k-6']] as const) {
      expect(sent(name)).toContain(`${name}#renewal#${contract}#7 2027-02-24`);
      // The 30-day reminder's day (1 February) came while it was cancelled: it stays cancelled, with the reason.
      expect(messagesOf(name).find((m) => m.messageId.endsWith(`#${contract}#30`))?.state).toBe('cancelled');
    }
  });

  it('brings back a detractor’s follow-up cancelled by an answer changed to a better score, once it is a detractor’s again', () => {
    expect(messagesOf('det').find((m) => m.messageId.endsWith('#complaintFollowUp#o-6#detractor'))).toMatchObject({ state: 'sent', reason: null });
  });

  it('ends a greeting for a birthday corrected to a day already past when the profile changes, not on its old day', () => {
    expect(messagesOf('bea').find((m) => m.campaign === 'birthday')).toMatchObject({ state: 'cancelled', reason: 'the customer\'s birthday is no longer on 2027-02-10' });
    expect(sent('bea')).toContain('bea#survey#o-7 2027-02-04');
  });

  it('keeps the floor again once consent is given again: the keep-in-touch suppressed meanwhile comes back', () => {
    const keepInTouch = messagesOf('con').find((m) => m.messageId.endsWith('#keepInTouch#2027-01-31'));
    expect(keepInTouch?.state).toBe('sent');
    expect(keepInTouch!.localDate! >= '2027-01-20' && keepInTouch!.localDate! <= '2027-01-31').toBe(true);
  });

  it('does not count a survey as holding the floor while a complaint of the customer is open', () => {
    expect(messagesOf('ivo').find((m) => m.campaign === 'survey')).toMatchObject({ state: 'cancelled', reason: 'a complaint of the customer is open' });
    expect(sent('ivo')).toContain('ivo#keepInTouch#2027-02-01 2027-02-01');
  });

  it('keeps the weekly cap across a move to another time zone, counted in the new one', () => {
    expect(sent('zed').slice(0, 2)).toEqual(['zed#birthday#2027 2027-01-03', 'zed#renewal#k-10#7 2027-01-11']);
    const [greeting, reminder] = messagesOf('zed').filter((m) => m.state === 'sent').map((m) => localDateOf(new Date(m.sentAt!), 'Pacific/Kiritimati'));
    expect(daysBetween(greeting!, reminder!)).toBe(7);
  });

  it('brings back a greeting cancelled by a birthday changed away from its day, once it is changed back', () => {
    for (const name of ['bia', 'bru']) expect(sent(name)).toContain(`${name}#birthday#2027 2027-02-10`);
  });

  it('sends a greeting suppressed while consent was withdrawn, once it is given back on the day', () => {
    expect(sent('cob')).toContain('cob#birthday#2027 2027-02-10');
  });

  it('keeps the ledger’s dates as they were after a move and back: no day lost to the trip', () => {
    expect(sent('rtt').slice(0, 2)).toEqual(['rtt#renewal#k-13#7 2027-01-03', 'rtt#birthday#2027 2027-01-10']);
  });

  it('moves a deferred reminder with its contract’s new end date', () => {
    expect(sent('max')).toContain('max#renewal#k-4#7 2027-04-02');
    expect(messagesOf('max').filter((m) => m.state === 'cancelled')).toEqual([]);
  });
});
