import { dateLocaleOf, localDateOf, longDate, type LocalDate } from '../calendar.js';
import {
  bestAffordableReward,
  localizedNews,
  localizedText,
  membershipYears,
  nextReward,
  nextTierOf,
  type KeepInTouchContent,
  type KeepInTouchSettings,
} from '../campaigns/keep-in-touch-content.js';
import type { Customer } from '../records.js';
import type { KeepInTouchVariant } from './keep-in-touch.js';
import type { Locale } from '../records.js';
import { units as unitWords, type PluralWords } from './vocabulary.js';

/** What the dispatcher tells the renderer about a keep-in-touch e-mail: the chosen content, the settings and the customer's local date of sending. */
export interface KeepInTouchRenderContext {
  readonly content: KeepInTouchContent;
  readonly config: KeepInTouchSettings;
  readonly sendDate: LocalDate;
}

const newsItemOf = (content: KeepInTouchContent, settings: KeepInTouchSettings) =>
  content.startsWith('news:') ? settings.news.find((item) => item.id === content.slice('news:'.length)) : undefined;

/**
 * The template for a keep-in-touch e-mail: its content's (tier progress on the top tier is the tier
 * standing e-mail), or the points e-mail when there is no content (callers that predate contents) or
 * it no longer applies (a news item removed since).
 */
export const keepInTouchVariantOf = (customer: Pick<Customer, 'tier' | 'createdAt' | 'timeZone'>, keepInTouch: KeepInTouchRenderContext | undefined): KeepInTouchVariant => {
  if (!keepInTouch) return 'points';
  const { content, config, sendDate } = keepInTouch;
  if (content === 'tierProgress') return nextTierOf(customer.tier) ? 'tierProgress' : 'tierStanding';
  if (content === 'anniversary') return membershipYears(customer, sendDate) !== undefined ? 'anniversary' : 'points';
  if (newsItemOf(content, config)) return 'news';
  return 'points';
};

/** A number with its unit in the locale's plural form: "1 point", "1.500 de puncte". */
export const quantity = (count: number, words: PluralWords, locale: string): string =>
  `${count.toLocaleString(locale)} ${words[new Intl.PluralRules(locale).select(count)] ?? words.other}`;

/** The values a keep-in-touch template shows, in `locale` (one the templates have). */
export const keepInTouchData = (
  variant: KeepInTouchVariant,
  customer: Pick<Customer, 'tier' | 'loyaltyPoints' | 'createdAt' | 'timeZone' | 'locale'>,
  keepInTouch: KeepInTouchRenderContext | undefined,
  locale: Locale,
  tierNames: Readonly<Record<Customer['tier'], string>>,
): Record<string, unknown> => {
  const units = unitWords[locale];
  const points = (count: number) => quantity(count, units.point, locale);
  const balance = customer.loyaltyPoints;
  const data: Record<string, unknown> = {};
  const settings = keepInTouch?.config;
  if (!settings) return data;
  if (variant === 'points') {
    const reward = bestAffordableReward(balance, settings.rewards);
    const next = nextReward(balance, settings.rewards);
    data.reward = reward && localizedText(reward.name, locale);
    data.nextReward = next && localizedText(next.name, locale);
    data.toNextReward = next && points(next.points - balance);
  }
  const nextTier = nextTierOf(customer.tier);
  if (variant === 'tierProgress' && nextTier) {
    const needed = settings.tierPoints[nextTier];
    data.nextTierName = tierNames[nextTier];
    data.nextTierPoints = points(needed);
    // Undefined once the balance reaches it: the tier itself is the business's to give.
    data.toNextTier = needed > balance ? points(needed - balance) : undefined;
  }
  if (variant === 'tierStanding') {
    // The top tier (nextTierOf is undefined only for diamond). Below its points the business gave the
    // tier regardless: then no numbers at all, so aboveTier stays undefined.
    const needed = settings.tierPoints.diamond;
    data.tierPoints = points(needed);
    data.aboveTier = balance > needed ? points(balance - needed) : undefined;
  }
  const years = variant === 'anniversary' ? membershipYears(customer, keepInTouch.sendDate) : undefined;
  if (years !== undefined) {
    data.years = quantity(years, units.year, locale);
    data.memberSince = longDate(localDateOf(new Date(customer.createdAt), customer.timeZone), dateLocaleOf(customer.locale, locale));
  }
  const item = variant === 'news' ? newsItemOf(keepInTouch.content, settings) : undefined;
  if (item) {
    const text = localizedNews(item, locale);
    const body = text.body.replace(/\r\n?/g, '\n').trim();
    data.newsTitle = text.title.replace(/\s+/g, ' ');
    data.newsBody = body;
    data.newsParagraphs = body.split(/\n\s*\n/).map((paragraph) => paragraph.split('\n').map((line) => line.trim()).filter(Boolean));
  }
  return data;
};
