import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  chooseKeepInTouchContent,
  eligibleKeepInTouchContents,
  localizedNews,
  membershipYears,
  type KeepInTouchContent,
  type NewsItem,
} from '../../functions/core/campaigns/keep-in-touch-content.js';
import { defaultConfig, parseConfig, type RetentionConfig } from '../../functions/core/config.js';
import type { Customer } from '../../functions/core/records.js';

const customer = (fields: Partial<Customer> = {}): Customer => ({
  type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid', locale: 'en', tier: 'gold', loyaltyPoints: 1500, marketingOptIn: true, createdAt: '2020-03-10T10:00:00Z', ...fields,
});
const newsItem = (id: string, text: Partial<Record<'en' | 'es' | 'ro', string>> = {}): NewsItem => ({
  id,
  title: { en: `${id} title`, ...text },
  body: { en: `${id} body`, ...text },
});
// Through parseConfig, so every configuration used here is one the product would accept.
const withNews = (...news: NewsItem[]): RetentionConfig => {
  const document = structuredClone(defaultConfig);
  document.campaigns.keepInTouch.content.news = news;
  return parseConfig(document);
};
const monthlyFrom = (first: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => DateTime.fromISO(first, { zone: 'UTC' }).plus({ months: i }).toISODate()!);
/** The contents a customer gets over consecutive keep-in-touch sends, each knowing the one before. */
const sequence = (who: Customer, dates: readonly string[], config: RetentionConfig, first?: string): KeepInTouchContent[] => {
  const contents: KeepInTouchContent[] = [];
  let last = first;
  for (const date of dates) {
    const content = chooseKeepInTouchContent(who, date, last, config);
    contents.push(content);
    last = content;
  }
  return contents;
};

describe('which keep-in-touch contents a customer can get', () => {
  it('always points and tier progress; every configured news item, newest first; all in cycle order', () => {
    const config = withNews(newsItem('spring'), newsItem('winter'));
    expect(eligibleKeepInTouchContents(customer({ tier: 'gold' }), '2027-06-01', config)).toEqual(['news:spring', 'news:winter', 'tierProgress', 'points']);
    expect(eligibleKeepInTouchContents(customer({ tier: 'standard', loyaltyPoints: 0 }), '2027-06-01', defaultConfig)).toEqual(['tierProgress', 'points']);
  });

  it('tier progress for a diamond member too, who has no tier to go to (it tells them where they stand)', () => {
    const diamond = customer({ tier: 'diamond' });
    expect(eligibleKeepInTouchContents(diamond, '2027-06-01', defaultConfig)).toEqual(['tierProgress', 'points']);
    expect(sequence(diamond, monthlyFrom('2027-01-05', 12), withNews(newsItem('spring')))).toContain('tierProgress');
  });

  it('takes a news item the business wrote only in English to customers of every language, in English', () => {
    const item = newsItem('spring');
    for (const locale of ['es', 'ro', 'fr']) {
      expect(eligibleKeepInTouchContents(customer({ locale }), '2027-06-01', withNews(item))).toContain('news:spring');
      expect(localizedNews(item, locale)).toEqual({ title: 'spring title', body: 'spring body' });
    }
  });

  it('writes news in the customer’s language only when both its title and body are, never half and half', () => {
    const both = newsItem('spring', { es: 'Primavera' });
    expect(localizedNews(both, 'es')).toEqual({ title: 'Primavera', body: 'Primavera' });
    const titleOnly: NewsItem = { id: 'spring', title: { en: 'Spring', es: 'Primavera' }, body: { en: 'Open till 8.' } };
    expect(localizedNews(titleOnly, 'es')).toEqual({ title: 'Spring', body: 'Open till 8.' });
  });
});

