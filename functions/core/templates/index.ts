import Handlebars from 'handlebars';
import { dateLocaleOf, localDateOf, longDate } from '../calendar.js';
import { templateLocaleOf, type Complaint, type Contract, type Customer, type Locale, type SurveyResponse } from '../records.js';
import type { PlannedMessage } from '../messages.js';
import type { Brand } from '../config.js';
import { followUpKindOf } from '../campaigns/complaint-follow-up.js';
import { keepInTouchData, keepInTouchVariantOf, quantity, type KeepInTouchRenderContext } from './keep-in-touch-data.js';
import type { KeepInTouchVariant } from './keep-in-touch.js';
import { emailHtml, emailText, readableOn } from './layout.js';
import { shippedTemplates } from './shipped.generated.js';
import type { LocalizedTemplate, TemplateKey, TemplateSet, TemplateSource } from './types.js';
import { footers, tierNames, units } from './vocabulary.js';

/**
 * Renders an e-mail in the customer's language (es-MX → es → en) from a template set: the shipped
 * one, or the version the business pushed. HTML escapes every value; subject and text are plain
 * text, so they are not escaped, and the subject loses line breaks so a customer's name can never
 * add a header. The body goes into the layout (layout.ts) with the brand and the footer.
 */

export type { KeepInTouchRenderContext } from './keep-in-touch-data.js';
export { shippedTemplates } from './shipped.generated.js';

/** What a message is about: its campaign, or for a complaint follow-up the step it is. */
export const templateNames = ['birthday', 'keepInTouch', 'renewal', 'survey', 'complaintApology', 'complaintCheckIn', 'complaintResolved', 'detractorFollowUp'] as const;
export type TemplateName = (typeof templateNames)[number];

const followUpTemplates = { apology: 'complaintApology', checkIn: 'complaintCheckIn', resolved: 'complaintResolved', detractor: 'detractorFollowUp' } as const;

/** The e-mail a message is: its campaign's, or for a complaint follow-up the one its step calls for. */
export const templateOf = (message: Pick<PlannedMessage, 'campaign' | 'occurrence'>): TemplateName =>
  message.campaign === 'complaintFollowUp' ? followUpTemplates[followUpKindOf(message.occurrence)] : message.campaign;

const keepInTouchKeys = {
  points: 'keepInTouchPoints',
  tierProgress: 'keepInTouchTierProgress',
  tierStanding: 'keepInTouchTierStanding',
  anniversary: 'keepInTouchAnniversary',
  news: 'keepInTouchNews',
} as const satisfies Record<KeepInTouchVariant, TemplateKey>;
const keepInTouchVariantOfKey = new Map(Object.entries(keepInTouchKeys).map(([variant, key]) => [key as TemplateKey, variant as KeepInTouchVariant]));

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
  /** The templates to use: the active version (`retention templates push`); the shipped ones when not given. */
  readonly templates?: TemplateSet;
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

/**
 * What templates may use besides the variables: `{{> surveyScores}}`, the survey's eleven one-click
 * answers. In HTML, one table row of equal cells: wide boxes on a desktop, and on a 320 px phone still
 * one row (eleven cells of about 21 px) rather than a ragged 7 + 4 wrap; a table, so Outlook lays it out too.
 */
const htmlPartials = {
  surveyScores: `<table role="presentation" width="100%" cellpadding="0" cellspacing="3" style="margin:8px 0 12px;border-collapse:separate;table-layout:fixed"><tr>{{#each surveyLinks}}<td align="center" style="padding:0;border:1px solid #888888;border-radius:4px"><a href="{{url}}" style="display:block;padding:10px 0;font-size:15px;line-height:1;font-weight:bold;text-align:center;text-decoration:none;color:{{../scoreColor}}">{{score}}</a></td>{{/each}}</tr></table>`,
};
const textPartials = {
  surveyScores: `{{#each surveyLinks}}{{score}}: {{url}}
{{/each}}`,
};
export const partialNames = Object.keys(htmlPartials);

const environment = (partials: Record<string, string>) => {
  const handlebars = Handlebars.create();
  handlebars.registerPartial(partials);
  return handlebars;
};
const html = environment(htmlPartials);
const text = environment(textPartials);

/**
 * Compiles a template's source once per process (the pushed ones too: a version's sources never
 * change). Only Handlebars' own helpers (if, unless, each, with) and our partials are known.
 */
