import { describe, expect, it } from 'vitest';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { ConfigError, parseConfig } from '../../functions/core/config.js';

const withCadence = (cadence: Record<string, unknown>) => ({ ...defaults, cadence: { ...defaults.cadence, ...cadence } });
const keepInTouch = defaults.campaigns.keepInTouch;
const withContent = (content: Record<string, unknown>) => ({
  ...defaults,
  campaigns: { ...defaults.campaigns, keepInTouch: { ...keepInTouch, content: { ...keepInTouch.content, ...content } } },
});
const newsItem = (id: string, fields: Record<string, unknown> = {}) => ({ id, title: { en: 'Title' }, body: { en: 'Body' }, ...fields });
const [coffee, visit] = keepInTouch.content.rewards;

describe('configuration', () => {
  it('accepts the shipped defaults', () => {
    expect(parseConfig(defaults).cadence).toEqual({ minDaysBetween: 7, maxDaysBetween: 30, quietHours: { start: '20:00', end: '09:00' } });
  });

  it.each([
    [withCadence({ minDaysBetween: 31 }), 'cadence.minDaysBetween: the cap (31 days) is longer than the floor (30 days)'],
    [{ ...defaults, planner: { lookAheadDays: 10 } }, 'planner.lookAheadDays: the planner must look at least maxDaysBetween (30) days ahead'],
    [withCadence({ quietHours: { start: '09:00', end: '09:00' } }), 'cadence.quietHours: quiet hours start and end at the same time'],
    [withCadence({ minDaysBetween: 'seven' }), 'cadence.minDaysBetween'],
    [{ ...defaults, campaigns: { ...defaults.campaigns, birthday: { ...defaults.campaigns.birthday, leapDayPolicy: 'feb30' } } }, 'campaigns.birthday.leapDayPolicy'],
    [{ ...defaults, surprise: true }, 'surprise'],
    [withContent({ tierPoints: { silver: 1000, gold: 1000, diamond: 15000 } }), 'campaigns.keepInTouch.content.tierPoints: each tier must need more points than the one below it, not silver 1000, gold 1000, diamond 15000'],
    [withContent({ tierPoints: { silver: 1000, gold: 20000, diamond: 15000 } }), 'campaigns.keepInTouch.content.tierPoints: each tier must need more points than the one below it'],
    [withContent({ tierPoints: { silver: 1000, gold: 5000 } }), 'campaigns.keepInTouch.content.tierPoints.diamond'],
    [withContent({ rewards: [visit, coffee] }), 'campaigns.keepInTouch.content.rewards.1.points: rewards must be listed cheapest first, each costing more than the one before (500 after 2000)'],
    [withContent({ rewards: [coffee, { ...visit, points: 500 }] }), 'campaigns.keepInTouch.content.rewards.1.points: rewards must be listed cheapest first'],
    [withContent({ rewards: [{ ...coffee, points: 0 }] }), 'campaigns.keepInTouch.content.rewards.0.points'],
    [withContent({ rewards: [{ points: 500, name: { es: 'un café' } }] }), 'campaigns.keepInTouch.content.rewards.0.name.en'],
    [withContent({ rewards: [{ points: 500, name: { en: 'a coffee', fr: 'un café' } }] }), 'campaigns.keepInTouch.content.rewards.0.name'],
    [withContent({ news: [newsItem('spring#2027')] }), "campaigns.keepInTouch.content.news.0.id: must not contain '#'"],
    [withContent({ news: [newsItem('spring'), newsItem('spring')] }), "campaigns.keepInTouch.content.news.1.id: news id 'spring' is used twice"],
    [withContent({ news: [newsItem('spring', { body: { en: '   ' } })] }), 'campaigns.keepInTouch.content.news.0.body.en: must not be empty'],
    [withContent({ news: [newsItem('spring', { discount: '10%' })] }), 'campaigns.keepInTouch.content.news.0'],
  ])('refuses an impossible or malformed configuration with the reason (%#)', (document, reason) => {
    expect(() => parseConfig(document)).toThrow(ConfigError);
    expect(() => parseConfig(document)).toThrow(reason);
  });

  it('takes business-written keep-in-touch content, and gives a configuration stored before content existed the shipped one', () => {
    const news = [newsItem('spring-hours', { title: { en: 'Spring hours', es: 'Horario de primavera' }, body: { en: 'Open till 8.', es: 'Abierto hasta las 8.' } })];
    expect(parseConfig(withContent({ news })).campaigns.keepInTouch.content.news).toEqual(news);
    const { content: _shipped, ...withoutContent } = keepInTouch;
    const older = { ...defaults, campaigns: { ...defaults.campaigns, keepInTouch: withoutContent } };
    expect(parseConfig(older).campaigns.keepInTouch.content).toEqual(parseConfig(defaults).campaigns.keepInTouch.content);
  });
});
