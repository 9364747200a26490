import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { PREFERENCES_RECORD_KEY } from '../../functions/core/preferences.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { type LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { serveLinks, type LinkServer } from '../../functions/local/link-server.js';
import { emailsTo, endpoints, systemWithLinks, uniquePrefix, type StoredEmail } from './helpers.js';

const prefix = uniquePrefix('links');
/** An `href` as a browser reads it: the HTML's character references decoded (Handlebars writes `=` as `&#x3D;`). */
const hrefs = (html: string) =>
  [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replaceAll('&amp;', '&'));
const customerId = `${prefix}fay`;

/**
 * A survey answered the way a customer answers it: the link in the e-mail the emulator holds, opened
 * over HTTP against the local link endpoint (which runs the same handler as API Gateway), then the
 * page's form sent as a browser without JavaScript sends it. And the same e-mail as a mail scanner
 * sees it: every link opened, no form sent.
 */
describe('survey answer links through the local HTTP endpoint', () => {
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  let server: LinkServer;
  let system: LocalSystem;
  let customers: DynamoCustomerStore;
  let survey: StoredEmail;
  let links: string[];

  const storedAnswer = async () => (await customers.recordsOfType(customerId, 'surveyResponse')) as { score: number; respondedAt: string }[];
  const followUps = async () =>
    (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages)).filter(
      (message) => message.customerId === customerId && message.campaign === 'complaintFollowUp',
    );
  const open = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    return { status: response.status, page: await response.text() };
  };
  /** What a browser sends for the page's form: its fields, the radio button checked (or the one the customer picks), to the page's own address. */
  const send = async (pageUrl: string, page: string, pick?: number) => {
    const form = /<form method="post">([\s\S]*?)<\/form>/.exec(page)?.[1];
    expect(form, 'the page has a form').toBeDefined();
    const fields = new URLSearchParams();
    for (const [, name, value] of form!.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) fields.append(name!, value!);
    const checked = /<input type="radio" name="score" value="(\d+)" checked>/.exec(form!)?.[1];
    fields.append('score', String(pick ?? checked));
    const response = await fetch(pageUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
    return { status: response.status, page: await response.text() };
  };

  beforeAll(async () => {
    ({ system, server, customers } = await systemWithLinks(prefix, clock));
    await system.importText(
      [
        JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Fay', marketingOptIn: true }),
        JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId, completedAt: '2027-03-01T09:00:00Z' }),
      ].join('\n'),
    );
    await system.drainStreams();
    clock.set(new Date('2027-03-04T09:00:00Z')); // due: three days after the purchase, 10:00 in Madrid
    await system.runDispatcher();
    survey = (await emailsTo((to) => to.startsWith(customerId)))[0]!;
    links = [...survey!.body.text!.matchAll(/^(\d+): (\S+)$/gm)].map((match) => match[2]!);
  });

  afterAll(async () => {
    await server.close();
  });

  it('sends eleven links, 0 to 10, to the endpoint', () => {
    expect(links).toHaveLength(11);
    for (const link of links) expect(link.startsWith(`${server.url}/survey?t=`)).toBe(true);
    const buttons = hrefs(survey.body.html!).filter((url) => url.includes('/survey?'));
    expect(buttons).toEqual(links);
  });

  it('records nothing and opens no follow-up when a mail scanner opens every link of the e-mail (HEAD and GET)', async () => {
    // Prepare: every link of the message, as a scanner finds them: the HTML's, the text's, the List-Unsubscribe header's
    clock.set(new Date('2027-03-04T09:00:05Z'));
    const everyLink = new Set([
      ...hrefs(survey.body.html!),
      ...[...survey.body.text!.matchAll(/https?:\/\/\S+/g)].map((match) => match[0]),
      ...[...(survey.headers?.find((header) => header.name.toLowerCase() === 'list-unsubscribe')?.value ?? '').matchAll(/<([^>]+)>/g)].map((match) => match[1]!),
    ].filter((url) => url.startsWith(server.url))); // ours: a link elsewhere (the brand's site) is not this test's
    expect([...everyLink].filter((url) => url.includes('/survey?'))).toHaveLength(11);
    expect([...everyLink].filter((url) => url.includes('/unsubscribe?') || url.includes('/preferences?'))).toHaveLength(2);

    // Act: HEAD, then GET, each of them, in the e-mail's order: the last to be opened is the 10
    for (const url of everyLink) {
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status, url).toBe(200);
      expect(await head.text()).toBe('');
      const { status, page } = await open(url);
      expect(status, url).toBe(200);
      expect(page).not.toContain('¡Gracias!');
    }

    // Assess: no answer, and no follow-up after the stream is delivered and the dispatcher has run days later
    expect(await storedAnswer()).toEqual([]);
    expect(await customers.getItems([{ customerId, recordKey: PREFERENCES_RECORD_KEY }])).toEqual(new Map()); // still subscribed
    await system.drainStreams();
    clock.set(new Date('2027-03-06T10:00:00Z'));
    await system.runDispatcher();
    expect(await followUps()).toEqual([]);
    expect((await emailsTo((to) => to.startsWith(customerId))).map((email) => email.subject)).toEqual([survey.subject]);
    expect(system.parked).toEqual([]);
  });

  it('shows the score of the link clicked, ready to send, in the customer’s language, and records nothing yet', async () => {
    const { status, page } = await open(links[3]!);
    expect(status).toBe(200);
    expect(page).toContain('¿Qué probabilidad hay de que nos recomiendes a un amigo?');
    expect(page).toContain('Has elegido 3.');
    expect(page).toContain('<input type="radio" name="score" value="3" checked>');
    expect(page).toContain('Enviar mi respuesta');
    expect(await storedAnswer()).toEqual([]);
  });

  it('records the answer the page sends, with a thank-you page in the customer’s language', async () => {
    clock.set(new Date('2027-03-07T10:00:00Z'));
    const { page: question } = await open(links[3]!);
    const { status, page } = await send(links[3]!, question);
    expect(status).toBe(200);
    expect(page).toContain('¡Gracias!');
    expect(page).toContain('3 sobre 10');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3, respondedAt: '2027-03-07T10:00:00.000Z' })]);
  });

  it('changes nothing when the same answer is sent again', async () => {
    clock.set(new Date('2027-03-07T11:00:00Z'));
    const { page: question } = await open(links[3]!);
    const { status, page } = await send(links[3]!, question);
    expect(status).toBe(200);
    expect(page).toContain('3 sobre 10');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3, respondedAt: '2027-03-07T10:00:00.000Z' })]);
  });

  it('follows up on a score of 3: the detractor gets an e-mail', async () => {
    await system.drainStreams(); // the answer's stream record plans the follow-up
    clock.set(new Date('2027-03-08T10:00:00Z')); // a day after the answer
    await system.runDispatcher();
    const subjects = (await emailsTo((to) => to.startsWith(customerId))).map((email) => email.subject);
    expect(subjects).toContain('No estuvimos a la altura, Fay: gracias por decírnoslo');
    expect(system.parked).toEqual([]);
  });

  it('replaces the answer when another score is sent, from another link or another number picked on the page', async () => {
    clock.set(new Date('2027-03-09T10:00:00Z'));
    const { page: question } = await open(links[9]!);
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 3 })]); // opening it changed nothing
    const fromLink = await send(links[9]!, question);
    expect(fromLink.page).toContain('9 sobre 10');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 9, respondedAt: '2027-03-09T10:00:00.000Z' })]);

    clock.set(new Date('2027-03-09T10:05:00Z'));
    const picked = await send(links[9]!, question, 8);
    expect(picked.page).toContain('8 sobre 10');
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 8, respondedAt: '2027-03-09T10:05:00.000Z' })]);
    await system.drainStreams();
    expect(system.parked).toEqual([]);
  });

  it('refuses a tampered link, on the page or in the form, with an error page and records nothing', async () => {
    const tampered = links[10]!.replace(/t=(.)/, (_, first: string) => `t=${first === 'A' ? 'B' : 'A'}`);
    const { status, page } = await open(tampered, { 'accept-language': 'ro-RO,ro;q=0.9,en;q=0.5' });
    expect(status).toBe(400);
    expect(page).toContain('Acest link nu funcționează');
    const { page: question } = await open(links[10]!);
    const forged = question.replace(/name="t" value="(.)/, (_, first: string) => `name="t" value="${first === 'A' ? 'B' : 'A'}`);
    expect((await send(links[10]!, forged)).status).toBe(400);
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 8 })]);
  });

  it('refuses an expired link with an error page and records nothing, opened or sent', async () => {
    const { page: question } = await open(links[10]!);
    clock.set(new Date('2027-04-10T10:00:00Z')); // answer links work for 30 days after the survey was sent
    const { status, page } = await open(links[10]!);
    expect(status).toBe(410);
    expect(page).toContain('Este enlace ha caducado');
    expect((await send(links[10]!, question)).status).toBe(410);
    expect(await storedAnswer()).toEqual([expect.objectContaining({ score: 8 })]);
  });

  it('serves every page, error pages included, with a policy that forbids framing and scripts', async () => {
    const unsubscribe = /<([^>]+)>/.exec(survey.headers!.find((header) => header.name === 'List-Unsubscribe')!.value)![1]!;
    const pages = [
      fetch(links[5]!),
      fetch(links[5]!, { method: 'HEAD' }),
      fetch(links[5]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=5' }), // expired by now: 410
      fetch(links[5]!.replace(/t=(.)/, 't=%'), { method: 'POST', body: 'score=5' }),
      fetch(`${server.url}/survey`),
      fetch(`${server.url}/nowhere`),
      fetch(unsubscribe, { method: 'PUT' }),
    ];
    for (const response of await Promise.all(pages)) {
      expect(response.headers.get('content-security-policy'), response.url).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; /);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('the local link server', () => {
  it('serves what the handler answers, headers as they are, and its own error page with the same policy', async () => {
    // Prepare
    const answers = { ok: true };
    const server = await serveLinks(async () => {
      if (!answers.ok) throw new Error('the simulation is still running');
      return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'", 'x-frame-options': 'DENY' }, body: '<p>ok</p>' };
    }, 0);

    try {
      // Act
      const passed = await fetch(`${server.url}/survey`);
      answers.ok = false;
      const failed = await fetch(`${server.url}/survey`);

      // Assess
      expect(passed.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(await passed.text()).toBe('<p>ok</p>');
      expect(failed.status).toBe(500);
      expect(failed.headers.get('content-security-policy')).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(failed.headers.get('x-frame-options')).toBe('DENY');
      expect(await failed.text()).toContain('the simulation is still running');
    } finally {
      await server.close();
    }
  });
});
