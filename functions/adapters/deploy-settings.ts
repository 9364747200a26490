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
  /**
   * The business's own host name for the links in e-mails (unsubscribe, preferences, survey answers),
   * with the ACM certificate for it, issued in the stack's region (docs/deploy.md). Absent: the links
   * API's own `execute-api` address.
   */
  readonly linksDomain?: { readonly domainName: string; readonly certificateArn: string };
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

/** An ACM certificate's ARN: arn:aws:acm:<region>:<account>:certificate/<id>, in any partition. */
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/**
 * `linksDomain` of cdk.json, checked, naming the setting and its value: absent, or a host name and the
 * ARN of its certificate. A malformed one would fail the deploy half-way, in CloudFormation's words.
 */
export const linksDomainOf = (settings: Pick<DeploySettings, 'linksDomain'>): DeploySettings['linksDomain'] => {
  const linksDomain: unknown = settings.linksDomain;
  if (linksDomain === undefined) return undefined;
  const where = 'cdk.json context retention.linksDomain';
  if (typeof linksDomain !== 'object' || linksDomain === null || Array.isArray(linksDomain)) {
    throw new Error(`${where}: ${JSON.stringify(linksDomain)} is not an object with a domainName and a certificateArn`);
  }
  const { domainName, certificateArn } = linksDomain as Record<string, unknown>;
  if (typeof domainName !== 'string' || !DOMAIN.test(domainName)) {
    throw new Error(`${where}.domainName: ${JSON.stringify(domainName)} is not a domain name (such as links.example.com)`);
  }
  if (typeof certificateArn !== 'string' || !ACM_CERTIFICATE_ARN.test(certificateArn)) {
    throw new Error(`${where}.certificateArn: ${JSON.stringify(certificateArn)} is not the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>)`);
  }
  return { domainName, certificateArn };
};

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
