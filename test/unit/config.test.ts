import { describe, expect, it } from 'vitest';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { brandLeftAsShipped, ConfigError, feedbackLeadDays, MIN_CLAIM_LEASE_MINUTES, MIN_MESSAGES_DAYS, parseConfig, parseStoredConfig, unknownSettingsOf, withSettingsOf } from '../../functions/core/config.js';
import { functionTimeoutSeconds } from '../../functions/core/function-timeouts.js';

const withCadence = (cadence: Record<string, unknown>) => ({ ...defaults, cadence: { ...defaults.cadence, ...cadence } });
const keepInTouch = defaults.campaigns.keepInTouch;
const withContent = (content: Record<string, unknown>) => ({
  ...defaults,
  campaigns: { ...defaults.campaigns, keepInTouch: { ...keepInTouch, content: { ...keepInTouch.content, ...content } } },
});
const newsItem = (id: string, fields: Record<string, unknown> = {}) => ({ id, title: { en: 'Title' }, body: { en: 'Body' }, ...fields });
const [coffee, visit] = keepInTouch.content.rewards;

describe('configuration', () => {
  it('accepts a birthday sendAt in the morning\'s quiet hours: the greeting waits for their end, on the day', () => {
    expect(parseConfig({ ...defaults, campaigns: { ...defaults.campaigns, birthday: { ...defaults.campaigns.birthday, sendAt: '07:00' } } }).campaigns.birthday.sendAt).toBe('07:00');
  });

  it('accepts a renewal sendAt in the evening\'s quiet hours when no reminder is 1 day before: it waits for the morning, before the contract ends', () => {
    const renewal = { ...defaults.campaigns.renewal, sendAt: '21:00', offsetsDays: [30, 2] };
    expect(parseConfig({ ...defaults, campaigns: { ...defaults.campaigns, renewal } }).campaigns.renewal.sendAt).toBe('21:00');
  });

  it('names the value of each refused setting beside its path and reason (a long one cut short), not when it is missing', () => {
    const refusal = (patch: object) => {
      try {
        parseConfig({ ...defaults, ...patch });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({ cadence: { ...defaults.cadence, minDaysBetween: -1 } })).toMatch(/^invalid configuration: cadence\.minDaysBetween: .*, got -1$/);
    expect(refusal({ measurement: { ...defaults.measurement, salt: 2027 } })).toMatch(/measurement\.salt: .*expected string.*, got 2027$/);
    expect(refusal({ cadence: { ...defaults.cadence, quietHours: { start: '25:00', end: '09:00' } } })).toMatch(/cadence\.quietHours\.start: .*, got "25:00"$/);
    expect(refusal({ campaigns: { ...defaults.campaigns, birthday: 'x'.repeat(100) } })).toMatch(new RegExp(`campaigns\\.birthday: .*, got "${'x'.repeat(56)}\\.\\.\\.$`));
    const { dispatcher: _, ...withoutDispatcher } = defaults;
    expect(refusal({ ...withoutDispatcher, dispatcher: undefined })).not.toContain('got');
  });

  it('accepts the shipped defaults', () => {
    expect(parseConfig(defaults).cadence).toEqual({ minDaysBetween: 7, maxDaysBetween: 30, quietHours: { start: '20:00', end: '09:00' } });
  });

  it.each([
    [withCadence({ minDaysBetween: 31 }), 'cadence.minDaysBetween: the cap (31 days) is longer than the floor (30 days)'],
    [{ ...defaults, planner: { lookAheadDays: 10 } }, 'planner.lookAheadDays: the planner must look at least maxDaysBetween (30) days ahead'],
    [withCadence({ quietHours: { start: '09:00', end: '09:00' } }), 'cadence.quietHours: quiet hours start and end at the same time'],
    [{ ...defaults, campaigns: { ...defaults.campaigns, birthday: { ...defaults.campaigns.birthday, sendAt: '21:00' } } }, 'campaigns.birthday.sendAt: 21:00 falls in quiet hours (20:00–09:00) that last until the birthday is over: no greeting could go on its day'],
    [{ ...defaults, campaigns: { ...defaults.campaigns, renewal: { ...defaults.campaigns.renewal, sendAt: '21:00', offsetsDays: [30, 1] } } }, 'campaigns.renewal.sendAt: 21:00 falls in quiet hours (20:00–09:00) that last until the contract\'s last day is over: a reminder 1 day before (offsetsDays) could never go'],
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
    [{ ...defaults, email: { preferenceLinkValidDays: 29 } }, 'email.preferenceLinkValidDays: unsubscribe and preference links must work at least 30 days after the e-mail was sent, not 29'],
    [{ ...defaults, dispatcher: { ...defaults.dispatcher, claimLeaseMinutes: 5 } }, "dispatcher.claimLeaseMinutes: a claim must outlive the dispatcher run that holds it: at least 6 minutes (the dispatcher's 5-minute timeout and a minute's margin), not 5"],
    [{ ...defaults, consent: { defaultMarketingOptIn: 'no' } }, 'consent.defaultMarketingOptIn'],
    [{ ...defaults, consent: { defaultMarketingOptIn: false, assumeYes: true } }, 'consent'],
    [{ ...defaults, retention: { messagesDays: 369 } }, "retention.messagesDays: must be at least 370 days: a birthday greeting's id names only its year"],
    [{ ...defaults, retention: { messagesDays: 400.5 } }, 'retention.messagesDays'],
    [{ ...defaults, retention: { messagesDays: 400, keepForever: true } }, 'retention'],
    [
      { ...defaults, campaigns: { ...defaults.campaigns, complaintFollowUp: { ...defaults.campaigns.complaintFollowUp, repeatEveryDays: 200 } } },
      "retention.messagesDays: an ended complaint follow-up or survey may be planned again up to 405 days after its record's time (campaigns.complaintFollowUp and campaigns.survey), so it must be kept at least that long, not 400 days",
    ],
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

  it('ships consent off: a customer imported without marketingOptIn gets no marketing; a stored configuration from before the setting reads it as off', () => {
    expect(parseConfig(defaults).consent).toEqual({ defaultMarketingOptIn: false });
    expect(parseConfig({ ...defaults, consent: { defaultMarketingOptIn: true } }).consent.defaultMarketingOptIn).toBe(true);
    const { consent: _shipped, ...older } = defaults;
    expect(parseConfig(older).consent).toEqual({ defaultMarketingOptIn: false });
  });

  it("ships the SES account's own send rate (maxSendRate null), takes an override above 0, refuses others with the reason; a stored sending without it reads null", () => {
    expect(parseConfig(defaults).sending).toEqual({ marketingPaused: false, maxSendRate: null });
    expect(parseConfig({ ...defaults, sending: { marketingPaused: false, maxSendRate: 14 } }).sending.maxSendRate).toBe(14);
    expect(parseConfig({ ...defaults, sending: { marketingPaused: false, maxSendRate: 0.5 } }).sending.maxSendRate).toBe(0.5);
    expect(parseConfig({ ...defaults, sending: { marketingPaused: true } }).sending).toEqual({ marketingPaused: true, maxSendRate: null });
    const refused = (maxSendRate: unknown) => () => parseConfig({ ...defaults, sending: { marketingPaused: false, maxSendRate } });
    expect(refused(0)).toThrow("sending.maxSendRate: must be more than 0 sends a second (null: the SES account's own rate)");
    expect(refused(-3)).toThrow('sending.maxSendRate: must be more than 0 sends a second');
    expect(refused('14')).toThrow("sending.maxSendRate: must be a number of sends a second, or null for the SES account's own rate");
    expect(refused(14_000)).toThrow('sending.maxSendRate: must be at most 10000 sends a second');
  });

  it('takes a preference link of 30 days and a claim lease one minute longer than the dispatcher may run; the shipped ones pass', () => {
    expect(functionTimeoutSeconds.dispatcher).toBe(5 * 60);
    expect(MIN_CLAIM_LEASE_MINUTES).toBe(6);
    expect(parseConfig({ ...defaults, email: { preferenceLinkValidDays: 30 } }).email.preferenceLinkValidDays).toBe(30);
    expect(parseConfig({ ...defaults, dispatcher: { ...defaults.dispatcher, claimLeaseMinutes: 6 } }).dispatcher.claimLeaseMinutes).toBe(6);
    expect(parseConfig(defaults)).toMatchObject({ email: { preferenceLinkValidDays: 90 }, dispatcher: { claimLeaseMinutes: 10 } });
  });
});

describe('the brand', () => {
  const withBrand = (brand: Record<string, unknown>) => parseConfig({ ...defaults, brand: { ...defaults.brand, ...brand } });

  it('names what of it is still as shipped: the names, and an empty postal address only while a marketing campaign is on', () => {
    expect(brandLeftAsShipped(parseConfig(defaults))).toEqual([
      'brand.name is still the shipped "Retention": e-mails and link pages are signed with it',
      'brand.senderName is still the shipped "Retention": it is the name the e-mails come from',
      "brand.postalAddress is empty: marketing e-mails (birthday, survey, keepInTouch) go without the postal address anti-spam law requires (CAN-SPAM, the EU's e-privacy rules)",
    ]);
    expect(brandLeftAsShipped(withBrand({ name: 'Larkspur Coffee', senderName: 'Larkspur', postalAddress: '12 Mill Lane, Bristol' }))).toEqual([]);
    const serviceOnly = parseConfig({
      ...defaults,
      brand: { ...defaults.brand, name: 'Larkspur Coffee', senderName: 'Larkspur' },
      campaigns: Object.fromEntries(Object.entries(defaults.campaigns).map(([name, campaign]) => [name, campaign.class === 'marketing' ? { ...campaign, enabled: false } : campaign])),
    });
    expect(brandLeftAsShipped(serviceOnly)).toEqual([]);
    const oneMarketing = parseConfig({ ...defaults, brand: { ...defaults.brand, name: 'Larkspur Coffee', senderName: 'Larkspur' }, campaigns: { ...serviceOnly.campaigns, survey: { ...serviceOnly.campaigns.survey, enabled: true } } });
    expect(brandLeftAsShipped(oneMarketing)).toEqual([expect.stringContaining('marketing e-mails (survey) go without')]);
  });

  it('takes a business\'s name, sender name, https logo, colours, postal and support address', () => {
    const config = withBrand({ name: 'Larkspur Coffee', senderName: 'Cafetería Ñu', logoUrl: 'https://cdn.larkspur.example/logo.png', colors: { accent: '#6b3fa0', background: '#F6F1FB' }, postalAddress: '12 Mill Lane, Bristol', supportEmail: 'help@larkspur.example' });
    expect(config.brand.logoUrl).toBe('https://cdn.larkspur.example/logo.png');
  });

  it.each([
    [{ logoUrl: 'http://cdn.example/logo.png' }, 'brand.logoUrl: must be an https URL'],
    [{ logoUrl: 'javascript:alert(1)' }, 'brand.logoUrl: must be an https URL'],
    [{ colors: { accent: 'red', background: '#ffffff' } }, 'brand.colors.accent: must be a colour #RRGGBB'],
    [{ colors: { accent: '#ffffff;x:y', background: '#ffffff' } }, 'brand.colors.accent: must be a colour #RRGGBB'],
    [{ senderName: 'Shop\r\nBcc: all@example.com' }, 'brand.senderName: must be one line'],
    [{ name: '  ' }, 'brand.name: must not be empty'],
    [{ supportEmail: 'help' }, 'brand.supportEmail: must be an e-mail address'],
  ])('refuses %o naming the setting', (brand, reason) => {
    expect(() => withBrand(brand)).toThrow(reason);
  });

  it('a configuration stored before the brand existed gets the shipped one', () => {
    const { brand: _brand, ...older } = defaults;
    expect(parseConfig(older).brand).toEqual(defaults.brand);
  });

  it('keeps ended messages 400 days as shipped, at least 370, and longer than a follow-up or survey can be planned again', () => {
    expect(parseConfig(defaults).retention).toEqual({ messagesDays: 400 });
    expect(MIN_MESSAGES_DAYS).toBe(370);
    // A leap year's 366 days after a greeting sent on 1 January, and the planner's longest look-ahead (366) plus two days, fit.
    expect(parseConfig({ ...defaults, planner: { lookAheadDays: 366 }, retention: { messagesDays: 370 } }).retention.messagesDays).toBe(370);
    // As shipped: the third check-in (24 h, then 7 and 7 days) and its 3 days, or the survey's 3 + 14 days, and a day for daylight saving.
    expect(feedbackLeadDays(defaults.campaigns)).toBe(19);
    const slowFollowUps = { ...defaults.campaigns, complaintFollowUp: { ...defaults.campaigns.complaintFollowUp, repeatEveryDays: 200 } };
    expect(feedbackLeadDays(slowFollowUps)).toBe(1 + 2 * 200 + 3 + 1);
    expect(parseConfig({ ...defaults, campaigns: slowFollowUps, retention: { messagesDays: 405 } }).retention.messagesDays).toBe(405);
    expect(feedbackLeadDays({ ...defaults.campaigns, survey: { ...defaults.campaigns.survey, afterDays: 30, deadlineDays: 400 } })).toBe(431);
  });

  it('gives a configuration stored before retention existed the shipped 400 days', () => {
    const { retention: _shipped, ...older } = defaults;
    expect(parseConfig(older).retention).toEqual({ messagesDays: 400 });
  });
});

describe('the stored configuration as a function reads it', () => {
  it('leaves out the settings its version does not know (a newer CLI stored them), naming them, and keeps the rest', () => {
    // A section and settings a later version added, and a value changed that this version knows.
    const stored = { ...defaults, futureSection: { on: true }, sending: { ...defaults.sending, futureRate: 3 }, cadence: { ...defaults.cadence, minDaysBetween: 9, futureHours: 2 } };

    const { config, unknownSettings } = parseStoredConfig(stored);

    expect([...unknownSettings].sort()).toEqual(['cadence.futureHours', 'futureSection', 'sending.futureRate']);
    expect(config).toEqual(parseConfig({ ...defaults, cadence: { ...defaults.cadence, minDaysBetween: 9 } }));
    // Writing stays strict: a document with a setting nobody knows is refused.
    expect(() => parseConfig(stored)).toThrow('Unrecognized key');
  });

  it('a change written by this version keeps them where their section still is, never inside a list, never under a section the change removed', () => {
    // Stored by a newer version: a setting beside known ones, one in each news item, one in a campaign's holdout.
    const news = [newsItem('a', { imageUrl: 'https://a' }), newsItem('b', { imageUrl: 'https://b' })];
    const newer = {
      ...withContent({ news }),
      sending: { ...defaults.sending, futureRate: 3 },
      measurement: { ...defaults.measurement, campaigns: { birthday: { holdoutPercent: 5, futureX: 1 } } },
    };
    // This version's change: one news item left, the campaigns' own shares removed.
    const changed = parseStoredConfig({ ...withContent({ news: [newsItem('c')] }), sending: newer.sending, measurement: { ...newer.measurement, campaigns: {} } }).config;

    const written = withSettingsOf(changed, newer, unknownSettingsOf(newer)) as typeof newer;

    expect(written.sending).toEqual({ ...defaults.sending, futureRate: 3 });
    expect(written.campaigns.keepInTouch.content.news).toEqual([newsItem('c')]);
    expect(written.measurement.campaigns).toEqual({});
    expect(parseStoredConfig(written).unknownSettings).toEqual(['sending.futureRate']);
  });

  it('still refuses a known setting out of its bounds, naming it, and says nothing of the rest when all is known', () => {
    expect(() => parseStoredConfig({ ...withCadence({ minDaysBetween: -1 }), futureSection: {} })).toThrow(/cadence\.minDaysBetween: .*got -1/);
    expect(parseStoredConfig(defaults).unknownSettings).toEqual([]);
  });
});
