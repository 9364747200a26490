import { birthdayInYear, localDateOf, type LocalDate } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import type { Customer } from '../records.js';

/**
 * What a keep-in-touch e-mail carries (SPEC.md "Keep-in-touch content"): something of value that
 * varies, never the same twice in a row. Pure: the send date is passed in.
 */

export type KeepInTouchContent = 'points' | 'tierProgress' | 'anniversary' | `news:${string}`;
export type KeepInTouchSettings = RetentionConfig['campaigns']['keepInTouch']['content'];
/** Text the business wrote, per locale; English always present. */
export type BusinessText = KeepInTouchSettings['news'][number]['title'];
export type Reward = KeepInTouchSettings['rewards'][number];
export type NewsItem = KeepInTouchSettings['news'][number];
type Tier = Customer['tier'];

/** How far from the anniversary of `createdAt` a keep-in-touch may still celebrate it. */
export const ANNIVERSARY_WINDOW_DAYS = 15;

/** The business's text in `locale`, else its English. */
export const localizedText = (text: BusinessText, locale: string): string =>
  (text as Readonly<Record<string, string | undefined>>)[locale] ?? text.en;

/** A news item in `locale` when the business wrote both its title and body in it, else in English: never half and half. */
export const localizedNews = (item: NewsItem, locale: string): { readonly title: string; readonly body: string } => {
  const title = (item.title as Readonly<Record<string, string | undefined>>)[locale];
  const body = (item.body as Readonly<Record<string, string | undefined>>)[locale];
  return title && body ? { title, body } : { title: item.title.en, body: item.body.en };
};

const nextTiers: Readonly<Record<Tier, Exclude<Tier, 'standard'> | undefined>> = { standard: 'silver', silver: 'gold', gold: 'diamond', diamond: undefined };

/** The tier above the customer's, or undefined on the top one. */
export const nextTierOf = (tier: Tier): Exclude<Tier, 'standard'> | undefined => nextTiers[tier];

/** The dearest reward the balance buys now (rewards are cheapest first), if any. */
export const bestAffordableReward = (points: number, rewards: readonly Reward[]): Reward | undefined =>
  rewards.findLast((reward) => reward.points <= points);

/** The cheapest reward the balance does not reach yet, if any. */
export const nextReward = (points: number, rewards: readonly Reward[]): Reward | undefined =>
  rewards.find((reward) => reward.points > points);

/**
 * The years of membership celebrated on `sendDate` (the customer's local date), or undefined when it
 * is not within ANNIVERSARY_WINDOW_DAYS of an anniversary of `createdAt` (in the customer's zone) or
 * the customer has not been with us a full year by then. 29 February joiners celebrate on 28 February
 * in common years.
 */
export const membershipYears = (customer: Pick<Customer, 'createdAt' | 'timeZone'>, sendDate: LocalDate): number | undefined => {
  const createdAt = customer.createdAt as string | undefined; // typed as always present; data written directly may lack it
  if (!createdAt || Number.isNaN(Date.parse(createdAt))) return undefined;
  const joined = localDateOf(new Date(createdAt), customer.timeZone);
  const joinedYear = Number(joined.slice(0, 4));
  // With 'feb28' every year has the day, so these are never null.
  const anniversaryIn = (year: number): LocalDate => birthdayInYear(joined, year, 'feb28')!;
  if (anniversaryIn(joinedYear + 1) > sendDate) return undefined;
  const sendYear = Number(sendDate.slice(0, 4));
  for (const year of [sendYear - 1, sendYear, sendYear + 1]) {
    // Plain UTC arithmetic on dates: this runs for every keep-in-touch, and Luxon is slow at it.
    const days = (Date.parse(sendDate) - Date.parse(anniversaryIn(year))) / 86_400_000;
    if (year > joinedYear && Math.abs(days) <= ANNIVERSARY_WINDOW_DAYS) return year - joinedYear;
  }
  return undefined;
};

/**
 * The fixed order contents take turns in: anniversary, news (newest first), tier progress, points.
 * Tier progress and points are open to every customer, so there is always a content other than the
 * last one (on the top tier, tier progress is where the customer stands: templates/keep-in-touch.ts).
 */
export const keepInTouchCycle = (settings: KeepInTouchSettings): KeepInTouchContent[] => [
  'anniversary',
  ...settings.news.map((item): KeepInTouchContent => `news:${item.id}`),
  'tierProgress',
  'points',
];

const isEligible = (content: KeepInTouchContent, customer: Pick<Customer, 'createdAt' | 'timeZone' | 'locale' | 'tier'>, sendDate: LocalDate, settings: KeepInTouchSettings): boolean => {
  if (content === 'anniversary') return membershipYears(customer, sendDate) !== undefined;
  if (content === 'tierProgress') return true; // on the top tier it tells the customer where they stand
  if (content === 'points') return true; // with 0 points it tells how to earn them
  const item = settings.news.find((news) => `news:${news.id}` === content);
  if (item === undefined) return false;
  const { title, body } = localizedNews(item, customer.locale);
  return title !== '' && body !== '';
};

/** Every content this customer can be sent on `sendDate`, in cycle order. */
export const eligibleKeepInTouchContents = (customer: Pick<Customer, 'createdAt' | 'timeZone' | 'locale' | 'tier'>, sendDate: LocalDate, config: RetentionConfig): KeepInTouchContent[] => {
  const settings = config.campaigns.keepInTouch.content;
  return keepInTouchCycle(settings).filter((content) => isEligible(content, customer, sendDate, settings));
};

/**
 * Which content this keep-in-touch e-mail carries: never the same as `last` (the previous
 * keep-in-touch's content) when any other is eligible. An anniversary goes first (it only lasts a
 * month); otherwise the next eligible content after `last` in the cycle, from the start of the cycle
 * when `last` is unknown (none yet, or a news item since removed).
 */
export const chooseKeepInTouchContent = (
  customer: Pick<Customer, 'createdAt' | 'timeZone' | 'locale' | 'tier'>,
  sendDate: LocalDate,
  last: string | undefined,
  config: RetentionConfig,
): KeepInTouchContent => {
  const cycle = keepInTouchCycle(config.campaigns.keepInTouch.content);
  const eligible = new Set(eligibleKeepInTouchContents(customer, sendDate, config));
  if (eligible.has('anniversary') && last !== 'anniversary') return 'anniversary';
  const from = cycle.indexOf(last as KeepInTouchContent);
  for (let step = 1; step <= cycle.length; step++) {
    const candidate = cycle[(from + step) % cycle.length]!;
    if (candidate !== last && eligible.has(candidate)) return candidate;
  }
  return 'points'; // not reached: points and tier progress are always eligible, so one of them is not `last`
};
