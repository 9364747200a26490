import Handlebars from 'handlebars';
import { templateLocaleOf, type Locale, type Complaint, type Contract, type Customer, type SurveyResponse } from '../records.js';
import { DateTime } from 'luxon';
import type { PlannedMessage } from '../messages.js';
import type { Brand } from '../config.js';
import { followUpKindOf } from '../campaigns/complaint-follow-up.js';
import { renewalTemplates } from './renewal.js';
import { birthdayTemplates } from './birthday.js';
import { keepInTouchTemplates } from './keep-in-touch.js';
import { keepInTouchData, keepInTouchVariantOf, type KeepInTouchRenderContext } from './keep-in-touch-data.js';
import { complaintApologyTemplates, complaintCheckInTemplates, complaintResolvedTemplates, detractorFollowUpTemplates, surveyTemplates } from './feedback.js';
import type { CampaignTemplates, LocalizedTemplate } from './types.js';
import { emailHtml, emailText } from './layout.js';

/**
 * Renders a campaign's e-mail in the customer's language (English when there is no template for it).
 * HTML escapes every value; subject and text are plain text, so they are not escaped, and the
 * subject loses line breaks so a customer's name can never add a header.
 */

const templates = {
  birthday: birthdayTemplates,
  // The points e-mail stands for all keep-in-touch contents here; renderEmail picks the one the context asks for.
  keepInTouch: keepInTouchTemplates.points,
  renewal: renewalTemplates,
  survey: surveyTemplates,
  complaintApology: complaintApologyTemplates,
  complaintCheckIn: complaintCheckInTemplates,
  complaintResolved: complaintResolvedTemplates,
  detractorFollowUp: detractorFollowUpTemplates,
} satisfies Record<string, CampaignTemplates>;

export type { KeepInTouchRenderContext } from './keep-in-touch-data.js';
export type TemplateName = keyof typeof templates;
export const templateNames = Object.keys(templates) as TemplateName[];

const followUpTemplates = { apology: 'complaintApology', checkIn: 'complaintCheckIn', resolved: 'complaintResolved', detractor: 'detractorFollowUp' } as const;

/** The e-mail a message is: its campaign's, or for a complaint follow-up the one its step calls for. */
export const templateOf = (message: Pick<PlannedMessage, 'campaign' | 'occurrence'>): TemplateName =>
  message.campaign === 'complaintFollowUp' ? followUpTemplates[followUpKindOf(message.occurrence)] : message.campaign;

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The language actually used. */
  readonly locale: string;
}

export interface RenderContext {
  /** Whose e-mail this is (configuration `brand`). */
  readonly brand: Brand;
  /** The contract a renewal reminder is about. */
  readonly contract?: Pick<Contract, 'plan' | 'endsOn'>;
  /** The complaint a follow-up is about. */
  readonly complaint?: Pick<Complaint, 'subject' | 'openedAt'>;
  /** The survey answer a detractor's follow-up is about. */
  readonly surveyAnswer?: Pick<SurveyResponse, 'score'>;
  /** A survey's one-click answers. */
  readonly surveyLinks?: readonly { readonly score: number; readonly url: string }[];
  /** The customer's preference page: every e-mail links to it. */
  readonly preferencesUrl?: string;
  /** One-click unsubscribe from marketing: marketing e-mails only. */
  readonly unsubscribeUrl?: string;
  /** What a keep-in-touch e-mail carries (chooseKeepInTouchContent); without it, the points e-mail. */
  readonly keepInTouch?: KeepInTouchRenderContext;
}

/** The foot of every e-mail: who sends it, where to write, and where the customer chooses what they get. */
const footers: Record<Locale, { readonly preferences: string; readonly unsubscribe: string; readonly support: string }> = {
  en: { preferences: 'Choose what we send you', unsubscribe: 'Unsubscribe from marketing e-mails', support: 'Questions? Write to' },
  es: { preferences: 'Elige qué te enviamos', unsubscribe: 'Darte de baja de los correos comerciales', support: '¿Dudas? Escríbenos a' },
  ro: { preferences: 'Alege ce îți trimitem', unsubscribe: 'Dezabonează-te de la e-mailurile de marketing', support: 'Întrebări? Scrie-ne la' },
};
const handlebars = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();
const compile = (source: string, escape: boolean): Handlebars.TemplateDelegate => {
  const key = `${escape}:${source}`;
  let template = compiled.get(key);
  if (!template) {
    template = handlebars.compile(source, { noEscape: !escape, strict: false });
    compiled.set(key, template);
  }
  return template;
};

const longDate = (isoDate: string, locale: string, timeZone?: string): string =>
  DateTime.fromISO(isoDate, timeZone ? { zone: timeZone } : { setZone: true }).setLocale(locale).toLocaleString(DateTime.DATE_FULL);

export const renderEmail = (name: TemplateName, customer: Customer, context: RenderContext): RenderedEmail => {
  const variant = name === 'keepInTouch' ? keepInTouchVariantOf(customer, context.keepInTouch) : undefined;
  const localized = variant ? keepInTouchTemplates[variant] : templates[name];
  // es-MX → es → en, as the import's warning says.
  const wanted = templateLocaleOf(customer.locale);
  const locale = wanted in localized ? wanted : 'en';
  const template = (localized as Record<string, LocalizedTemplate>)[locale]!;
  const data = {
    ...(variant ? keepInTouchData(variant, customer, context.keepInTouch, locale, template.tierNames) : {}),
    name: customer.name?.replace(/\s+/g, ' ').trim() || undefined,
    brand: context.brand.name,
    points: customer.loyaltyPoints > 0 ? customer.loyaltyPoints.toLocaleString(locale) : undefined,
    tierName: template.tierNames[customer.tier],
    plan: context.contract?.plan,
    // Dates as the customer writes them: 30 de junio de 2027, 30 iunie 2027, June 30, 2027.
    endsOn: context.contract ? longDate(context.contract.endsOn, locale) : undefined,
    subjectLine: context.complaint?.subject?.replace(/\s+/g, ' ').trim() || undefined,
    openedOn: context.complaint ? longDate(context.complaint.openedAt, locale, customer.timeZone) : undefined,
    score: context.surveyAnswer?.score,
    surveyLinks: context.surveyLinks,
    preferencesUrl: context.preferencesUrl,
    unsubscribeUrl: context.unsubscribeUrl,
    footer: footers[locale],
    look: context.brand,
  };
  const subject = compile(template.subject, false)(data).replace(/[\r\n]+/g, ' ').trim();
  const frame = { brand: context.brand, lang: locale, subject, footer: data.footer, preferencesUrl: context.preferencesUrl, unsubscribeUrl: context.unsubscribeUrl };
  return {
    subject,
    html: emailHtml({ ...frame, content: compile(template.html, true)(data) }),
    text: emailText({ ...frame, content: compile(template.text, false)(data) }),
    locale,
  };
};
