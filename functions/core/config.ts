import * as z from './schema.js';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { functionTimeoutSeconds } from './function-timeouts.js';

/**
 * The runtime configuration: one JSON document, validated here. Every number of SPEC.md's campaign
 * table is a setting; the shipped defaults are `config/defaults.json`. A configuration that cannot
 * be honoured (an impossible band) is refused with the reason.
 */

const wallTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time HH:mm' }));

const campaignBase = {
  enabled: z.boolean(),
  class: z.enum(['marketing', 'service']),
  countsTowardCap: z.boolean(),
  priority: z.wholeNumber(0, 1000),
};

/** Business-written text, per template locale: English is required, it is what any other language falls back to. */
const businessText = (max: number) => {
  const text = z.string().check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(max, { error: `is longer than ${max} characters` }));
  return z.strictObject({ en: text, es: z.optional(text), ro: z.optional(text) });
};

const loyaltyPoints = z.wholeNumber(1);

/** Unsubscribe and preference links must keep working at least this long (SPEC.md "Email"; a customer may act on an old e-mail). */
export const MIN_PREFERENCE_LINK_DAYS = 30;

/**
 * The shortest claim lease: longer than any dispatcher run that can hold the claim (Lambda stops one at
 * its timeout, functionTimeoutSeconds.dispatcher), plus a minute for what a run's clock and the next
 * run's clock may disagree by and for the moments between the timeout and the run really ending. A
 * shorter lease could run out under a run still sending, and a second dispatcher would take the message.
 */
export const MIN_CLAIM_LEASE_MINUTES = Math.ceil(functionTimeoutSeconds.dispatcher / 60) + 1;

/** The highest `sending.maxSendRate` taken: far above any SES account's quota, so a typo (an extra zero or three) is refused. */
export const MAX_SEND_RATE = 10_000;

/**
 * The fewest days an ended message is kept (`retention.messagesDays`, DynamoDB TTL). A message id is
 * sent at most once because its item stays: the planners make an id only while it can still go, so an
 * ended item must outlive the last moment any planner could ask for its id again, or the id could be
 * made and sent a second time. A birthday greeting's id names only its year: the greeting of a year
 * may be asked for until that year's 31 December ends, whatever the birthday is changed to, so up to
 * 366 days after one sent on 1 January, plus up to 26 hours should the customer's time zone change.
 * Renewal reminders and keep-in-touch messages are planned at most `planner.lookAheadDays` (≤ 366)
 * before their day and asked for only until it: 368 days at most. Hence 370. (A contract's own reminder
 * id is also looked up for its later terms, but only while the term's own id is free: once that is
 * taken, the contract's own may be deleted; campaigns/renewal.ts `reminderIdFor`.) Feedback messages depend
 * on their campaigns' settings and are checked against them (feedbackLeadDays).
 */
export const MIN_MESSAGES_DAYS = 370;

/**
 * The longest a complaint follow-up or a survey can be asked for after its record's own time
 * (`openedAt`, `resolvedAt`, `completedAt`, a survey answer's time): until its deadline, and a day for
 * daylight saving (these are local days). An ended one must be kept longer than this.
 */
export const feedbackLeadDays = (campaigns: {
  readonly complaintFollowUp: { readonly firstAfterHours: number; readonly repeatEveryDays: number; readonly maxWhileOpen: number; readonly afterResolvedDays: number; readonly deadlineDays: number };
  readonly survey: { readonly afterDays: number; readonly deadlineDays: number };
}): number => {
  const { complaintFollowUp: followUp, survey } = campaigns;
  // The last check-in while open; the detractor follow-up (`firstAfterHours` after the answer) is never later.
  const lastWhileOpen = Math.ceil(followUp.firstAfterHours / 24) + Math.max(0, followUp.maxWhileOpen - 1) * followUp.repeatEveryDays;
  return Math.max(Math.max(lastWhileOpen, followUp.afterResolvedDays) + followUp.deadlineDays, survey.afterDays + survey.deadlineDays) + 1;
};

