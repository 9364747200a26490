import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, defaultConfig } from '../../functions/core/config.js';
import { locales } from '../../functions/core/records.js';
import { templateKeys } from '../../functions/core/templates/types.js';
import { overflowing, scrollsSideways, shotsOf } from '../../scripts/screenshot-plan.js';
import { contactSheet, documentsFor, pageCases, scrollTable, selectDocuments } from '../../scripts/screenshots.js';

// The pure parts of `npm run screenshots`; the browser run itself is the script's (it needs Chromium).

const demoBrand = parseConfig({ ...defaultConfig, brand: JSON.parse(readFileSync(new URL('../../data/demo-brand.json', import.meta.url), 'utf8')) }).brand;

describe('npm run screenshots: what it shoots', () => {
  it('takes each document at 375 and 600 px, light and dark, and an e-mail once more with images off', () => {
    expect(shotsOf('survey-es', 'email').map((shot) => shot.name)).toEqual(['survey-es-375-light', 'survey-es-375-dark', 'survey-es-600-light', 'survey-es-600-dark', 'survey-es-375-images-off']);
    expect(shotsOf('page-thanks-es', 'page').filter((shot) => shot.imagesOff)).toEqual([]);
  });

  it('one e-mail per template and language, for a named gold customer or the tier the template is for', () => {
    // Prepare
    const emails = documentsFor(demoBrand).filter((document) => document.kind === 'email');
    // Assess
    expect(emails.map((email) => email.name)).toEqual(templateKeys.flatMap((key) => locales.map((locale) => `${key}-${locale}`)));
    expect(emails.find((email) => email.name === 'keepInTouchTierStanding-en')!.html).toContain('Diamond');
    for (const email of emails) expect(email.html, email.name).toContain(`lang="${email.language}"`);
    expect(emails.find((email) => email.name === 'survey-es')!.html).toContain('María José Fernández');
  });

  it('every link page, each in every language, those whose link has no language by the browser’s', () => {
    // Prepare
    const pages = documentsFor(demoBrand).filter((document) => document.kind === 'page');
    // Assess
    const variants = pageCases('en').map((page) => page.variant);
    expect(variants).toEqual(['confirmSurveyAnswer', 'surveyAnswer', 'confirmUnsubscribe', 'unsubscribed', 'preferences', 'preferencesSaved', 'expired', 'gone', 'badRequest', 'invalid', 'notFound']);
    expect(pages).toHaveLength(variants.length * locales.length);
    for (const page of pages) expect(page.html, page.name).toContain(`lang="${page.language}"`);
    expect(pageCases('ro').find((page) => page.variant === 'notFound')).toMatchObject({ acceptLanguage: 'ro' });
  });

  it('--only keeps the documents whose name has the text', () => {
    const documents = [{ name: 'survey-es' }, { name: 'survey-en' }, { name: 'page-expired-es' }];
    expect(selectDocuments(documents, '-es').map((document) => document.name)).toEqual(['survey-es', 'page-expired-es']);
    expect(selectDocuments(documents, undefined)).toHaveLength(3);
  });
});

describe('npm run screenshots: the verdict', () => {
  const measures = new Map([
    ['fits', [{ width: 320, scrollWidth: 320, clientWidth: 320 }, { width: 375, scrollWidth: 375, clientWidth: 375 }]],
    ['tight', [{ width: 320, scrollWidth: 360, clientWidth: 320 }, { width: 375, scrollWidth: 375, clientWidth: 375 }]],
    ['wide', [{ width: 320, scrollWidth: 600, clientWidth: 320 }, { width: 375, scrollWidth: 600, clientWidth: 375 }]],
  ]);

  it('fails a document that scrolls sideways at 375 px; 320 px is reported, and a pixel of rounding is no scroll', () => {
    expect(scrollsSideways({ width: 375, scrollWidth: 376, clientWidth: 375 })).toBe(false);
    expect(scrollsSideways({ width: 375, scrollWidth: 420, clientWidth: 375 })).toBe(true);
    expect(overflowing(measures)).toEqual(['wide']);
  });

  it('prints each document’s widths and whether it overflows', () => {
    // Act
    const lines = scrollTable(
      [...measures.keys()].map((name) => ({ name, group: name, language: 'en' as const })),
      measures,
    );
    // Assess
    expect(lines[0]).toMatch(/^template\s+lang\s+320 px\s+375 px\s+overflow$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['fits', 'en', '320/320', '375/375', 'no'],
      ['tight', 'en', '360/320', '375/375', 'at 320 px'],
      ['wide', 'en', '600/320', '600/375', 'YES'],
    ]);
  });

  it('the contact sheet has a section per template, a row per language, every shot labelled', () => {
    // Prepare
    const documents = selectDocuments(documentsFor(demoBrand), 'survey');
    // Act
    const sheet = contactSheet(documents, new Map());
    // Assess
    expect(sheet.match(/<section /g)).toHaveLength(new Set(documents.map((document) => document.group)).size);
    for (const document of documents) {
      for (const shot of shotsOf(document.name, document.kind)) expect(sheet).toContain(`src="${shot.name}.png"`);
    }
    expect(sheet).toContain('375 px, images off');
  });
});
