import { brandNamed } from './brand.js';
import { describe, expect, it } from 'vitest';
import { renderEmail, templateNames, templateOf } from '../../functions/core/templates/index.js';
import { languageFromHeader, linkPage } from '../../functions/core/pages.js';
import type { Customer } from '../../functions/core/records.js';

const customer = (fields: Partial<Customer>): Customer => ({
  type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid', locale: 'en', name: 'Ana', tier: 'gold', loyaltyPoints: 1500, marketingOptIn: true, createdAt: '2020-01-01T00:00:00Z', ...fields,
});
const context = {
  brand: brandNamed('Acme'),
  contract: { plan: 'Family plan', endsOn: '2027-06-30' },
  complaint: { subject: 'Late delivery', openedAt: '2027-03-19T10:00:00Z' },
  surveyAnswer: { score: 3 },
  surveyLinks: Array.from({ length: 11 }, (_, score) => ({ score, url: `https://links.example.com/survey?t=token-${score}` })),
};

describe('every template', () => {
  it.each(templateNames.flatMap((name) => (['en', 'es', 'ro'] as const).map((locale) => [name, locale] as const)))('%s renders in %s, subject, HTML and text', (name, locale) => {
    const email = renderEmail(name, customer({ locale }), context);
    expect(email.locale).toBe(locale);
    for (const part of [email.subject, email.html, email.text]) {
      expect(part.length).toBeGreaterThan(10);
      expect(part).not.toMatch(/\{\{|\}\}|undefined|\[object/);
    }
  });

  it.each(templateNames)('%s writes customer data as text: a name or a subject like <script> never becomes markup', (name) => {
    const hostile = '<script>alert("x")</script>\r\nBcc: someone';
    const email = renderEmail(name, customer({ name: hostile }), { ...context, complaint: { ...context.complaint, subject: hostile } });
    expect(email.html).not.toContain('<script>');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });
});

describe('the survey e-mail', () => {
  it.each([
    ['the accent, where it reads on the white body', '#2457d6', '#2457d6'],
    ['dark, where the accent is too light to read', '#f5c400', '#222222'],
  ])('writes its eleven answers in %s', (_, accent, digits) => {
    // Prepare
    const brand = { ...brandNamed('Acme'), colors: { accent, background: '#1b1b1b' } };

    // Act
    const html = renderEmail('survey', customer({}), { ...context, brand }).html;

    // Assess
    expect(html.match(/text-decoration:none;color:#[0-9a-f]{6}">\d+<\/a>/g)).toHaveLength(11);
    expect(html).toContain(`text-decoration:none;color:${digits}">7</a>`);
  });

  it('carries the eleven one-click answers, in HTML and in text', () => {
    const email = renderEmail('survey', customer({ locale: 'es' }), context);
    expect(email.subject).toBe('¿Qué tal lo hicimos, Ana?');
    const html = email.html.replaceAll('&#x3D;', '='); // Handlebars escapes '=' in attributes; a browser reads it back
    for (let score = 0; score <= 10; score++) {
      expect(html).toContain(`href="https://links.example.com/survey?t=token-${score}"`);
      expect(email.text).toContain(`${score}: https://links.example.com/survey?t=token-${score}`);
    }
  });
});

describe('complaint follow-ups', () => {
  it.each([
    ['q-9#1', 'We are sorry: Late delivery'],
    ['q-9#2', 'An update on your complaint: Late delivery'],
    ['q-9#resolved', 'How did we do with "Late delivery"?'],
    ['o-5#detractor', 'We fell short, Ana: thank you for telling us'],
  ])('step %s is the e-mail "%s"', (occurrence, subject) => {
    expect(renderEmail(templateOf({ campaign: 'complaintFollowUp', occurrence }), customer({}), context).subject).toBe(subject);
  });

  it('date the complaint as the customer writes dates, and quote a detractor’s score', () => {
    expect(renderEmail('complaintCheckIn', customer({ locale: 'ro' }), context).text).toContain('deschisă pe 19 martie 2027');
    expect(renderEmail('complaintCheckIn', customer({ locale: 'en-GB' }), context).text).toContain('19 March 2027');
    expect(renderEmail('detractorFollowUp', customer({ locale: 'es' }), context).text).toContain('un 3 sobre 10');
  });
});

describe('the pages a link lands on', () => {
  it('thank in the language of the link, and say why nothing happened otherwise', () => {
    expect(linkPage({ kind: 'surveyAnswer', result: 'recorded', score: 8, locale: 'ro' }, brandNamed('Acme'))).toMatchObject({ status: 200, html: expect.stringContaining('8 din 10') });
    expect(linkPage({ kind: 'surveyAnswer', result: 'unchanged', score: 8, locale: 'ro' }, brandNamed('Acme')).status).toBe(200);
    expect(linkPage({ kind: 'expired', locale: 'es' }, brandNamed('Acme'))).toMatchObject({ status: 410, html: expect.stringContaining('Este enlace ha caducado') });
    expect(linkPage({ kind: 'invalid' }, brandNamed('Acme'), 'es-ES,es;q=0.9')).toMatchObject({ status: 400, html: expect.stringContaining('Este enlace no funciona') });
    expect(linkPage({ kind: 'notFound' }, brandNamed('Acme')).status).toBe(404);
    const preferences = linkPage({ kind: 'preferences', receive: 'service', marketingConsent: true, locale: 'es', saved: true }, brandNamed('Acme')).html;
    expect(preferences).toContain('Guardado.');
    expect(preferences).toMatch(/value="service" checked/);
    expect(preferences).not.toMatch(/value="marketing" checked/);
    expect(linkPage({ kind: 'confirmUnsubscribe', locale: 'ro' }, brandNamed('Acme')).html).toMatch(/<form method="post"><button type="submit">Dezabonează-mă<\/button>/);
  });

  it.each([
    [undefined, 'en'],
    ['ro-RO,ro;q=0.9,en;q=0.5', 'ro'],
    ['fr-FR,fr;q=0.9,es;q=0.8', 'es'],
    ['de, en;q=0.1, es;q=0', 'en'],
    ['en-GB,ro;q=0.9', 'en'],
  ])('take the language of an Accept-Language of %j as %s', (header, language) => {
    expect(languageFromHeader(header)).toBe(language);
  });
});