/** What keep-in-touch e-mails talk about (SPEC.md "Keep-in-touch content"). */
const keepInTouchContent = z.strictObject({
  /** Points a customer needs for each tier. */
  tierPoints: z.strictObject({ silver: loyaltyPoints, gold: loyaltyPoints, diamond: loyaltyPoints }),
  /** What points buy, cheapest first. */
  rewards: z.array(z.strictObject({ points: loyaltyPoints, name: businessText(100) })),
  /** News items, newest first. */
  news: z.array(z.strictObject({
    // The id ends up in `news:<id>` and in stored keys, where '#' separates parts.
    id: z.string().check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(100), z.refine((id) => !id.includes('#'), { error: "must not contain '#'" })),
    title: businessText(150),
    body: businessText(5000),
  })),
});

const colour = z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a colour #RRGGBB' }));
/** One line of text a header or a footer shows: no line breaks (a display name in a From header must not add one). */
const oneLine = (max: number) =>
  z.string().check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(max, { error: `is longer than ${max} characters` }), z.refine((text) => !/[\r\n]/.test(text), { error: 'must be one line' }));

/** A share of customers held out to measure what the messages do: at most half (a larger control group is not a holdout). */
const holdoutPercent = z.number().check(z.minimum(0), z.maximum(50, { error: 'must be at most 50: a holdout is the smaller group' }));

/** Per campaign, a holdout share that replaces the global one for that campaign. Complaint follow-ups are never held out. */
const campaignHoldout = z.strictObject({ holdoutPercent });
const measurement = z.strictObject({
  holdoutPercent,
  /** The key of the assignment hash: changing it reshuffles every customer's group, and nothing else does. */
  salt: z.string().check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(200)),
  campaigns: z._default(
    z.strictObject({
      birthday: z.optional(campaignHoldout),
      renewal: z.optional(campaignHoldout),
      survey: z.optional(campaignHoldout),
      keepInTouch: z.optional(campaignHoldout),
      complaintFollowUp: z.optional(z.never({ error: 'complaint follow-ups are never held out: a customer with an open complaint is always answered' })),
    }),
    {},
  ),
});

const brand = z.strictObject({
  /** The business's name: e-mails and pages are signed with it. */
  name: oneLine(100),
  /** The From header's display name. */
  senderName: oneLine(100),
  /** An https image shown in the header of e-mails and pages; null: the name alone. */
  logoUrl: z.nullable(z.url({ protocol: /^https$/, error: 'must be an https URL' }).check(z.maxLength(2000))),
  colors: z.strictObject({ accent: colour, background: colour }),
  /** The postal address commercial e-mail must carry (CAN-SPAM and the like), in every footer; empty until the business sets it. */
  postalAddress: z.string().check(z.trim(), z.maxLength(300, { error: 'is longer than 300 characters' })),
  /** Where customers write for help, in every footer; null: none shown. */
  supportEmail: z.nullable(z.email({ error: 'must be an e-mail address' })),
});
export type Brand = z.output<typeof brand>;

