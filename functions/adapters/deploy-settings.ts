import cdkJson from '../../cdk.json' with { type: 'json' };
import { checkedDueShards } from '../core/messages.js';

/**
 * Deploy-time settings (sender, domain, schedule times, the alarms' address) from `cdk.json` context.
 * The CDK app turns them into resources; the local runner fires its virtual schedules from the same values.
 */
export interface DailySchedule { readonly hour: number; readonly minute: number; readonly timeZone: string }
export interface DeploySettings {
  readonly mailDomain: string;
  readonly senderLocalPart: string;
  /** Where the alarms are mailed (an SNS e-mail subscription: the address confirms it once). */
  readonly alarmEmail: string;
  readonly schedules: {
    readonly planner: DailySchedule;
    readonly dispatcher: { readonly everyMinutes: number };
  };
  /**
   * `"all"` for a stack deployed before the `byDue` index was narrowed to what the dispatcher reads:
   * it projected every attribute then, and DynamoDB cannot change an index's projection in place, so
   * such a stack keeps it (2 more WCU in a message's life; docs/deploy.md). Absent: only the fields
   * the dispatcher reads.
   */
  readonly dueIndexProjection?: 'all';
  /**
   * How many partitions the `byDue` index's waiting messages and each date's floor checks are spread
   * over, and so how many senders a run can have at most (docs/scale.md, "Sharding the hot keys"). Absent:
   * `DEFAULT_DUE_SHARDS`. Raised, never lowered: the partitions so far are among the new ones, so
   * nothing already waiting or checked is lost from sight; lowered, the ones beyond would be.
   */
  readonly dueShards?: number;
}

export const deploySettings: DeploySettings = cdkJson.context.retention;

/** `dueShards` of cdk.json, checked (core/messages.ts `checkedDueShards`). */
export const dueShardsOf = (settings: Pick<DeploySettings, 'dueShards'>): number => checkedDueShards(settings.dueShards, 'cdk.json context retention.dueShards');

/**
 * `schedules.dispatcher.everyMinutes` of cdk.json, checked: a whole number of minutes from 1 to 60 (the
 * schedule's rate; each run sends for at most its function's time, so runs further apart send less).
 */
export const dispatchEveryMinutesOf = (settings: Pick<DeploySettings, 'schedules'>): number => {
  const everyMinutes: unknown = settings.schedules?.dispatcher?.everyMinutes;
  if (typeof everyMinutes !== 'number' || !Number.isInteger(everyMinutes) || everyMinutes < 1 || everyMinutes > 60) {
    throw new Error(`cdk.json context retention.schedules.dispatcher.everyMinutes: ${JSON.stringify(everyMinutes)} is not a whole number of minutes from 1 to 60`);
  }
  return everyMinutes;
};

/** cdk.json's `dueShards`: what the CLI, the local runner and the scripts use. */
export const deployedDueShards = dueShardsOf(deploySettings);

/**
 * `dueIndexProjection` as given in `where` (cdk.json, a script's option): "all" or absent. Anything else
 * is refused, naming it: a misspelt value would deploy the narrow index, which such a stack's update refuses.
 */
export const checkedDueIndexProjection = (value: unknown, where: string): 'all' | undefined => {
  if (value === undefined || value === 'all') return value;
  throw new Error(`${where}: '${String(value)}' is not "all", its only value (leave it out for a new stack)`);
};

/** An address's local part as RFC 5322 allows it unquoted: words of letters, digits and ``!#$%&'*+/=?^_`{|}~-``, joined by dots. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** A domain name: two labels or more, each of letters, digits and inner hyphens, at most 63 long. */
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * The address e-mails are sent from (on the verified domain); the name shown with it is the
 * configuration's `brand.senderName`. Checked, naming the setting and its value: SES refuses a
 * malformed sender with the same words it uses for a recipient's bad address ("Illegal address"), so
 * a stack deployed with one would read every send as the customer's address refused.
 */
export const senderAddress = (settings: Pick<DeploySettings, 'senderLocalPart' | 'mailDomain'> = deploySettings): string => {
  const { senderLocalPart, mailDomain } = settings;
  if (typeof senderLocalPart !== 'string' || senderLocalPart.length > 64 || !LOCAL_PART.test(senderLocalPart)) {
    throw new Error(`cdk.json context retention.senderLocalPart: ${JSON.stringify(senderLocalPart)} is not the part of an address before the @ (letters, digits and !#$%&'*+/=?^_\`{|}~- in words joined by dots, at most 64 characters)`);
  }
  if (typeof mailDomain !== 'string' || !DOMAIN.test(mailDomain)) {
    throw new Error(`cdk.json context retention.mailDomain: ${JSON.stringify(mailDomain)} is not a domain name (such as mail.example.com)`);
  }
  return `${senderLocalPart}@${mailDomain}`;
};
