import type { Locale, tiers } from '../records.js';

type Tier = (typeof tiers)[number];

/**
 * The product's own words in every e-mail, in each language it writes: tier names, the footer, and
 * units with their plural forms. A business's templates use them through variables (`tierName`,
 * `balance`); the business's own words (plan names, rewards, news) stay as the business wrote them.
 */

export const tierNames: Readonly<Record<Locale, Readonly<Record<Tier, string>>>> = {
  en: { standard: 'Standard', silver: 'Silver', gold: 'Gold', diamond: 'Diamond' },
  es: { standard: 'Estándar', silver: 'Plata', gold: 'Oro', diamond: 'Diamante' },
  ro: { standard: 'Standard', silver: 'Argint', gold: 'Aur', diamond: 'Diamant' },
};

/** The foot of every e-mail: who sends it, where to write, and where the customer chooses what they get. */
export const footers: Readonly<Record<Locale, { readonly preferences: string; readonly unsubscribe: string; readonly support: string }>> = {
  en: { preferences: 'Choose what we send you', unsubscribe: 'Unsubscribe from marketing e-mails', support: 'Questions? Write to' },
  es: { preferences: 'Elige qué te enviamos', unsubscribe: 'Darte de baja de los correos comerciales', support: '¿Dudas? Escríbenos a' },
  ro: { preferences: 'Alege ce îți trimitem', unsubscribe: 'Dezabonează-te de la e-mailurile de marketing', support: 'Întrebări? Scrie-ne la' },
};

/** A word by Intl.PluralRules category; `other` when the category has no form of its own. */
export type PluralWords = { readonly other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

export const units: Readonly<Record<Locale, { readonly point: PluralWords; readonly year: PluralWords }>> = {
  en: { point: { one: 'point', other: 'points' }, year: { one: 'year', other: 'years' } },
  es: { point: { one: 'punto', other: 'puntos' }, year: { one: 'año', other: 'años' } },
  // 1 punct, 2–19 puncte, 20 de puncte.
  ro: { point: { one: 'punct', few: 'puncte', other: 'de puncte' }, year: { one: 'an', few: 'ani', other: 'de ani' } },
};