export const configSchema = z
  .strictObject({
    cadence: z.strictObject({
      minDaysBetween: z.wholeNumber(0),
      maxDaysBetween: z.wholeNumber(1),
      quietHours: z.strictObject({ start: wallTime, end: wallTime }),
    }),
    /** How long the unsubscribe and preference links of an e-mail work after it was sent. */
    email: z.strictObject({ preferenceLinkValidDays: z.wholeNumber(1) }),
    /** Consent is never assumed: what a customer imported without `marketingOptIn` gets (stored with them; a later change does not touch them). */
    // A configuration stored before this setting existed gets the shipped one.
    consent: z._default(z.strictObject({ defaultMarketingOptIn: z.boolean() }), defaults.consent),
    /**
     * `marketingPaused`: marketing messages are held (not lost) while it is true; service messages go on.
     * Set by ops, or by the SES reputation alarms (handlers/pause-marketing.ts); only ops clear it.
     */
    sending: z._default(
      z.strictObject({
        marketingPaused: z.boolean(),
        /**
         * The sends a second the dispatcher keeps to; null: the SES account's own (`GetAccount`
         * `SendQuota.MaxSendRate`). Set it lower to leave room for other senders on the account; set it
         * higher than the account's and SES throttles. A configuration stored before this setting existed gets null.
         */
        maxSendRate: z._default(
          z.nullable(
            z
              .number({ error: 'must be a number of sends a second, or null for the SES account\'s own rate' })
              .check(
                z.positive({ error: 'must be more than 0 sends a second (null: the SES account\'s own rate)' }),
                z.maximum(MAX_SEND_RATE, { error: `must be at most ${MAX_SEND_RATE} sends a second` }),
              ),
          ),
          null,
        ),
      }),
      defaults.sending,
    ),
    /** Whose e-mails and link pages these are: read at every send and every link, like the rest. */
    brand: z._default(brand, defaults.brand as z.input<typeof brand>),
    planner: z.strictObject({ lookAheadDays: z.wholeNumber(1, 366) }),
    /**
     * How long an ended message (sent, expired, suppressed, cancelled) is kept before DynamoDB's TTL
     * deletes it: its subject and state are personal data. A configuration stored before this setting
     * existed gets the shipped one.
     */
    retention: z._default(
      z.strictObject({
        messagesDays: z.number().check(
          z.int(),
          z.minimum(MIN_MESSAGES_DAYS, {
            error: `must be at least ${MIN_MESSAGES_DAYS} days: a birthday greeting's id names only its year and may be planned again until that year ends, so a message kept less long could be made and sent a second time`,
          }),
        ),
      }),
      defaults.retention,
    ),
    /**
     * Holdout groups (SPEC.md, "Measuring retention"): customers whose messages of a campaign are recorded
     * `heldOut` and never sent, to compare with those who got them. A configuration stored before this
     * setting existed gets the shipped one (nobody held out).
     */
    measurement: z._default(measurement, () => measurement.parse(defaults.measurement)),
    dispatcher: z.strictObject({
      retryFirstDelayMinutes: z.wholeNumber(1),
      retryMaxDelayMinutes: z.wholeNumber(1),
      claimLeaseMinutes: z.wholeNumber(1),
      maxMessagesPerRun: z.wholeNumber(1),
    }),
    campaigns: z.strictObject({
      birthday: z.strictObject({ ...campaignBase, sendAt: wallTime, leapDayPolicy: z.enum(['feb28', 'mar1', 'skip']) }),
      renewal: z.strictObject({ ...campaignBase, sendAt: wallTime, offsetsDays: z.array(z.wholeNumber(1)).check(z.minLength(1)) }),
      complaintFollowUp: z.strictObject({
        ...campaignBase,
        firstAfterHours: z.wholeNumber(0),
        repeatEveryDays: z.wholeNumber(1),
        maxWhileOpen: z.wholeNumber(0),
        afterResolvedDays: z.wholeNumber(0),
        deadlineDays: z.wholeNumber(1),
      }),
      survey: z.strictObject({
        ...campaignBase,
        afterDays: z.wholeNumber(0),
        deadlineDays: z.wholeNumber(1),
        minDaysBetweenSurveys: z.wholeNumber(0),
        detractorMaxScore: z.wholeNumber(0, 10),
        /** How long a survey's answer links work after it was sent. */
        answerLinkValidDays: z.wholeNumber(1),
      }),
      keepInTouch: z.strictObject({
        ...campaignBase,
        // A configuration stored before content existed keeps working with the shipped content.
        content: z._default(keepInTouchContent, defaults.campaigns.keepInTouch.content),
      }),
    }),
  })
  .check(
    z.superRefine((config, ctx) => {
      const refuse = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      const { cadence, planner, dispatcher, email } = config;
      if (cadence.minDaysBetween > cadence.maxDaysBetween) {
        refuse(['cadence', 'minDaysBetween'], `the cap (${cadence.minDaysBetween} days) is longer than the floor (${cadence.maxDaysBetween} days): no schedule can keep both`);
      }
      if (planner.lookAheadDays < cadence.maxDaysBetween) {
        refuse(['planner', 'lookAheadDays'], `the planner must look at least maxDaysBetween (${cadence.maxDaysBetween}) days ahead to hold the floor, not ${planner.lookAheadDays}`);
      }
      if (email.preferenceLinkValidDays < MIN_PREFERENCE_LINK_DAYS) {
        refuse(['email', 'preferenceLinkValidDays'], `unsubscribe and preference links must work at least ${MIN_PREFERENCE_LINK_DAYS} days after the e-mail was sent, not ${email.preferenceLinkValidDays}`);
      }
      if (dispatcher.claimLeaseMinutes < MIN_CLAIM_LEASE_MINUTES) {
        refuse(
          ['dispatcher', 'claimLeaseMinutes'],
          `a claim must outlive the dispatcher run that holds it: at least ${MIN_CLAIM_LEASE_MINUTES} minutes (the dispatcher's ${functionTimeoutSeconds.dispatcher / 60}-minute timeout and a minute's margin), not ${dispatcher.claimLeaseMinutes}; a shorter lease lets a second dispatcher take a message the first is still sending`,
        );
      }
      if (dispatcher.retryFirstDelayMinutes > dispatcher.retryMaxDelayMinutes) {
        refuse(['dispatcher', 'retryFirstDelayMinutes'], 'the first retry delay is longer than the longest one');
      }
      if (cadence.quietHours.start === cadence.quietHours.end) {
        refuse(['cadence', 'quietHours'], 'quiet hours start and end at the same time: nothing could ever be sent, or they mean nothing');
      }
      // Quiet hours from sendAt on past midnight leave the rest of that day no moment to send in.
      const quietUntilMidnight = (sendAt: string) => cadence.quietHours.start > cadence.quietHours.end && sendAt >= cadence.quietHours.start;
      const { sendAt } = config.campaigns.birthday;
      if (quietUntilMidnight(sendAt)) {
        refuse(['campaigns', 'birthday', 'sendAt'], `${sendAt} falls in quiet hours (${cadence.quietHours.start}–${cadence.quietHours.end}) that last until the birthday is over: no greeting could go on its day`);
      }
      // A reminder one day before the contract ends has until that midnight: the same.
      const renewal = config.campaigns.renewal;
      if (renewal.offsetsDays.includes(1) && quietUntilMidnight(renewal.sendAt)) {
        refuse(['campaigns', 'renewal', 'sendAt'], `${renewal.sendAt} falls in quiet hours (${cadence.quietHours.start}–${cadence.quietHours.end}) that last until the contract's last day is over: a reminder 1 day before (offsetsDays) could never go`);
      }
      const lead = feedbackLeadDays(config.campaigns);
      if (config.retention.messagesDays < lead) {
        refuse(
          ['retention', 'messagesDays'],
          `an ended complaint follow-up or survey may be planned again up to ${lead} days after its record's time (campaigns.complaintFollowUp and campaigns.survey), so it must be kept at least that long, not ${config.retention.messagesDays} days: a message deleted sooner could be made and sent a second time`,
        );
      }
      const content = config.campaigns.keepInTouch.content;
      const { silver, gold, diamond } = content.tierPoints;
      if (!(silver < gold && gold < diamond)) {
        refuse(['campaigns', 'keepInTouch', 'content', 'tierPoints'], `each tier must need more points than the one below it, not silver ${silver}, gold ${gold}, diamond ${diamond}`);
      }
      content.rewards.forEach((reward, i) => {
        const previous = content.rewards[i - 1];
        if (previous && reward.points <= previous.points) {
          refuse(['campaigns', 'keepInTouch', 'content', 'rewards', String(i), 'points'], `rewards must be listed cheapest first, each costing more than the one before (${reward.points} after ${previous.points})`);
        }
      });
      const seen = new Set<string>();
      content.news.forEach((item, i) => {
        if (seen.has(item.id)) refuse(['campaigns', 'keepInTouch', 'content', 'news', String(i), 'id'], `news id '${item.id}' is used twice: each item needs its own, it is how a customer's last one is known`);
        seen.add(item.id);
      });
    }),
  );

