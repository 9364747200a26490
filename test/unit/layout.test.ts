import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { emailHtml, emailText, readableOn, type LayoutData } from '../../functions/core/templates/layout.js';
import { footers } from '../../functions/core/templates/vocabulary.js';
import { LAYOUT_MODULE, layoutModule } from '../../scripts/email-layout.js';

const brand = { ...defaultConfig.brand, name: 'Larkspur Coffee', logoUrl: 'https://cdn.larkspur.example/logo.png', postalAddress: '12 Mill Lane, Bristol', supportEmail: 'help@larkspur.example', colors: { accent: '#6b3fa0', background: '#f6f1fb' } };
const data = (change: Partial<LayoutData> = {}): LayoutData => ({ brand, lang: 'es', subject: 'Hola', content: '<p>Body</p>', footer: footers.es, preferencesUrl: 'https://links.example/p?t=1', unsubscribeUrl: 'https://links.example/u?t=1', ...change });

describe('the layout', () => {
  it('is layout/email.mjml compiled by MJML: the committed module is what the MJML compiles to', async () => {
    expect(await readFile(LAYOUT_MODULE, 'utf8'), `${LAYOUT_MODULE} is stale: run npm run build:layout`).toBe(await layoutModule('.'));
  });

  it('is a whole document in the e-mail\'s language, titled with its subject, laid out in tables, with a dark scheme', () => {
    const html = emailHtml(data());
    expect(html).toMatch(/^<!doctype html>\n<html lang="es" /);
    expect(html).toContain('<title>Hola</title>');
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toMatch(/@media \(prefers-color-scheme: dark\) \{[^}]*body, \.page \{ background-color: #121212 !important; \}/);
    expect(html.match(/<table/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('<p>Body</p>');
  });

  it('carries the brand, its colours inline (no class needed where a client drops the head\'s styles)', () => {
    const html = emailHtml(data());
    expect(html).toMatch(/class="header" style="background:#6b3fa0;background-color:#6b3fa0;/);
    expect(html).toMatch(/class="footer" style="background:#f6f1fb;background-color:#f6f1fb;/);
    // The logo: its alt text is the name, styled to read white on the accent while images are off.
    expect(html).toMatch(/<img src="https:\/\/cdn\.larkspur\.example\/logo\.png" alt="Larkspur Coffee" height="40" style="[^"]*color:#ffffff;font-size:22px;font-weight:bold/);
    expect(html).toContain('<a href="https://links.example/p?t&#x3D;1" style="color:#6b3fa0;text-decoration:underline">Elige qué te enviamos</a>');
    expect(html).toContain('<a href="https://links.example/u?t&#x3D;1" style="color:#6b3fa0;text-decoration:underline">Darte de baja de los correos comerciales</a>');
    expect(html).toContain('¿Dudas? Escríbenos a <a href="mailto:help@larkspur.example"');
    expect(html).toContain('Larkspur Coffee · 12 Mill Lane, Bristol');
  });

  it('keeps its text readable on any brand colours: dark on a light accent, light on a dark background, links in the accent only where it reads', () => {
    // Prepare: a yellow accent on a near-black background, and the same accent on a white one
    const dark = { ...brand, logoUrl: null, colors: { accent: '#f5c400', background: '#1b1b1b' } };
    const light = { ...brand, colors: { accent: '#f5c400', background: '#ffffff' } };

    // Act
    const onDark = emailHtml(data({ brand: dark }));
    const onLight = emailHtml(data({ brand: light }));

    // Assess: the business's name on the accent, the footer (with the postal address) on the background
    expect(onDark).toMatch(/class="header"[\s\S]*?<div\s+style="[^"]*color:#222222;"\s*>Larkspur Coffee<\/div>/);
    expect(onDark).toMatch(/class="footer-text"[\s\S]*?<div\s+style="[^"]*color:#ffffff;"\s*>[\s\S]*Larkspur Coffee · 12 Mill Lane, Bristol/);
    expect(onDark).toContain('style="color:#f5c400;text-decoration:underline">Elige qué te enviamos</a>');
    expect(onLight).toMatch(/<img [^>]*style="[^"]*color:#222222;font-size:22px/);
    expect(onLight).toMatch(/class="footer-text"[\s\S]*?<div\s+style="[^"]*color:#444444;"/);
    expect(onLight).toContain('style="color:#222222;text-decoration:underline">Elige qué te enviamos</a>');
  });

  it.each([
    ['white on the shipped accent', '#2457d6', '#ffffff', '#ffffff'],
    ['the preferred grey on the shipped background', '#f3f4f6', '#444444', '#444444'],
    ['dark on a yellow accent', '#f5c400', '#ffffff', '#222222'],
    ['white on a near-black background', '#1b1b1b', '#444444', '#ffffff'],
    ['dark on white, for an accent too light to read', '#ffffff', '#f5c400', '#222222'],
  ])('chooses %s', (_, background, preferred, chosen) => {
    expect(readableOn(background, preferred)).toBe(chosen);
  });

  it('leaves out what is not there: no unsubscribe link on a service e-mail, the name where there is no logo, no support line', () => {
    const html = emailHtml(data({ unsubscribeUrl: undefined, brand: { ...brand, logoUrl: null, supportEmail: null } }));
    expect(html).not.toContain('Darte de baja');
    expect(html).toContain('Elige qué te enviamos');
    expect(html).not.toContain('<img');
    expect(html).toMatch(/class="header"[\s\S]*?>Larkspur Coffee<\/div>/);
    expect(html).not.toContain('mailto:');
  });

  it('writes the brand as text: a name with markup or quotes stays text', () => {
    const html = emailHtml(data({ subject: '</title><script>', brand: { ...brand, name: '"Bad" <script>x</script>' } }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;Bad&quot; &lt;script&gt;x&lt;/script&gt;');
  });

  it('loads nothing but the logo: no web fonts, no other URL', () => {
    const html = emailHtml(data({ preferencesUrl: undefined, unsubscribeUrl: undefined }));
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(urls).toEqual(['https://cdn.larkspur.example/logo.png', 'mailto:help@larkspur.example']);
    expect(html).not.toMatch(/@import|fonts\.googleapis|url\(/);
  });

  it('has a link page\'s own styles in the head only when given', () => {
    expect(emailHtml(data())).not.toContain('.scale{');
    expect(emailHtml(data({ pageStyle: '.scale{display:grid}' }))).toMatch(/<style>\.scale\{display:grid\}<\/style>\n {2}<\/head>/);
  });

  it('ends the text part with the same footer', () => {
    expect(emailText(data({ content: 'Hola' }))).toBe('Hola\n\n--\nElige qué te enviamos: https://links.example/p?t=1\nDarte de baja de los correos comerciales: https://links.example/u?t=1\n¿Dudas? Escríbenos a help@larkspur.example\nLarkspur Coffee, 12 Mill Lane, Bristol');
  });
});