describe('the membership anniversary', () => {
  // Joined 10 March 2020 in Madrid.
  it.each([
    ['2027-02-22', undefined],
    ['2027-02-23', 7],
    ['2027-03-10', 7],
    ['2027-03-25', 7],
    ['2027-03-26', undefined],
    ['2027-09-10', undefined],
  ])('sent on %s: %s years, only within 15 days either side of 10 March', (sendDate, years) => {
    expect(membershipYears(customer(), sendDate)).toBe(years);
    expect(eligibleKeepInTouchContents(customer(), sendDate, defaultConfig).includes('anniversary')).toBe(years !== undefined);
  });

  it.each([
    ['2027-02-24', undefined],
    ['2027-03-09', undefined],
    ['2027-03-10', 1],
    ['2027-03-25', 1],
    ['2027-03-26', undefined],
  ])('is not celebrated before a full year: joined 10 March 2026, sent on %s → %s', (sendDate, years) => {
    expect(membershipYears(customer({ createdAt: '2026-03-10T10:00:00Z' }), sendDate)).toBe(years);
  });

  it('is the anniversary of the day the customer joined in their own zone', () => {
    // 23:30 UTC on 9 March is already 10 March in Madrid.
    const late = '2020-03-09T23:30:00Z';
    expect(membershipYears(customer({ createdAt: late, timeZone: 'Europe/Madrid' }), '2027-03-25')).toBe(7);
    expect(membershipYears(customer({ createdAt: late, timeZone: 'UTC' }), '2027-03-25')).toBeUndefined();
  });

  it('of a 29 February joiner falls on 28 February in common years', () => {
    const leap = customer({ createdAt: '2020-02-29T12:00:00Z', timeZone: 'UTC' });
    expect(membershipYears(leap, '2027-03-15')).toBe(7);
    expect(membershipYears(leap, '2027-03-16')).toBeUndefined();
    expect(membershipYears(leap, '2028-03-15')).toBe(8);
  });

  it('is left out when the customer has no usable createdAt', () => {
    expect(membershipYears({ timeZone: 'UTC' } as Customer, '2027-03-10')).toBeUndefined();
    expect(membershipYears(customer({ createdAt: 'not a date' }), '2027-03-10')).toBeUndefined();
  });
});

