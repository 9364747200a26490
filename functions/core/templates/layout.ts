import Handlebars from 'handlebars';
import type { Brand } from '../config.js';
import { layoutSource } from './layout.generated.js';

/**
 * The business's frame around every e-mail's body and every link page: a header with the logo (or
 * the business's name, also what shows while images are off), the body, and a footer with the
 * preference and unsubscribe links, the support address and the postal address. The HTML is
 * layout/email.mjml compiled by MJML at build time (layout.generated.ts): tables Outlook lays out,
 * CSS inlined, a dark scheme for clients that ask for one. The body arrives rendered (and escaped);
 * everything else here is escaped. Colours are validated #RRGGBB, the logo an https URL.
 */
export interface LayoutData {
  readonly brand: Brand;
  /** The language the e-mail is in (the `lang` of the document). */
  readonly lang: string;
  /** The e-mail's subject: the document's title. */
  readonly subject: string;
  /** The rendered body: HTML for `emailHtml`, plain text for `emailText`. */
  readonly content: string;
  readonly footer: { readonly preferences: string; readonly unsubscribe: string; readonly support: string };
  readonly preferencesUrl?: string;
  readonly unsubscribeUrl?: string;
  /** A link page's own CSS (its forms), in the document's head; an e-mail has none. */
  readonly pageStyle?: string;
}

const textLayout = `{{{content}}}

--
{{#if preferencesUrl}}{{footer.preferences}}: {{preferencesUrl}}
{{#if unsubscribeUrl}}{{footer.unsubscribe}}: {{unsubscribeUrl}}
{{/if}}{{/if}}{{#if brand.supportEmail}}{{footer.support}} {{brand.supportEmail}}
{{/if}}{{brand.name}}{{#if brand.postalAddress}}, {{brand.postalAddress}}{{/if}}`;

const handlebars = Handlebars.create();
const html = handlebars.compile(layoutSource, { strict: false });
const text = handlebars.compile(textLayout, { strict: false, noEscape: true });

export const emailHtml = (data: LayoutData): string => html(data);
export const emailText = (data: LayoutData): string => text(data);
