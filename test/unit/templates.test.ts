import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../functions/core/templates/index.js';
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
    const email = renderEmail('birthday', customer({ locale, name: 'Ana' }), { brand: 'Acme' });
    expect(email.locale).toBe(locale);
    expect(email.subject).toBe(subject);
    expect(email.html).toContain(tierName);
    expect(email.text).toContain(tierName);
    expect(email.text).toContain('Acme');
  });

  it('falls back to English for a language without templates', () => {
    const email = renderEmail('birthday', customer({ locale: 'fr', name: 'Zoé' }), { brand: 'Acme' });
    expect(email.locale).toBe('en');
    expect(email.subject).toBe('Happy birthday, Zoé!');
  });

  it('escapes customer data in HTML and keeps line breaks out of the subject', () => {
    const email = renderEmail('birthday', customer({ name: '<script>alert("x")</script>\r\nBcc: someone' }), { brand: 'Acme' });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('leaves the greeting without a name when there is none, and points out only when there are some', () => {
    const email = renderEmail('birthday', customer({ loyaltyPoints: 0 }), { brand: 'Acme' });
    expect(email.subject).toBe('Happy birthday!');
    expect(email.text).not.toContain('points');
  });
});

describe('keep-in-touch e-mail', () => {
  it.each([
    ['en', 'Ana, your Gold membership at Acme', '1,500'],
    ['es', 'Ana, tu membresía Oro en Acme', '1500'],
    ['ro', 'Ana, statutul tău Aur la Acme', '1.500'],
  ])('tells the tier and points in %s, with no offer', (locale, subject, points) => {
    const email = renderEmail('keepInTouch', customer({ locale, name: 'Ana' }), { brand: 'Acme' });
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(points);
    expect(`${email.html} ${email.text}`).not.toMatch(/discount|descuento|reducere|% off/i);
  });
});