describe('choosing the content of a keep-in-touch', () => {
  it('starts the cycle from the beginning and takes turns', () => {
    expect(sequence(customer(), monthlyFrom('2027-06-01', 5), defaultConfig)).toEqual(['tierProgress', 'points', 'tierProgress', 'points', 'tierProgress']);
    expect(sequence(customer(), monthlyFrom('2027-06-01', 5), withNews(newsItem('spring'), newsItem('winter')))).toEqual(['news:spring', 'news:winter', 'tierProgress', 'points', 'news:spring']);
  });

  it('puts the anniversary first when it is due, and not twice in a row', () => {
    const config = withNews(newsItem('spring'));
    expect(chooseKeepInTouchContent(customer(), '2027-03-01', 'points', config)).toBe('anniversary');
    expect(chooseKeepInTouchContent(customer(), '2027-03-01', undefined, config)).toBe('anniversary');
    expect(chooseKeepInTouchContent(customer(), '2027-03-20', 'anniversary', config)).toBe('news:spring');
  });

  it('goes on from the start of the cycle when the last content is one it no longer has (a removed news item)', () => {
    expect(chooseKeepInTouchContent(customer(), '2027-06-01', 'news:gone', withNews(newsItem('spring')))).toBe('news:spring');
    expect(chooseKeepInTouchContent(customer(), '2027-06-01', 'news:gone', defaultConfig)).toBe('tierProgress');
  });

  it('does not repeat points for a diamond member without news or anniversary: tier progress (their standing) comes next', () => {
    expect(chooseKeepInTouchContent(customer({ tier: 'diamond' }), '2027-06-01', 'points', defaultConfig)).toBe('tierProgress');
    expect(chooseKeepInTouchContent(customer({ tier: 'diamond' }), '2027-06-01', 'tierProgress', defaultConfig)).toBe('points');
    expect(chooseKeepInTouchContent(customer({ tier: 'diamond' }), '2027-06-01', 'points', withNews(newsItem('spring')))).toBe('news:spring');
  });

  it('alternates over 12 monthly sends for a diamond member with no news and no anniversary, never the same twice in a row', () => {
    // Joined after the first send: no anniversary within the year. The defaults have no news.
    const diamond = customer({ tier: 'diamond', createdAt: '2027-01-20T09:00:00Z' });
    const dates = monthlyFrom('2027-01-28', 12);
    for (const date of dates) expect(eligibleKeepInTouchContents(diamond, date, defaultConfig)).toEqual(['tierProgress', 'points']);
    for (const first of [undefined, 'points', 'tierProgress']) {
      const contents = sequence(diamond, dates, defaultConfig, first);
      expect(contents).toHaveLength(12);
      expect(contents[0]).not.toBe(first);
      contents.slice(1).forEach((content, i) => expect(content).not.toBe(contents[i]));
    }
    expect(sequence(diamond, dates, defaultConfig, 'points')).toEqual(Array.from({ length: 6 }, () => ['tierProgress', 'points'] as const).flat());
  });

  it.each([
    ['a standard member with no points, joined this year', customer({ tier: 'standard', loyaltyPoints: 0, createdAt: '2027-01-20T09:00:00Z' }), defaultConfig],
    ['a gold member around their anniversary', customer(), withNews(newsItem('spring'))],
    ['a diamond member with two news items', customer({ tier: 'diamond', locale: 'ro' }), withNews(newsItem('spring', { ro: 'Primăvara' }), newsItem('winter'))],
    ['a silver member with three news items', customer({ tier: 'silver', locale: 'es' }), withNews(newsItem('a'), newsItem('b'), newsItem('c'))],
  ])('never sends the same twice in a row over 12 monthly sends: %s', (_, who, config) => {
    const contents = sequence(who, monthlyFrom('2027-01-28', 12), config);
    contents.slice(1).forEach((content, i) => expect(content).not.toBe(contents[i]));
    // Every content the customer can get comes round within the year.
    for (const eligible of eligibleKeepInTouchContents(who, '2027-06-01', config)) expect(contents).toContain(eligible);
  });

  it('differs from the last content whenever another is eligible, for any customer, configuration and sends (property)', { timeout: 60_000 }, () => {
    const zones = ['UTC', 'Europe/Madrid', 'America/St_Johns', 'Pacific/Kiritimati', 'Etc/GMT+12'];
    const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 4 });
    const start = Date.parse('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.record({
          tier: fc.constantFrom('standard', 'silver', 'gold', 'diamond' as const),
          loyaltyPoints: fc.nat({ max: 50_000 }),
          locale: fc.constantFrom('en', 'es', 'ro', 'fr'),
          timeZone: fc.constantFrom(...zones),
          createdAt: fc.integer({ min: start - 8 * 365 * 86_400_000, max: start + 365 * 86_400_000 }).map((ms) => new Date(ms).toISOString()),
        }),
        ids,
        fc.integer({ min: 0, max: 4 * 365 }),
        fc.array(fc.integer({ min: 7, max: 45 }), { minLength: 12, maxLength: 12 }),
        fc.option(fc.constantFrom('points', 'tierProgress', 'anniversary', 'news:gone'), { nil: undefined }),
        (fields, newsIds, startOffset, gaps, first) => {
          const who = customer(fields);
          const config = withNews(...newsIds.map((id) => newsItem(id)));
          let date = DateTime.fromMillis(start, { zone: 'UTC' }).plus({ days: startOffset });
          let last: string | undefined = first;
          for (const gap of gaps) {
            const sendDate = date.toISODate()!;
            const eligible = eligibleKeepInTouchContents(who, sendDate, config);
            const content = chooseKeepInTouchContent(who, sendDate, last, config);
            expect(eligible).toContain(content);
            // Points and tier progress are open to every tier, so there is always another to send.
            expect(eligible).toEqual(expect.arrayContaining(['tierProgress', 'points']));
            expect(content).not.toBe(last);
            expect(chooseKeepInTouchContent(who, sendDate, last, config)).toBe(content); // deterministic
            last = content;
            date = date.plus({ days: gap });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
