import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { type LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import type { LinkServer } from '../../functions/local/link-server.js';
import { emailsTo, systemWithLinks, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('links');
const customerId = `${prefix}fay`;

/**
 * A survey answered the way a customer answers it: the link in the e-mail the emulator holds,
 * clicked over HTTP against the local link endpoint, which runs the same handler as API Gateway.
 */
describe('survey answer links through the local HTTP endpoint', () => {
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  let server: LinkServer;
  let system: LocalSystem;
  let customers: DynamoCustomerStore;
  let links: string[];

  const storedAnswer = async () => (await customers.recordsOfType(customerId, 'surveyResponse')) as { score: number; respondedAt: string }[];
  const click = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    return { status: response.status, page: await response.text() };
  };

  beforeAll(async () => {
    ({ system, server, customers } = await systemWithLinks(prefix, clock));
    await system.importText(
      [
        JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Fay' }),
        JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId, completedAt: '2027-03-01T09:00:00Z' }),
      ].join('\n'),
    );
    await system.drainStreams();
    clock.set(new Date('2027-03-04T09:00:00Z')); // due: three days after the purchase, 10:00 in Madrid
    await system.runDispatcher();
    const [survey] = await emailsTo((to) => to.startsWith(customerId));
    links = [...survey!.body.text!.matchAll(/^(\d+): (\S+)$/gm)].map((match) => match[2]!);
  });

  afterAll(async () => {
    await server.close();
  });

  it('sends eleven links, 0 to 10, to the endpoint', () => {
    expect(links).toHaveLength(11);
    for (const link of links) expect(link.startsWith(`${server.url}/survey?t=`)).toBe(true);
  });

  it('records the score of the link clicked, with a thank-you page in the customer’s language', async () => {
    clock.set(new Date('2027-03-05T10:00:00Z'));
    const { status, page } = await click(links[3]!);
    expect(status).toBe(200);
    expect(page).toContain('¡Gracias!');
    expect(page).toContain('3 sobre 10');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3, respondedAt: '2027-03-05T10:00:00.000Z' })]);
  });

  it('changes nothing when the same link is clicked again', async () => {
    clock.set(new Date('2027-03-05T11:00:00Z'));
    const { status } = await click(links[3]!);
    expect(status).toBe(200);
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3, respondedAt: '2027-03-05T10:00:00.000Z' })]);
  });

  it('follows up on a score of 3: the detractor gets an e-mail', async () => {
    await system.drainStreams(); // the answer's stream record plans the follow-up
    clock.set(new Date('2027-03-06T10:00:00Z')); // a day after the answer
    await system.runDispatcher();
    const subjects = (await emailsTo((to) => to.startsWith(customerId))).map((email) => email.subject);
    expect(subjects).toContain('No estuvimos a la altura, Fay: gracias por decírnoslo');
    expect(system.parked).toEqual([]);
  });

  it('refuses a tampered link with an error page and records nothing', async () => {
    const tampered = links[10]!.replace(/t=(.)/, (_, first: string) => `t=${first === 'A' ? 'B' : 'A'}`);
    const { status, page } = await click(tampered, { 'accept-language': 'ro-RO,ro;q=0.9,en;q=0.5' });
    expect(status).toBe(400);
    expect(page).toContain('Acest link nu funcționează');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3 })]);
  });

  it('refuses an expired link with an error page and records nothing', async () => {
    clock.set(new Date('2027-04-10T10:00:00Z')); // answer links work for 30 days after the survey was sent
    const { status, page } = await click(links[10]!);
    expect(status).toBe(410);
    expect(page).toContain('Este enlace ha caducado');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3 })]);
  });

});
