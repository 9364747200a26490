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

/** WCAG 2 relative luminance of a #RRGGBB colour. */
const luminance = (color: string): number => {
  const channel = (at: number) => {
    const value = Number.parseInt(color.slice(at, at + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
};
const contrast = (a: string, b: string): number => {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
};
/** WCAG AA for body text. */
const READABLE_CONTRAST = 4.5;
const DARK_TEXT = '#222222';
const LIGHT_TEXT = '#ffffff';

/**
 * A text colour that reads on `background` (#RRGGBB): `preferred` when it contrasts enough, else
 * dark or white, whichever contrasts more. The brand's colours can be anything: a dark background
 * must not hide the footer's postal address, nor a light accent the header's name.
 */
export const readableOn = (background: string, preferred?: string): string => {
  if (preferred !== undefined && contrast(preferred, background) >= READABLE_CONTRAST) return preferred;
  return contrast(DARK_TEXT, background) >= contrast(LIGHT_TEXT, background) ? DARK_TEXT : LIGHT_TEXT;
};

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

/** The layout's text on the brand's colours: white on the accent, grey in the footer, links in the accent, where each reads. */
const textColorsOf = ({ accent, background }: Brand['colors']) => ({
  header: readableOn(accent, '#ffffff'),
  footer: readableOn(background, '#444444'),
  footerLinks: readableOn(background, accent),
});

export const emailHtml = (data: LayoutData): string => html({ ...data, textColors: textColorsOf(data.brand.colors) });
export const emailText = (data: LayoutData): string => text(data);
