import Handlebars from 'handlebars';
import type { Brand } from '../config.js';

/**
 * The business's frame around every e-mail's body: a header with the logo (or the business's name),
 * the body, and a footer with the preference and unsubscribe links, the support address and the postal
 * address. The body arrives rendered (and escaped); everything else here is escaped.
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
}

// Colours are validated #RRGGBB; the logo an https URL.
const htmlLayout = `<div style="max-width:600px;margin:0 auto;font-family:Helvetica,Arial,sans-serif;line-height:1.5">
<div style="background:{{brand.colors.accent}};color:#ffffff;padding:16px 20px">{{#if brand.logoUrl}}<img src="{{brand.logoUrl}}" alt="{{brand.name}}" height="40" style="display:block;height:40px;border:0">{{else}}<strong style="font-size:20px">{{brand.name}}</strong>{{/if}}</div>
<div style="padding:8px 20px">
{{{content}}}
</div>
<div style="background:{{brand.colors.background}};color:#444444;padding:12px 20px;font-size:13px">
{{#if preferencesUrl}}<p><a href="{{preferencesUrl}}" style="color:{{brand.colors.accent}}">{{footer.preferences}}</a>{{#if unsubscribeUrl}} · <a href="{{unsubscribeUrl}}" style="color:{{brand.colors.accent}}">{{footer.unsubscribe}}</a>{{/if}}</p>{{/if}}
{{#if brand.supportEmail}}<p>{{footer.support}} <a href="mailto:{{brand.supportEmail}}" style="color:{{brand.colors.accent}}">{{brand.supportEmail}}</a></p>{{/if}}
<p>{{brand.name}}{{#if brand.postalAddress}} · {{brand.postalAddress}}{{/if}}</p>
</div>
</div>`;

const textLayout = `{{{content}}}

--
{{#if preferencesUrl}}{{footer.preferences}}: {{preferencesUrl}}
{{#if unsubscribeUrl}}{{footer.unsubscribe}}: {{unsubscribeUrl}}
{{/if}}{{/if}}{{#if brand.supportEmail}}{{footer.support}} {{brand.supportEmail}}
{{/if}}{{brand.name}}{{#if brand.postalAddress}}, {{brand.postalAddress}}{{/if}}`;

const handlebars = Handlebars.create();
const html = handlebars.compile(htmlLayout, { strict: false });
const text = handlebars.compile(textLayout, { strict: false, noEscape: true });

export const emailHtml = (data: LayoutData): string => html(data);
export const emailText = (data: LayoutData): string => text(data);
