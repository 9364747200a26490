import Handlebars from 'handlebars';
import type { CampaignName } from '../config.js';
import type { Contract, Customer } from '../records.js';
import { DateTime } from 'luxon';
import { renewalTemplates } from './renewal.js';
import { birthdayTemplates } from './birthday.js';
import { keepInTouchTemplates } from './keep-in-touch.js';
import type { CampaignTemplates, LocalizedTemplate } from './types.js';

/**
 * Renders a campaign's e-mail in the customer's language (English when there is no template for it).
 * HTML escapes every value; subject and text are plain text, so they are not escaped, and the
 * subject loses line breaks so a customer's name can never add a header.
 */

const templatesByCampaign: Partial<Record<CampaignName, CampaignTemplates>> = {
  birthday: birthdayTemplates,
  keepInTouch: keepInTouchTemplates,
  renewal: renewalTemplates,
};

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The language actually used. */
  readonly locale: string;
}

export interface RenderContext {
  readonly brand: string;
  /** The contract a renewal reminder is about. */
  readonly contract?: Pick<Contract, 'plan' | 'endsOn'>;
}

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

export const hasTemplates = (campaign: CampaignName): boolean => templatesByCampaign[campaign] !== undefined;

export const renderEmail = (campaign: CampaignName, customer: Customer, context: RenderContext): RenderedEmail => {
  const templates = templatesByCampaign[campaign];
  if (!templates) throw new Error(`no templates for campaign '${campaign}'`);
  const locale = customer.locale in templates ? customer.locale : 'en';
  const template = (templates as Record<string, LocalizedTemplate>)[locale]!;
  const data = {
    name: customer.name?.replace(/\s+/g, ' ').trim() || undefined,
    brand: context.brand,
    points: customer.loyaltyPoints > 0 ? customer.loyaltyPoints.toLocaleString(locale) : undefined,
    tierName: template.tierNames[customer.tier],
    plan: context.contract?.plan,
    // The end date as the customer writes dates: 30 de junio de 2027, 30 iunie 2027, June 30, 2027.
    endsOn: context.contract ? DateTime.fromISO(context.contract.endsOn).setLocale(locale).toLocaleString(DateTime.DATE_FULL) : undefined,
  };
  return {
    subject: compile(template.subject, false)(data).replace(/[\r\n]+/g, ' ').trim(),
    html: compile(template.html, true)(data),
    text: compile(template.text, false)(data),
    locale,
  };
};