const compiled = new Map<string, Handlebars.TemplateDelegate>();
export const compileTemplate = (source: string, as: 'html' | 'text'): Handlebars.TemplateDelegate => {
  const key = `${as}:${source}`;
  let template = compiled.get(key);
  if (!template) {
    template = (as === 'html' ? html : text).compile(source, { noEscape: as === 'text', strict: false, knownHelpersOnly: true });
    compiled.set(key, template);
  }
  return template;
};

/** The template of a message for this customer: a keep-in-touch e-mail's is its content's. */
export const templateKeyOf = (name: TemplateName, customer: Customer, keepInTouch: KeepInTouchRenderContext | undefined): TemplateKey =>
  name === 'keepInTouch' ? keepInTouchKeys[keepInTouchVariantOf(customer, keepInTouch)] : name;

/** The e-mail `name` for this customer, from the context's templates. */
export const renderEmail = (name: TemplateName, customer: Customer, context: RenderContext): RenderedEmail =>
  renderTemplate(templateKeyOf(name, customer, context.keepInTouch), customer, context);

/** The language of `localized` a customer gets: theirs, else its language, else English. */
export const localeFor = (localized: LocalizedTemplate, customerLocale: string): Locale => {
  const wanted = templateLocaleOf(customerLocale);
  return localized[wanted] ? wanted : 'en';
};

/** A template's subject and bodies for a customer, before the layout frames them. */
export interface RenderedParts {
  readonly locale: Locale;
  readonly subject: string;
  readonly bodyHtml: string;
  readonly bodyText: string;
}

/** One template's parts for a customer, whichever the variant (`templates push` checks each one). */
export const renderParts = (key: TemplateKey, customer: Customer, context: RenderContext): RenderedParts => {
  const localized = (context.templates ?? shippedTemplates)[key];
  const locale = localeFor(localized, customer.locale);
  const template = localized[locale] as TemplateSource;
  const variant = keepInTouchVariantOfKey.get(key);
  const dateLocale = dateLocaleOf(customer.locale, locale);
  const data = {
    ...(variant ? keepInTouchData(variant, customer, context.keepInTouch, locale, tierNames[locale]) : {}),
    name: customer.name?.replace(/\s+/g, ' ').trim() || undefined,
    brand: context.brand.name,
    accentColor: context.brand.colors.accent,
    // The survey's digits (the partial's, not a variable templates may use): the accent where it reads on the white body.
    scoreColor: readableOn('#ffffff', context.brand.colors.accent),
    points: customer.loyaltyPoints > 0 ? customer.loyaltyPoints.toLocaleString(locale) : undefined,
    // The points with their unit in the language's plural form: 1 punct, 5 puncte, 320 de puncte.
    balance: quantity(customer.loyaltyPoints, units[locale].point, locale),
    tierName: tierNames[locale][customer.tier],
    plan: context.contract?.plan,
    // Dates as the customer writes them: 30 de junio de 2027, 30 iunie 2027, June 30, 2027 (30 June 2027 in en-GB).
    endsOn: context.contract ? longDate(context.contract.endsOn, dateLocale) : undefined,
    subjectLine: context.complaint?.subject?.replace(/\s+/g, ' ').trim() || undefined,
    openedOn: context.complaint ? longDate(localDateOf(new Date(context.complaint.openedAt), customer.timeZone), dateLocale) : undefined,
    score: context.surveyAnswer?.score,
    surveyLinks: context.surveyLinks,
    preferencesUrl: context.preferencesUrl,
    unsubscribeUrl: context.unsubscribeUrl,
  };
  return {
    locale,
    subject: compileTemplate(template.subject, 'text')(data).replace(/[\r\n]+/g, ' ').trim(),
    bodyHtml: compileTemplate(template.html, 'html')(data),
    bodyText: compileTemplate(template.text, 'text')(data),
  };
};

/** One template rendered for a customer and put into the layout with the brand and the footer. */
export const renderTemplate = (key: TemplateKey, customer: Customer, context: RenderContext): RenderedEmail => {
  const { locale, subject, bodyHtml, bodyText } = renderParts(key, customer, context);
  const frame = { brand: context.brand, lang: locale, subject, footer: footers[locale], preferencesUrl: context.preferencesUrl, unsubscribeUrl: context.unsubscribeUrl };
  return { subject, html: emailHtml({ ...frame, content: bodyHtml }), text: emailText({ ...frame, content: bodyText }), locale };
};
