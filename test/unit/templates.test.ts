import type { Brand } from '../../functions/core/config.js';
import { brandNamed } from './brand.js';
import { describe, expect, it } from 'vitest';
import { renderEmail, type KeepInTouchRenderContext } from '../../functions/core/templates/index.js';
import { keepInTouchVariants, type KeepInTouchVariant } from '../../functions/core/templates/keep-in-touch.js';
import type { KeepInTouchContent, KeepInTouchSettings } from '../../functions/core/campaigns/keep-in-touch-content.js';
import { defaultConfig } from '../../functions/core/config.js';
import type { Customer } from '../../functions/core/records.js';

const customer = (fields: Partial<Customer>): Customer => ({
  type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'UTC', locale: 'en', tier: 'gold', loyaltyPoints: 1500, marketingOptIn: true, createdAt: '2020-01-01T00:00:00Z', ...fields,
});

describe('birthday e-mail', () => {
  it.each([
    ['en', 'Happy birthday, Ana!', 'Gold'],
    ['es', '¡Feliz cumpleaños, Ana!', 'Oro'],
    ['ro', 'La mulți ani, Ana!', 'Aur'],
  ])('speaks %s', (locale, subject, tierName) => {
    const email = renderEmail('birthday', customer({ locale, name: 'Ana' }), { brand: brandNamed('Acme') });
    expect(email.locale).toBe(locale);
    expect(email.subject).toBe(subject);
    expect(email.html).toContain(tierName);
    expect(email.text).toContain(tierName);
    expect(email.text).toContain('Acme');
  });

  it.each([
    ['es-MX', 'es', '¡Feliz cumpleaños, Ana!'],
    ['ro-RO', 'ro', 'La mulți ani, Ana!'],
    ['en-GB', 'en', 'Happy birthday, Ana!'],
  ])('speaks the language of a regional locale (%s → %s)', (locale, language, subject) => {
    const email = renderEmail('birthday', customer({ locale, name: 'Ana' }), { brand: brandNamed('Acme') });
    expect([email.locale, email.subject]).toEqual([language, subject]);
  });

  it('falls back to English for a language without templates', () => {
    const email = renderEmail('birthday', customer({ locale: 'fr', name: 'Zoé' }), { brand: brandNamed('Acme') });
    expect(email.locale).toBe('en');
    expect(email.subject).toBe('Happy birthday, Zoé!');
  });

  it('escapes customer data in HTML and keeps line breaks out of the subject', () => {
    const email = renderEmail('birthday', customer({ name: '<script>alert("x")</script>\r\nBcc: someone' }), { brand: brandNamed('Acme') });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it.each([
    [1, 'Ai 1 punct care', 'You have 1 point waiting'],
    [5, 'Ai 5 puncte care', 'You have 5 points waiting'],
    [320, 'Ai 320 de puncte care', 'You have 320 points waiting'],
  ])('counts %i points in each language\'s plural form', (loyaltyPoints, ro, en) => {
    expect(renderEmail('birthday', customer({ locale: 'ro', loyaltyPoints }), { brand: brandNamed('Acme') }).text).toContain(ro);
    expect(renderEmail('birthday', customer({ locale: 'en', loyaltyPoints }), { brand: brandNamed('Acme') }).text).toContain(en);
  });

  it('leaves the greeting without a name when there is none, and points out only when there are some', () => {
    const email = renderEmail('birthday', customer({ loyaltyPoints: 0 }), { brand: brandNamed('Acme') });
    expect(email.subject).toBe('Happy birthday!');
    expect(email.text).not.toContain('points');
  });
});

describe('keep-in-touch e-mail', () => {
  const settings: KeepInTouchSettings = {
    ...defaultConfig.campaigns.keepInTouch.content,
    news: [{
      id: 'spring-hours',
      title: { en: 'Longer hours this spring', es: 'Más horas esta primavera', ro: 'Program prelungit în primăvară' },
      body: { en: 'We now open at 8.\nSaturdays too.\n\nSee you soon.', es: 'Abrimos a las 8.\nTambién los sábados.\n\nHasta pronto.', ro: 'Deschidem la 8.\nȘi sâmbăta.\n\nPe curând.' },
    }],
  };
  // Joined 3 March 2021: on 10 March 2027 that is six years.
  const member = (fields: Partial<Customer>) => customer({ createdAt: '2021-03-03T10:00:00Z', timeZone: 'Europe/Madrid', ...fields });
  const about = (content: KeepInTouchContent, config = settings): { brand: Brand; keepInTouch: KeepInTouchRenderContext } =>
    ({ brand: brandNamed('Acme'), keepInTouch: { content, config, sendDate: '2027-03-10' } });
  const contentOf: Record<KeepInTouchVariant, KeepInTouchContent> = { points: 'points', tierProgress: 'tierProgress', tierStanding: 'tierProgress', anniversary: 'anniversary', news: 'news:spring-hours' };
  /** Who gets each variant: tier standing is tier progress on the top tier. */
  const tierOf: Record<KeepInTouchVariant, Customer['tier']> = { points: 'gold', tierProgress: 'gold', tierStanding: 'diamond', anniversary: 'gold', news: 'gold' };
  /** What shows which variant was rendered, per locale. */
  const marks: Record<KeepInTouchVariant, Record<string, RegExp>> = {
    points: { en: /points?\b/, es: /puntos?\b/, ro: /[Pp]unct/ },
    tierProgress: { en: /Diamond/, es: /Diamante/, ro: /Diamant/ },
    tierStanding: { en: /Diamond/, es: /Diamante/, ro: /Diamant/ },
    anniversary: { en: /6 years/, es: /6 años/, ro: /6 ani/ },
    news: { en: /Longer hours this spring/, es: /Más horas esta primavera/, ro: /Program prelungit în primăvară/ },
  };
  const offer = /discount|descuento|reducere|% off|% de descuento/i;

  it.each([
    ['en', 'Ana, you have 1,500 points at Acme', '1,500'],
    ['es', 'Ana, tienes 1500 puntos en Acme', '1500'],
    ['ro', 'Ana, ai 1.500 de puncte la Acme', '1.500'],
  ])('without a content (callers that predate contents) is the points e-mail in %s, with no offer', (locale, subject, points) => {
    const email = renderEmail('keepInTouch', customer({ locale, name: 'Ana' }), { brand: brandNamed('Acme') });
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(points);
    expect(`${email.html} ${email.text}`).not.toMatch(offer);
  });

  // 15,000 is what Diamond asks for (defaults): the tier standing e-mail is rendered below, at and above it.
  it.each(keepInTouchVariants.flatMap((variant) => (['en', 'es', 'ro'] as const).flatMap((locale) => [0, 1, 5, 15_000, 15_001, 123_456].flatMap((loyaltyPoints) =>
    [['Ana', variant, locale, loyaltyPoints], [undefined, variant, locale, loyaltyPoints]] as const))))(
    'renders (name %s) the %s e-mail in %s with %i points: subject, HTML and text',
    (name, variant, locale, loyaltyPoints) => {
      const email = renderEmail('keepInTouch', member({ locale, name, loyaltyPoints, tier: tierOf[variant] }), about(contentOf[variant]));
      expect(email.locale).toBe(locale);
      for (const part of [email.subject, email.html, email.text]) {
        expect(part.length).toBeGreaterThan(10);
        expect(part).not.toMatch(/\{\{|\}\}|undefined|\[object|NaN/);
        expect(part).not.toMatch(offer);
      }
      expect(email.subject).toMatch(marks[variant][locale]!);
      expect(email.text).toMatch(marks[variant][locale]!);
      expect(email.subject).not.toMatch(/^[,\s]|[\r\n]/);
      if (name) {
        expect(email.text.split('\n')[0]).toContain('Ana');
        if (variant !== 'news') expect(email.subject).toMatch(/^Ana, /); // news leads with the business's title
      }
      else expect(`${email.subject}\n${email.text}`).not.toMatch(/ [,:]|,,|^Hello [^,]/m);
    },
  );

  it.each([
    ['en', 'Ana, how to earn points at Acme', 'Every purchase and service earns you points: 500 points get you a free coffee.'],
    ['es', 'Ana, cómo ganar puntos en Acme', 'Cada compra y cada servicio te dan puntos: con 500 puntos tendrás un café gratis.'],
    ['ro', 'Ana, cum strângi puncte la Acme', 'Fiecare achiziție și fiecare serviciu îți aduc puncte: cu 500 de puncte ai o cafea gratuită.'],
  ])('with no points tells how to earn them and what the first reward is, in %s', (locale, subject, sentence) => {
    const email = renderEmail('keepInTouch', member({ locale, name: 'Ana', loyaltyPoints: 0 }), about('points'));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(sentence);
  });

  it.each([
    [300, 'Ana, you have 300 points at Acme', 'Another 200 points and they get you a free coffee.'],
    [1500, 'Ana, your points are enough for a free coffee', 'That is enough for a free coffee right now, and another 500 points would get you a free service visit.'],
    [2000, 'Ana, your points are enough for a free service visit', 'That is enough for a free service visit right now.'],
  ])('with %i points tells what they buy now (the best reward) or how far the next reward is', (loyaltyPoints, subject, sentence) => {
    const email = renderEmail('keepInTouch', member({ name: 'Ana', loyaltyPoints }), about('points'));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(sentence);
  });

  it.each([
    ['en', 'Ana, 13,500 points to Diamond at Acme', 'Another 13,500 points and you reach Diamond, which asks for 15,000 points.'],
    ['es', 'Ana, 13.500 puntos más y llegas a Diamante en Acme', 'Con 13.500 puntos más llegas a Diamante, que pide 15.000 puntos.'],
    ['ro', 'Ana, încă 13.500 de puncte până la Diamant la Acme', 'Cu încă 13.500 de puncte ajungi la Diamant, pentru care sunt necesare 15.000 de puncte.'],
  ])('for tier progress tells the points to the next tier and its name, in %s', (locale, subject, sentence) => {
    const email = renderEmail('keepInTouch', member({ locale, name: 'Ana' }), about('tierProgress'));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(sentence);
  });

  it('for tier progress of a customer who already has the points says so, without promising the tier', () => {
    const email = renderEmail('keepInTouch', member({ tier: 'standard', loyaltyPoints: 1200 }), about('tierProgress'));
    expect(email.subject).toBe('You have the points for Silver at Acme');
    expect(email.text).toContain('You already have the 1,000 points that Silver asks for.');
  });

  it.each([
    ['en', 'Ana, thank you for being a Diamond member at Acme', [
      '<p>You are a <strong>Diamond</strong> member, the highest tier at Acme.</p>',
      '<p>You have <strong>18,500 points</strong>: <strong>3,500 points</strong> more than the 15,000 points that <strong>Diamond</strong> asks for.</p>',
    ], 'You are a Diamond member, the highest tier at Acme.\n\nYou have 18,500 points: 3,500 points more than the 15,000 points that Diamond asks for.\n\nThank you for your loyalty and for being with us.'],
    ['es', 'Ana, gracias por ser cliente Diamante de Acme', [
      '<p>Eres cliente <strong>Diamante</strong>, el nivel más alto de Acme.</p>',
      '<p>Tienes <strong>18.500 puntos</strong>: <strong>3500 puntos</strong> más de los 15.000 puntos que pide <strong>Diamante</strong>.</p>',
    ], 'Eres cliente Diamante, el nivel más alto de Acme.\n\nTienes 18.500 puntos: 3500 puntos más de los 15.000 puntos que pide Diamante.\n\nGracias por tu confianza y por seguir con nosotros.'],
    ['ro', 'Ana, îți mulțumim că ești membru Diamant la Acme', [
      '<p>Ești membru <strong>Diamant</strong>, cel mai înalt nivel de la Acme.</p>',
      '<p>Ai <strong>18.500 de puncte</strong>, cu <strong>3.500 de puncte</strong> peste cele 15.000 de puncte necesare pentru <strong>Diamant</strong>.</p>',
    ], 'Ești membru Diamant, cel mai înalt nivel de la Acme.\n\nAi 18.500 de puncte, cu 3.500 de puncte peste cele 15.000 de puncte necesare pentru Diamant.\n\nÎți mulțumim pentru încredere și că ești alături de noi.'],
  ])('for tier progress on the top tier, above its points, thanks a diamond member and tells how many points they hold above it, in %s', (locale, subject, htmlParts, text) => {
    const email = renderEmail('keepInTouch', member({ locale, name: 'Ana', tier: 'diamond', loyaltyPoints: 18_500 }), about('tierProgress'));
    expect(email.subject).toBe(subject);
    for (const part of htmlParts) expect(email.html).toContain(part);
    expect(email.text).toContain(text);
    expect(`${email.subject} ${email.html} ${email.text}`).not.toMatch(/discount|descuento|reducere|% off/i);
  });

  it.each([
    ['en', 'Thank you for being a Diamond member at Acme', 'Hello,\n\nYou are a Diamond member, the highest tier at Acme.\n\nThank you for your loyalty and for being with us.'],
    ['es', 'Gracias por ser cliente Diamante de Acme', 'Hola:\n\nEres cliente Diamante, el nivel más alto de Acme.\n\nGracias por tu confianza y por seguir con nosotros.'],
    ['ro', 'Îți mulțumim că ești membru Diamant la Acme', 'Bună,\n\nEști membru Diamant, cel mai înalt nivel de la Acme.\n\nÎți mulțumim pentru încredere și că ești alături de noi.'],
  ])('for tier progress on the top tier, at or below its points (a tier the business gave), says only that it is the highest tier, in %s', (locale, subject, text) => {
    for (const loyaltyPoints of [0, 2000, 15_000]) {
      const email = renderEmail('keepInTouch', member({ locale, tier: 'diamond', loyaltyPoints }), about('tierProgress'));
      expect(email.subject).toBe(subject);
      expect(email.text.split('\n\n--\n')[0]).toBe(text); // the body, above the business's footer
      // What a reader sees: not the head, not Outlook's conditional comments, not the layout's sizes and colours.
      const words = (html: string) => html.replace(/^[\s\S]*?<body[^>]*>/, '').replace(/<!--[\s\S]*?-->/g, ' ').replace(/<[^>]*>/g, ' ');
      expect(`${email.subject} ${words(email.html)} ${email.text}`).not.toMatch(/\d/); // no numbers
    }
  });

  it('carries the business\'s header and footer: logo (its name when images are off), support address, postal address, in the brand\'s colours', () => {
    const brand = { ...brandNamed('Larkspur Coffee'), logoUrl: 'https://cdn.larkspur.example/logo.png', postalAddress: '12 Mill Lane, Bristol BS1 4DJ', supportEmail: 'help@larkspur.example', colors: { accent: '#7a3e9d', background: '#faf5ff' } };
    const email = renderEmail('birthday', customer({ locale: 'es', name: 'Ana' }), { brand, preferencesUrl: 'https://links.example/p', unsubscribeUrl: 'https://links.example/u' });
    expect(email.html).toContain('<img src="https://cdn.larkspur.example/logo.png" alt="Larkspur Coffee"');
    expect(email.html).toContain('background:#7a3e9d');
    expect(email.html).toContain('¿Dudas? Escríbenos a <a href="mailto:help@larkspur.example"');
    expect(email.html).toContain('Larkspur Coffee · 12 Mill Lane, Bristol BS1 4DJ');
    expect(email.text).toMatch(/\n--\nElige qué te enviamos: https:\/\/links.example\/p\nDarte de baja de los correos comerciales: https:\/\/links.example\/u\n¿Dudas\? Escríbenos a help@larkspur.example\nLarkspur Coffee, 12 Mill Lane, Bristol BS1 4DJ$/);
    // Without a logo, the name; without an address or support, neither line.
    const plain = renderEmail('birthday', customer({ name: 'Ana' }), { brand: brandNamed('Acme') });
    expect(plain.html).toMatch(/class="header"[\s\S]*?>Acme<\/div>/);
    expect(plain.html).not.toContain('mailto:');
    expect(plain.text.endsWith('\n--\nAcme')).toBe(true);
  });

  it('for tier standing writes the brand and the name as text in HTML', () => {
    const hostile = '<script>alert("x")</script>';
    const email = renderEmail('keepInTouch', member({ name: hostile, tier: 'diamond', loyaltyPoints: 20_000 }), { brand: brandNamed('<b>Acme</b>'), keepInTouch: about('tierProgress').keepInTouch });
    expect(email.html).not.toMatch(/<script|<b>/);
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('&lt;b&gt;Acme&lt;/b&gt;');
  });

  it.each([
    ['en', 'Ana, 6 years with Acme', 'You have been with Acme since March 3, 2021'],
    ['es', 'Ana, 6 años con Acme', 'Estás con Acme desde el 3 de marzo de 2021'],
    ['ro', 'Ana, 6 ani cu Acme', 'Ești alături de Acme din 3 martie 2021'],
    ['en-GB', 'Ana, 6 years with Acme', 'You have been with Acme since 3 March 2021'],
  ])('for the anniversary counts the years in %s', (locale, subject, sentence) => {
    const email = renderEmail('keepInTouch', member({ locale, name: 'Ana' }), about('anniversary'));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(sentence);
  });

  it('counts in the plural forms of each language: 1 punct, 5 puncte, 20 de puncte; 1 year, 21 de ani', () => {
    const ro = (loyaltyPoints: number) => renderEmail('keepInTouch', member({ locale: 'ro', loyaltyPoints }), about('tierProgress')).text;
    expect(ro(1)).toContain('Ești membru Aur cu 1 punct.');
    expect(ro(5)).toContain('Ești membru Aur cu 5 puncte.');
    expect(ro(20)).toContain('Ești membru Aur cu 20 de puncte.');
    const joinedOn = (createdAt: string, locale: string) => renderEmail('keepInTouch', member({ locale, createdAt }), about('anniversary')).subject;
    expect(joinedOn('2026-03-03T10:00:00Z', 'en')).toBe('1 year with Acme');
    expect(joinedOn('2006-03-03T10:00:00Z', 'ro')).toBe('21 de ani cu Acme');
  });

  it('for news shows the business’s title and body in the customer’s language, lines and paragraphs kept', () => {
    const email = renderEmail('keepInTouch', member({ locale: 'es', name: 'Ana' }), about('news:spring-hours'));
    expect(email.subject).toBe('Novedades de Acme: Más horas esta primavera');
    expect(email.html).toContain('<p>Abrimos a las 8.<br>También los sábados.</p>\n<p>Hasta pronto.</p>');
    expect(email.text).toContain('Más horas esta primavera\n\nAbrimos a las 8.\nTambién los sábados.\n\nHasta pronto.');
  });

  it('for news written only in English shows it in English inside the customer’s language', () => {
    const english: KeepInTouchSettings = { ...settings, news: [{ id: 'spring-hours', title: { en: 'Longer hours' }, body: { en: 'From 8.' } }] };
    const email = renderEmail('keepInTouch', member({ locale: 'ro' }), about('news:spring-hours', english));
    expect(email.locale).toBe('ro');
    expect(email.subject).toBe('Noutăți de la Acme: Longer hours');
    expect(email.text).toContain('From 8.');
  });

  it('writes business text and customer data as text: <script> in news, reward names or a name never becomes markup', () => {
    const hostile = '<script>alert("x")</script>\r\nBcc: someone';
    const config: KeepInTouchSettings = {
      ...settings,
      rewards: [{ points: 100, name: { en: hostile } }],
      news: [{ id: 'x', title: { en: hostile }, body: { en: `${hostile}\n\n<img src=x onerror=alert(1)>` } }],
    };
    for (const content of ['points', 'news:x'] as const) {
      const email = renderEmail('keepInTouch', member({ name: hostile }), about(content, config));
      expect(email.html).not.toMatch(/<script|<img/);
      expect(email.html).toContain('&lt;script&gt;');
      expect(email.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('falls back to the points e-mail when the content no longer applies', () => {
    const points = renderEmail('keepInTouch', member({ tier: 'diamond' }), about('points')).subject;
    expect(renderEmail('keepInTouch', member({ tier: 'diamond' }), about('news:removed')).subject).toBe(points);
    expect(renderEmail('keepInTouch', member({ tier: 'diamond', createdAt: '2021-09-01T10:00:00Z' }), about('anniversary')).subject).toBe(points);
  });
});
