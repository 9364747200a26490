import type { Locale } from '../records.js';

/**
 * Every e-mail the product writes, one template each: a campaign's, a complaint follow-up step's, and
 * one per keep-in-touch content. Each is a directory of the template files (templates/<key>/<locale>/).
 */
export const templateKeys = [
  'birthday',
  'renewal',
  'survey',
  'complaintApology',
  'complaintCheckIn',
  'complaintResolved',
  'detractorFollowUp',
  'keepInTouchPoints',
  'keepInTouchTierProgress',
  'keepInTouchTierStanding',
  'keepInTouchAnniversary',
  'keepInTouchNews',
] as const;
export type TemplateKey = (typeof templateKeys)[number];

/** One e-mail in one language: Handlebars sources for the subject, the HTML body and the text body. */
export interface TemplateSource {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** A template in the languages it has; English always (a customer whose language has none gets it). */
export type LocalizedTemplate = { readonly en: TemplateSource } & Readonly<Partial<Record<Exclude<Locale, 'en'>, TemplateSource>>>;

/** Every template: the shipped ones (templates/ in the repository), or a version pushed by the business. */
export type TemplateSet = Readonly<Record<TemplateKey, LocalizedTemplate>>;