export type RetentionConfig = z.output<typeof configSchema>;
export type CampaignName = keyof RetentionConfig['campaigns'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The value a refused setting has, for the reason (`, got -1`); our own rules name it themselves. Nothing
 * when the setting is absent (the reason says it is missing).
 */
const gotValue = (document: unknown, path: readonly PropertyKey[]): string => {
  let value: unknown = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return '';
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  if (value === undefined) return '';
  const shown = JSON.stringify(value);
  return `, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
};

/** Validates a whole configuration document; throws a ConfigError that says which setting, its value and why. */
export const parseConfig = (document: unknown): RetentionConfig => {
  const result = configSchema.safeParse(document);
  if (result.success) return result.data;
  const reasons = result.error.issues.map((issue) => `${issue.path.join('.') || 'configuration'}: ${issue.message}${issue.code === 'custom' ? '' : gotValue(document, issue.path)}`);
  throw new ConfigError(`invalid configuration: ${reasons.join('; ')}`);
};

export const defaultConfig: RetentionConfig = parseConfig(defaults);

/** How long a handler keeps the configuration it read before reading it again: a change reaches every handler within this. */
export const CONFIG_READ_EVERY_MS = 60_000;

type Settings = { readonly [key: string]: unknown };
/** A section of settings: a plain object, not a list. */
const isSettings = (value: unknown): value is Settings => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The settings of a document that this version does not know (a newer one stored them), as paths. */
export const unknownSettingsOf = (document: unknown): readonly (readonly PropertyKey[])[] => {
  const result = configSchema.safeParse(document);
  return result.success ? [] : result.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : []));
};

/** A copy of `document` without the settings at `paths`. */
export const withoutSettings = (document: unknown, paths: readonly (readonly PropertyKey[])[]): unknown => {
  if (paths.length === 0) return document;
  const copy = structuredClone(document) as Record<PropertyKey, unknown>;
  for (const path of paths) {
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) node = (node as Record<PropertyKey, unknown>)[key];
    delete (node as Record<PropertyKey, unknown>)[path.at(-1)!];
  }
  return copy;
};

/**
 * `document` with the settings at `paths` as `from` has them: what a version that does not know them
 * carries over when it writes. Only where the new document still has the section they sit in (a plain
 * object, reached through plain objects): a setting under a section the change removed goes with it,
 * and one inside a list (whose items a change may reorder or drop) is never carried to another item.
 */
export const withSettingsOf = (document: object, from: unknown, paths: readonly (readonly PropertyKey[])[]): object => {
  const copy = structuredClone(document) as Record<PropertyKey, unknown>;
  for (const path of paths) {
    let source: unknown = from;
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) {
      source = isSettings(source) ? source[key as string] : undefined;
      node = isSettings(node) ? node[key as string] : undefined;
    }
    if (isSettings(source) && isSettings(node)) (node as Record<PropertyKey, unknown>)[path.at(-1)!] = source[path.at(-1) as string];
  }
  return copy;
};

/**
 * The stored configuration as a function reads it: settings this version does not know are left out
 * and named (`unknownSettings`), anything else wrong is refused as `parseConfig` refuses it. A newer
 * `retention config set` stores the settings its version added; a stack not yet deployed with that
 * version goes on with the ones it knows instead of failing every run. (A change written by this
 * version keeps them as they are: DynamoConfigStore.update.)
 */
export const parseStoredConfig = (document: unknown): { readonly config: RetentionConfig; readonly unknownSettings: readonly string[] } => {
  const unknown = unknownSettingsOf(document);
  return { config: parseConfig(withoutSettings(document, unknown)), unknownSettings: unknown.map((path) => path.join('.')) };
};

const completedWith = (document: Settings, shipped: Settings): Settings =>
  Object.fromEntries([...new Set([...Object.keys(shipped), ...Object.keys(document)])].map((key) => {
    const own = document[key];
    const theirs = shipped[key];
    // A section missing, or null where the shipped one is a section, is taken whole from the shipped settings.
    const missing = !Object.hasOwn(document, key) || (own === null && isSettings(theirs));
    return [key, missing ? theirs : isSettings(own) && isSettings(theirs) ? completedWith(own, theirs) : own];
  }));

/**
 * A configuration document with every setting it lacks taken from the shipped ones (its own values
 * kept): a stored document that no longer validates can then be mended with `config set`, whatever
 * section it is missing.
 */
export const withShippedSettings = (document: unknown): unknown => (isSettings(document) ? completedWith(document, defaults as Settings) : document);

/**
 * What of the brand is still as shipped, where a business's e-mails would show it: its name and From
 * name ("Retention"), and, while a marketing campaign is on, an empty postal address, which anti-spam
 * law requires in commercial e-mail. One line each, for the CLI to warn with (import, config get/set).
 */
export const brandLeftAsShipped = (config: RetentionConfig): string[] => {
  const lines: string[] = [];
  const shipped = defaultConfig.brand;
  if (config.brand.name === shipped.name) lines.push(`brand.name is still the shipped ${JSON.stringify(shipped.name)}: e-mails and link pages are signed with it`);
  if (config.brand.senderName === shipped.senderName) lines.push(`brand.senderName is still the shipped ${JSON.stringify(shipped.senderName)}: it is the name the e-mails come from`);
  const marketing = Object.entries(config.campaigns).filter(([, campaign]) => campaign.enabled && campaign.class === 'marketing').map(([name]) => name);
  if (config.brand.postalAddress === '' && marketing.length > 0) {
    lines.push(`brand.postalAddress is empty: marketing e-mails (${marketing.join(', ')}) go without the postal address anti-spam law requires (CAN-SPAM, the EU's e-privacy rules)`);
  }
  return lines;
};
