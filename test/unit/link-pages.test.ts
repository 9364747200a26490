import { renderEmail, shippedTemplates } from '../../functions/core/templates/index.js';
import { sampleContext, sampleCustomer } from '../../functions/core/templates/samples.js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HandlerRuntime } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { signLink, type LinkAction } from '../../functions/core/links.js';
import type { ConfigStore, ControlStore, CustomerStore, ErasureStore, LedgerStore, Mailer, Outbox, SuppressionStore } from '../../functions/core/ports.js';
import { createLinksHandler } from '../../functions/handlers/links.js';
import { lambdaContext } from '../../functions/local/lambda-context.js';
import { DEFAULT_DUE_SHARDS } from '../../functions/core/messages.js';

const secret = 'a-test-secret-of-enough-length-0123456789';
const now = new Date('2027-03-05T10:00:00Z');
const survey = (score: number, locale = 'en'): LinkAction => ({ action: 'surveyAnswer', customerId: 'c-1', surveyId: 'o-1', score, locale });
const tokenFor = (link: LinkAction, expiresAt = new Date('2027-04-01T00:00:00Z')) => signLink(link, expiresAt, secret);

/** The link handler over a customer store that only remembers what it was asked to write; `profile` adds to c-1's profile, `receive` is their stored choice. */
const linksHandler = (config = defaultConfig, profile: Record<string, unknown> = {}, receive?: string) => {
  const writes: unknown[] = [];
  const customers = {
    recordSurveyAnswer: async (answer: unknown) => (writes.push(answer), 'recorded' as const),
    setPreferences: async (preferences: unknown) => void writes.push(preferences),
    // c-1 is on record (a profile, and preferences only when `receive` is given); anyone else is not.
    getItems: async (keys: { customerId: string; recordKey: string }[]) => {
      const items: Record<string, unknown> = { customer: { customerId: 'c-1', recordKey: 'customer', ...profile }, ...(receive ? { preferences: { customerId: 'c-1', recordKey: 'preferences', receive } } : {}) };
      return new Map(keys.filter((key) => key.customerId === 'c-1' && items[key.recordKey]).map((key) => [`${key.customerId}|${key.recordKey}`, items[key.recordKey]]));
    },
  } as unknown as CustomerStore;
  const runtime: HandlerRuntime = {
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    clock: () => now,
    config: async () => config,
    templates: async () => shippedTemplates,
    stores: () => ({ customers, outbox: {} as Outbox, ledger: {} as LedgerStore, control: {} as ControlStore, mailer: {} as Mailer, suppressions: {} as SuppressionStore, config: {} as ConfigStore, erasures: {} as ErasureStore }),
    linkSecret: async () => secret,
    linksBaseUrl: () => 'https://links.test',
    dueShards: DEFAULT_DUE_SHARDS,
  };
  const handler = createLinksHandler(runtime);
  const call = async (method: string, path: string, token: string | undefined, body?: string, headers: Record<string, string> = {}) =>
    (await handler(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: token === undefined ? '' : `t=${token}`,
        headers,
        ...(token === undefined ? {} : { queryStringParameters: { t: token } }),
        ...(body === undefined ? {} : { body }),
        isBase64Encoded: false,
        requestContext: { http: { method, path } },
      } as unknown as APIGatewayProxyEventV2,
      lambdaContext('links'),
    )) as APIGatewayProxyStructuredResultV2;
  return { call, writes };
};

