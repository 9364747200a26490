import type { Locale } from '../records.js';

/** One campaign's e-mail in one language: Handlebars sources for subject, HTML and text. */
export interface LocalizedTemplate {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly tierNames: Readonly<Record<'standard' | 'silver' | 'gold' | 'diamond', string>>;
}

/** English is required: it is what a customer gets when their language has no template. */
export type CampaignTemplates = { readonly en: LocalizedTemplate } & Partial<Record<Exclude<Locale, 'en'>, LocalizedTemplate>>;
