import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { type LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import type { LinkServer } from '../../functions/local/link-server.js';
import { isFinal } from '../../functions/core/messages.js';
import { PREFERENCES_RECORD_KEY } from '../../functions/core/preferences.js';
import { readAllMessages } from '../../functions/local/report.js';
import { dispatchAt, emailsTo, endpoints, stateOf, systemWithLinks, uniquePrefix, type StoredEmail } from './helpers.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';

const prefix = uniquePrefix('unsub');
const customerId = `${prefix}gus`;

/**
 * Unsubscribing the way a customer (or their mailbox provider) does it: from the links and headers of
 * an e-mail the emulator holds, over HTTP, against the local link endpoint; then what the dispatcher
 * sends, or does not, afterwards.
 */
describe('one-click unsubscribe and the preference page, on the real local stack', () => {
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  let server: LinkServer;
  let system: LocalSystem;
  let customers: DynamoCustomerStore;
  let survey: StoredEmail;

  const header = (email: StoredEmail, name: string) => email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const footerLink = (email: StoredEmail, label: string) => new RegExp(`^${label}: (\\S+)$`, 'm').exec(email.body.text!)?.[1];
  const preferences = async () =>
    (await customers.getItems([{ customerId, recordKey: PREFERENCES_RECORD_KEY }])).get(`${customerId}|${PREFERENCES_RECORD_KEY}`) as { receive: string } | undefined;
  const messageState = (messageId: string) => stateOf(system, messageId);
  const at = (instant: string) => dispatchAt(system, clock, instant);

  beforeAll(async () => {
    ({ system, server, customers } = await systemWithLinks(prefix, clock));
    await system.importText(
      [
        JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Gus', birthday: '1990-03-12', marketingOptIn: true }),
        JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId, completedAt: '2027-03-01T09:00:00Z' }),
        JSON.stringify({ type: 'contract', contractId: 'k-1', customerId, endsOn: '2027-03-20', plan: 'Premium' }),
      ].join('\n'),
    );
    await at('2027-03-04T09:00:00Z'); // the survey, a marketing e-mail
    survey = (await emailsTo((to) => to.startsWith(customerId)))[0]!;
  });

  afterAll(async () => {
    await server.close();
  });

  it('gives marketing e-mails RFC 8058 one-click headers, and every e-mail a preference link', () => {
    expect(survey.subject).toBe('¿Qué tal lo hicimos, Gus?');
    expect(header(survey, 'List-Unsubscribe')).toMatch(new RegExp(`^<${server.url}/unsubscribe\\?t=[\\w.-]+>$`));
    expect(header(survey, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(footerLink(survey, 'Elige qué te enviamos')).toMatch(new RegExp(`^${server.url}/preferences\\?t=`));
  });

  it('asks before unsubscribing on a GET, and changes nothing; nor does a HEAD (mail scanners open links, they send no forms)', async () => {
    const url = header(survey, 'List-Unsubscribe')!.slice(1, -1);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('¿Darte de baja de los correos comerciales?');
    expect(page).toContain('<form method="post">');
    expect(response.headers.get('content-security-policy')).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    await fetch(footerLink(survey, 'Elige qué te enviamos')!, { method: 'HEAD' });
    expect(await preferences()).toBeUndefined();
  });

  it('unsubscribes from marketing at once on the one-click POST', async () => {
    const response = await fetch(header(survey, 'List-Unsubscribe')!.slice(1, -1), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Te has dado de baja');
    expect(await preferences()).toMatchObject({ receive: 'service' });
  });

  it('sends no more marketing afterwards, but still service messages', async () => {
    await at('2027-03-12T08:00:00Z'); // the birthday greeting, 09:00 in Madrid
    expect(await messageState(`${customerId}#birthday#2027`)).toEqual(['suppressed', 'the customer unsubscribed from marketing']);
    // The renewal reminder is due on the 13th; the planner had put it after the greeting's week, which the
    // greeting, suppressed, did not use. It still goes before the contract ends on the 20th.
    await at('2027-03-13T08:00:00Z');
    await at('2027-03-19T08:00:00Z');
    expect(await messageState(`${customerId}#renewal#k-1#7`)).toEqual(['sent', null]);
    const renewal = (await emailsTo((to) => to.startsWith(customerId))).find((email) => email.subject.includes('Premium'))!;
    expect(header(renewal, 'List-Unsubscribe')).toBeUndefined(); // a service message: no marketing to leave
    expect(footerLink(renewal, 'Elige qué te enviamos')).toBeDefined();
  });

  it('shows and changes the preferences: "nothing at all" stops service messages too', async () => {
    const url = footerLink(survey, 'Elige qué te enviamos')!;
    const shown = await (await fetch(url)).text();
    expect(shown).toMatch(/value="service" checked/);
    const saved = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'receive=nothing' });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toMatch(/value="nothing" checked/);
    expect(await preferences()).toMatchObject({ receive: 'nothing' });

    await system.importText(JSON.stringify({ type: 'complaint', complaintId: 'q-1', customerId, openedAt: '2027-03-14T09:00:00Z', subject: 'Late' }));
    await at('2027-03-15T09:00:00Z');
    expect(await messageState(`${customerId}#complaintFollowUp#q-1#1`)).toEqual(['suppressed', 'the customer unsubscribed from everything']);
  });

  it('refuses a tampered token, a bad choice, or a link used on another path, changing nothing', async () => {
    const url = footerLink(survey, 'Elige qué te enviamos')!;
    const tampered = url.replace(/t=(.)/, (_, first: string) => `t=${first === 'A' ? 'B' : 'A'}`);
    const form = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await fetch(tampered, form('receive=marketing'))).status).toBe(400);
    expect((await fetch(url, form('receive=everything-please'))).status).toBe(400);
    expect((await fetch(url.replace('/preferences?', '/unsubscribe?'), form('List-Unsubscribe=One-Click'))).status).toBe(400);
    expect((await fetch(url, form(`receive=marketing&padding=${'x'.repeat(5_000)}`))).status).toBe(400);
    expect(await preferences()).toMatchObject({ receive: 'nothing' });
    expect(system.parked).toEqual([]);
  });

  it('keeps no floor for a customer marketing may not reach, and keeps it again once they choose marketing', async () => {
    const keepInTouches = async () => (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages)).filter((m) => m.customerId === customerId && m.campaign === 'keepInTouch');
    const before = (await keepInTouches()).length;
    // Two months of planner and dispatcher runs: a floor kept for them would plan a keep-in-touch, see it suppressed, and plan the next.
    for (let day = Date.parse('2027-03-16T00:00:00Z'); day <= Date.parse('2027-05-15T00:00:00Z'); day += 86_400_000) {
      clock.set(new Date(day));
      await system.drainStreams();
      await system.runPlanner();
      await at(new Date(day + 9 * 3_600_000).toISOString());
    }
    expect((await keepInTouches()).length).toBe(before);

    // Back to everything, on the preference page: the floor is theirs again, and a keep-in-touch is planned at once (their last message was in March).
    const saved = await fetch(footerLink(survey, 'Elige qué te enviamos')!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'receive=marketing' });
    expect(saved.status).toBe(200);
    await system.drainStreams();
    expect((await keepInTouches()).filter((m) => !isFinal(m.state)).map((m) => m.messageId)).toEqual([`${customerId}#keepInTouch#2027-05-16`]);
    expect(system.parked).toEqual([]);
  });
});