describe('the link pages', () => {
  it('answer a tampered or misplaced link of a Spanish e-mail in Spanish (the language its token claims), and change nothing', async () => {
    const { call, writes } = linksHandler();
    const token = tokenFor(survey(7, 'es-MX'));
    const tampered = `${token.slice(0, -3)}${token.at(-3) === 'A' ? 'B' : 'A'}${token.slice(-2)}`;
    const forged = await call('POST', '/survey', tampered, 'score=2');
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('<html lang="es" ');
    expect(forged.body).toContain('Este enlace no funciona');
    const misplaced = await call('GET', '/unsubscribe', token); // a survey token at the unsubscribe address
    expect(misplaced.statusCode).toBe(400);
    expect(misplaced.body).toContain('Este enlace no funciona');
    // A token that says nothing readable: the browser's language.
    expect((await call('GET', '/survey', 'garbage', undefined, { 'accept-language': 'ro-RO,ro;q=0.9' })).body).toContain('<html lang="ro" ');
    expect(writes).toEqual([]);
  });

  it('carry the brand of the configuration: logo, colours, support address and postal address; the logo is the one image the page may load', async () => {
    const brand = { ...defaultConfig.brand, name: 'Larkspur Coffee', logoUrl: 'https://cdn.larkspur.example/logo.png', postalAddress: '12 Mill Lane, Bristol', supportEmail: 'help@larkspur.example', colors: { accent: '#7a3e9d', background: '#faf5ff' } };
    const { call } = linksHandler({ ...defaultConfig, brand });
    const page = await call('GET', '/unsubscribe', tokenFor({ action: 'unsubscribe', customerId: 'c-1', locale: 'en' }));
    expect(page.body).toContain('<img src="https://cdn.larkspur.example/logo.png" alt="Larkspur Coffee"');
    expect(page.body).toMatch(/class="header" style="background:#7a3e9d;/);
    expect(page.body).toContain('button{font:inherit;margin-top:1rem;padding:.65rem 1.4rem;border:0;border-radius:6px;background:#7a3e9d;');
    expect(page.body).toContain('Questions? Write to <a href="mailto:help@larkspur.example"');
    expect(page.body).toContain('Larkspur Coffee · 12 Mill Lane, Bristol');
    expect(page.headers!['content-security-policy']).toMatch(/default-src 'none'; img-src https:;/);
  });

  it('write their buttons and the chosen score in a colour that reads on the accent', async () => {
    // Prepare: a yellow accent, on which white does not read
    const { call } = linksHandler({ ...defaultConfig, brand: { ...defaultConfig.brand, colors: { accent: '#f5c400', background: '#1b1b1b' } } });

    // Act
    const html = String((await call('GET', '/survey', tokenFor(survey(7)))).body);

    // Assess
    expect(html).toContain('border-radius:6px;background:#f5c400;color:#222222;cursor:pointer}');
    expect(html).toContain('.scale input:checked+span{background:#f5c400;border-color:#f5c400;color:#222222;}');
  });

  it('a survey link opened asks to send the score chosen, preselected, in a form that posts its token; it records nothing', async () => {
    // Prepare
    const { call, writes } = linksHandler();
    const token = tokenFor(survey(7, 'es-MX'));

    // Act
    const page = await call('GET', '/survey', token);

    // Assess
    expect(page.statusCode).toBe(200);
    const html = String(page.body);
    expect(html).toContain('<html lang="es" ');
    expect(html).toContain('¿Qué probabilidad hay de que nos recomiendes a un amigo?');
    expect(html).toMatch(/<form method="post"><input type="hidden" name="t" value="([\w.-]+)">/);
    expect(/name="t" value="([\w.-]+)"/.exec(html)?.[1]).toBe(token);
    expect(html.match(/<input type="radio" name="score" value="\d+"/g)).toHaveLength(11);
    expect(html.match(/ checked/g)).toEqual([' checked']);
    expect(html).toContain('<input type="radio" name="score" value="7" checked>');
    expect(html).toContain('<button type="submit">Enviar mi respuesta</button>');
    expect(html).not.toMatch(/<script/i);
    expect(writes).toEqual([]);
  });

  it.each([
    ['en', 'How likely are you to recommend us to a friend?', 'Send my answer'],
    ['ro', 'Cât de probabil este să ne recomanzi unui prieten?', 'Trimite răspunsul'],
  ])('speaks the customer’s language (%s)', async (locale, question, button) => {
    const { call } = linksHandler();
    const html = String((await call('GET', '/survey', tokenFor(survey(0, locale)))).body);
    expect(html).toContain(question);
    expect(html).toContain(`>${button}</button>`);
    expect(html).toContain('<input type="radio" name="score" value="0" checked>');
  });

  it.each(['rom', 'es-MX', 'ES', 'ro-RO', 'fr', 'en-GB'])('a link of a customer whose locale is %s lands on a page in the language of their e-mail', async (locale) => {
    // Prepare
    const { call } = linksHandler();
    const email = renderEmail('survey', { ...sampleCustomer('en', 'gold', true), locale }, sampleContext('survey', defaultConfig.brand));

    // Act
    const page = String((await call('GET', '/survey', tokenFor(survey(3, locale)))).body);

    // Assess
    expect(page).toContain(`<html lang="${email.locale}" `);
  });

  it('the form’s POST records the score sent, which may not be the link’s', async () => {
    const { call, writes } = linksHandler();
    const page = await call('POST', '/survey', tokenFor(survey(7)), `t=${tokenFor(survey(7))}&score=9`);
    expect(page.statusCode).toBe(200);
    expect(String(page.body)).toContain('9 out of 10');
    expect(writes).toEqual([{ type: 'surveyResponse', surveyId: 'o-1', customerId: 'c-1', score: 9, respondedAt: now.toISOString() }]);
  });

  it.each([
    ['no score', 't=TOKEN'],
    ['a score out of range', 't=TOKEN&score=11'],
    ['a score not written plainly', 't=TOKEN&score=07'],
    ['an empty score', 't=TOKEN&score='],
    ['the one-click unsubscribe body', 'List-Unsubscribe=One-Click'],
  ])('a POST with %s records nothing', async (_, body) => {
    const { call, writes } = linksHandler();
    const token = tokenFor(survey(3));
    const page = await call('POST', '/survey', token, body.replace('TOKEN', token));
    expect(page.statusCode).toBe(400);
    expect(writes).toEqual([]);
  });

  it('a POST whose form token is tampered records nothing, whatever the address says', async () => {
    const { call, writes } = linksHandler();
    const token = tokenFor(survey(3));
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    expect((await call('POST', '/survey', token, `t=${tampered}&score=3`)).statusCode).toBe(400);
    expect(writes).toEqual([]);
  });

  it('the preference page of a customer the business has no marketing consent from says "everything" is service messages for now, and keeps the choice without granting consent', async () => {
    // Prepare: no preferences chosen yet (everything), and no consent on the profile, as the shipped consent.defaultMarketingOptIn imports them
    const { call, writes } = linksHandler({ ...defaultConfig, brand: { ...defaultConfig.brand, name: 'Larkspur Coffee' } }, { marketingOptIn: false });
    const token = tokenFor({ action: 'preferences', customerId: 'c-1', locale: 'en' });

    // Act
    const shown = String((await call('GET', '/preferences', token)).body);
    const saved = String((await call('POST', '/preferences', token, 'receive=marketing')).body);

    // Assess: their choice stays checked, and the page says what reaches them and where consent is given
    const notice = 'For now you receive service messages only: greetings, news and surveys also need your agreement, which you give Larkspur Coffee directly, not on this page.';
    expect(shown).toMatch(/value="marketing" checked/);
    expect(shown).toContain(`<p>${notice}</p>`);
    expect(saved).toContain(`<p role="status"><strong>Saved.</strong> ${notice}</p>`);
    expect(writes).toEqual([{ customerId: 'c-1', receive: 'marketing', updatedAt: now.toISOString() }]);
  });

  it.each([
    ['a customer who gave marketing consent chooses everything', { marketingOptIn: true }, 'marketing'],
    ['a customer without consent chooses service messages', { marketingOptIn: false }, 'service'],
  ])('the preference page says nothing of consent when %s', async (_, profile, receive) => {
    // Prepare
    const { call } = linksHandler(defaultConfig, profile);
    const token = tokenFor({ action: 'preferences', customerId: 'c-1', locale: 'en' });

    // Act
    const saved = String((await call('POST', '/preferences', token, `receive=${receive}`)).body);

    // Assess
    expect(saved).toContain('<p role="status"><strong>Saved.</strong></p>');
    expect(saved).not.toContain('your agreement');
  });

  it.each([
    ['everything', undefined, [{ customerId: 'c-1', receive: 'service', updatedAt: now.toISOString() }], 'Messages about your contracts and complaints still reach you'],
    ['service messages', 'service', [], 'Messages about your contracts and complaints still reach you'],
    ['nothing at all', 'nothing', [], 'You will get no e-mails from us at all'],
  ])('unsubscribing, a customer who had chosen %s is told what still reaches them', async (_, receive, written, told) => {
    // Prepare
    const { call, writes } = linksHandler(defaultConfig, { marketingOptIn: true }, receive);

    // Act
    const page = String((await call('POST', '/unsubscribe', tokenFor({ action: 'unsubscribe', customerId: 'c-1', locale: 'en' }), 'List-Unsubscribe=One-Click')).body);

    // Assess
    expect(page).toContain('You are unsubscribed');
    expect(page).toContain(told);
    expect(writes).toEqual(written);
  });

  it('a HEAD of any link answers like its GET, without a body, and changes nothing', async () => {
    const { call, writes } = linksHandler();
    for (const [path, link] of [
      ['/survey', survey(2)],
      ['/unsubscribe', { action: 'unsubscribe', customerId: 'c-1', locale: 'en' }],
      ['/preferences', { action: 'preferences', customerId: 'c-1', locale: 'en' }],
    ] as const) {
      const head = await call('HEAD', path, tokenFor(link));
      expect(head.statusCode, path).toBe(200);
      expect(head.body, path).toBe('');
    }
    expect(writes).toEqual([]);
  });

  describe('every page, error pages included, forbids framing and scripts', () => {
    const expired = tokenFor(survey(4), new Date('2027-03-01T00:00:00Z'));
    const unsubscribe = tokenFor({ action: 'unsubscribe', customerId: 'c-1', locale: 'ro' });
    const preferences = tokenFor({ action: 'preferences', customerId: 'c-1', locale: 'es' });
    it.each([
      ['the survey answer to send', 'GET', '/survey', tokenFor(survey(5)), undefined, 200],
      ['thanks', 'POST', '/survey', tokenFor(survey(5)), 'score=5', 200],
      ['the unsubscribe question', 'GET', '/unsubscribe', unsubscribe, undefined, 200],
      ['unsubscribed', 'POST', '/unsubscribe', unsubscribe, 'List-Unsubscribe=One-Click', 200],
      ['the preferences', 'GET', '/preferences', preferences, undefined, 200],
      ['the preferences saved', 'POST', '/preferences', preferences, 'receive=service', 200],
      ['a HEAD', 'HEAD', '/survey', tokenFor(survey(5)), undefined, 200],
      ['an invalid link', 'GET', '/survey', 'nonsense.token', undefined, 400],
      ['no token at all', 'GET', '/survey', undefined, undefined, 400],
      ['an expired link', 'GET', '/survey', expired, undefined, 410],
      ['a bad request', 'POST', '/preferences', preferences, 'receive=everything', 400],
      ['a form too large', 'POST', '/preferences', preferences, `receive=service&x=${'y'.repeat(3_000)}`, 400],
      ['an unknown address', 'GET', '/wp-admin', undefined, undefined, 404],
      ['an unknown method', 'DELETE', '/survey', tokenFor(survey(5)), undefined, 404],
    ])('%s', async (_, method, path, token, body, status) => {
      const { call } = linksHandler();
      const page = await call(method, path, token, body);
      expect(page.statusCode).toBe(status);
      const csp = String(page.headers?.['content-security-policy']);
      expect(csp.split(';').map((directive) => directive.trim())).toEqual(expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"]));
      expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    });
  });
});
