import { describe, expect, it } from 'vitest';
import type { LinkOutcome } from '../../functions/core/jobs/follow-link.js';
import { linkPage } from '../../functions/core/pages.js';
import { renderParts } from '../../functions/core/templates/index.js';
import { sampleCases } from '../../functions/core/templates/samples.js';
import { brandNamed } from './brand.js';

/**
 * Everything the product writes to a Spanish or Romanian customer is in their language: no English
 * word of ours is left in an e-mail or a page. (The business's own words, such as plan names, stay as
 * written; the samples give them in each language, except the plan, which is not among these words.
 * "link" is not among them either: Romanian writes it too.)
 */
const englishWords = /\b(the|your|you|and|with|points?|hello|thank|thanks|dear|please|page|click|choose|unsubscribe|questions?|write to|member|years?|news|reply|answer|send|save)\b/i;

const visibleText = (html: string) =>
  html
    .replace(/<(style|title)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ');

describe('what a customer reads is in their language', () => {
  const brand = brandNamed('Larkspur');
  const cases = sampleCases(brand).filter((sample) => sample.locale !== 'en');

  it.each(cases.map((sample) => [`${sample.key}/${sample.locale} (${sample.label})`, sample] as const))('e-mail %s', (_, sample) => {
    const { subject, bodyHtml, bodyText } = renderParts(sample.key, sample.customer, sample.context);
    for (const part of [subject, visibleText(bodyHtml), bodyText.replace(/https:\/\/\S+/g, ' ')]) expect(part).not.toMatch(englishWords);
  });

  const outcomes = (locale: string): LinkOutcome[] => [
    { kind: 'invalid', locale },
    { kind: 'expired', locale },
    { kind: 'badRequest', locale },
    { kind: 'confirmSurveyAnswer', score: 7, token: 't', locale },
    { kind: 'surveyAnswer', result: 'recorded', score: 7, locale },
    { kind: 'confirmUnsubscribe', locale },
    { kind: 'unsubscribed', receive: 'service', locale },
    { kind: 'unsubscribed', receive: 'nothing', locale },
    { kind: 'preferences', receive: 'marketing', marketingConsent: true, locale, saved: true },
    { kind: 'preferences', receive: 'marketing', marketingConsent: false, locale, saved: false },
    { kind: 'preferences', receive: 'marketing', marketingConsent: false, locale, saved: true },
  ];
  it.each(['es', 'ro'].flatMap((locale) => outcomes(locale).map((outcome) => [`${outcome.kind}/${locale}`, outcome] as const)))('link page %s', (_, outcome) => {
    const page = linkPage(outcome, { ...brand, supportEmail: 'help@larkspur.example' });
    expect(visibleText(page.html).replace(/help@larkspur\.example/g, ' ')).not.toMatch(englishWords);
  });
});
