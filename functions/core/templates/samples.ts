import type { Brand, RetentionConfig } from '../config.js';
import { defaultConfig } from '../config.js';
import { locales, tiers, type Customer, type Locale } from '../records.js';
import type { KeepInTouchContent, KeepInTouchSettings } from '../campaigns/keep-in-touch-content.js';
import type { RenderContext } from './index.js';
import { templateKeys, type TemplateKey } from './types.js';

/**
 * Sample customers for every template, tier and language: what `templates push` renders before it
 * accepts a version, what `templates preview` shows without a customer, and what the screenshots are
 * of. Values are made up and plausible; links point nowhere real.
 */

export interface SampleCase {
  readonly key: TemplateKey;
  readonly locale: Locale;
  readonly customer: Customer;
  readonly context: RenderContext;
  /** `gold, named` and such: which sample it is, for a message about it. */
  readonly label: string;
}

const SAMPLE_LINKS = 'https://links.example.com';
const sampleNames: Readonly<Record<Locale, string>> = { en: 'Alexandra Whitfield', es: 'María José Fernández', ro: 'Ioana Constantinescu' };
/** A complaint's subject is the customer's own words, so in their language. */
const sampleComplaintSubjects: Readonly<Record<Locale, string>> = { en: 'Late delivery', es: 'Entrega con retraso', ro: 'Livrare întârziată' };
const samplePoints: Readonly<Record<Customer['tier'], number>> = { standard: 320, silver: 1_250, gold: 6_400, diamond: 18_500 };

/** A news item to show when the configuration has none. */
const sampleNews: KeepInTouchSettings['news'][number] = {
  id: 'sample',
  title: { en: 'Longer opening hours', es: 'Más horas de apertura', ro: 'Program prelungit' },
  body: {
    en: 'From next month we open at 8 every day.\nSaturdays too.\n\nSee you soon.',
    es: 'Desde el mes que viene abrimos a las 8 todos los días.\nTambién los sábados.\n\nHasta pronto.',
    ro: 'De luna viitoare deschidem la 8 în fiecare zi.\nȘi sâmbăta.\n\nPe curând.',
  },
};

/** The keep-in-touch content that makes each keep-in-touch template the one rendered. */
const keepInTouchContentOf: Partial<Record<TemplateKey, KeepInTouchContent>> = {
  keepInTouchPoints: 'points',
  keepInTouchTierProgress: 'tierProgress',
  keepInTouchTierStanding: 'tierProgress',
  keepInTouchAnniversary: 'anniversary',
};

/** Who each template can be for: tier standing is only the top tier's, tier progress never. */
const tiersOf = (key: TemplateKey): readonly Customer['tier'][] =>
  key === 'keepInTouchTierStanding' ? ['diamond'] : key === 'keepInTouchTierProgress' ? tiers.filter((tier) => tier !== 'diamond') : tiers;

const SEND_DATE = '2027-03-10';

export const sampleCustomer = (locale: Locale, tier: Customer['tier'], named: boolean): Customer => ({
  type: 'customer',
  customerId: 'sample',
  email: 'sample@example.com',
  timeZone: 'Europe/Madrid',
  locale,
  tier,
  loyaltyPoints: samplePoints[tier],
  marketingOptIn: true,
  // Six years on the sample's send date: the anniversary e-mail applies.
  createdAt: '2021-03-03T10:00:00Z',
  ...(named ? { name: sampleNames[locale] } : {}),
});

/** What a message about `key` carries, for the sample customer; marketing links on every one. */
export const sampleContext = (key: TemplateKey, brand: Brand, config: RetentionConfig = defaultConfig, locale: Locale = 'en'): RenderContext => {
  const settings = config.campaigns.keepInTouch.content;
  const news = settings.news[0] ?? sampleNews;
  const content = key === 'keepInTouchNews' ? (`news:${news.id}` as KeepInTouchContent) : keepInTouchContentOf[key];
  return {
    brand,
    preferencesUrl: `${SAMPLE_LINKS}/preferences?t=sample`,
    unsubscribeUrl: `${SAMPLE_LINKS}/unsubscribe?t=sample`,
    contract: { plan: 'Family plan', endsOn: '2027-04-30' },
    complaint: { subject: sampleComplaintSubjects[locale], openedAt: '2027-03-01T09:30:00Z' },
    surveyAnswer: { score: 3 },
    surveyLinks: Array.from({ length: 11 }, (_, score) => ({ score, url: `${SAMPLE_LINKS}/survey?t=sample-${score}` })),
    ...(content ? { keepInTouch: { content, config: { ...settings, news: settings.news.length ? settings.news : [news] }, sendDate: SEND_DATE } } : {}),
  };
};

/** Every template × language × tier, with and without a name on record. */
export const sampleCases = (brand: Brand, config: RetentionConfig = defaultConfig, keys: readonly TemplateKey[] = templateKeys): SampleCase[] =>
  keys.flatMap((key) =>
    locales.flatMap((locale) =>
      tiersOf(key).flatMap((tier) =>
        [true, false].map((named) => ({ key, locale, customer: sampleCustomer(locale, tier, named), context: sampleContext(key, brand, config, locale), label: `${tier}, ${named ? 'named' : 'no name'}` })),
      ),
    ),
  );
