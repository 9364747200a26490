import type { RetentionConfig } from '../config.js';
import { addDays, daysBetween, type LocalDate } from '../calendar.js';
import { parseStoredRecord, recordTypeOfKey } from '../records.js';
import { HOLDABLE_CAMPAIGNS, holdoutGroupOf, holdoutPercentOf, type HoldableCampaign, type HoldoutGroup } from './holdout.js';
import { compareProportions, describeComparison, type Comparison, type Proportion } from './proportions.js';

/**
 * `retention lift` (SPEC.md, "Measuring retention"; docs/measurement.md): held-out customers against
 * treated ones on outcomes the business already records, in a window [since, until) of UTC days.
 *
 * - **renewal**: contracts that do not renew by themselves (`autoRenew` false) whose `endsOn` is in the
 *   window; renewed when their status is `renewed`. Counted per contract, not per customer.
 * - **interaction within 30 / 90 days**: customers whose profile existed at `since` (`createdAt` at or
 *   before it; a profile without one counts as existing), and the share of them with an interaction
 *   completed in (since, since + N days]. Not measurable while the window is shorter than N days.
 * - **complaints reopened**: complaints whose `resolvedAt` is in the window; reopened when `reopenedAt`
 *   is set. Only a resolved complaint can be reopened, so a `reopenedAt` before `resolvedAt` means it
 *   was resolved again since, and it still counts as reopened (by its latest resolution). Fewer is better.
 *
 * Every customer counts whatever their consent (intent to treat): comparing consenting customers
 * only would compare groups the messages themselves shaped, since messages cause unsubscribes.
 * Erased customers are absent from the tables, so from the comparison. Pure: no clock, no AWS.
 */

type Measurement = RetentionConfig['measurement'];

/** What the comparison needs of the business records: their owners, dates and outcomes, nothing else. */
export interface LiftFacts {
  readonly customers: readonly { readonly customerId: string; readonly createdAt: string | null }[];
  readonly contracts: readonly { readonly customerId: string; readonly contractId: string; readonly endsOn: LocalDate; readonly autoRenew: boolean; readonly status: string }[];
  readonly interactions: readonly { readonly customerId: string; readonly completedAt: string }[];
  readonly complaints: readonly { readonly customerId: string; readonly complaintId: string; readonly resolvedAt: string | null; readonly reopenedAt: string | null }[];
}

export interface LiftFactsRead {
  readonly facts: LiftFacts;
  /** Stored records that failed their schema: left out, named here (record, field, reason; never a full address). */
  readonly unreadable: readonly { readonly record: string; readonly reason: string }[];  /** Records counted that say `synthetic: true` (written by a simulation's response model, docs/response-model.md). */
  readonly synthetic: number;
}

/**
 * The facts of items of the Customers table (a scan's pages, in any order): business records read
 * with the same schema as an import; preferences, erasure records and anything else are skipped.
 */
export const liftFactsOf = (items: readonly unknown[]): LiftFactsRead => {
  const customers: LiftFacts['customers'][number][] = [];
  const contracts: LiftFacts['contracts'][number][] = [];
  const interactions: LiftFacts['interactions'][number][] = [];
  const complaints: LiftFacts['complaints'][number][] = [];
  const unreadable: { record: string; reason: string }[] = [];
  let synthetic = 0;
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const raw = item as Record<string, unknown>;
    const type = typeof raw.recordKey === 'string' ? recordTypeOfKey(raw.recordKey) : undefined;
    if (type === undefined || type === 'erasure' || type === 'surveyResponse') continue;
    // `now` only fills a missing createdAt, which is read from the item itself below.
    const parsed = parseStoredRecord(item, type, new Date(0));
    if (!parsed.ok) {
      unreadable.push({ record: parsed.rejection.record, reason: parsed.rejection.reason });
      continue;
    }
    const record = parsed.record;
    if (raw.synthetic === true) synthetic++;
    switch (record.type) {
      case 'customer':
        customers.push({ customerId: record.customerId, createdAt: typeof raw.createdAt === 'string' ? record.createdAt : null });
        break;
      case 'contract':
        contracts.push({ customerId: record.customerId, contractId: record.contractId, endsOn: record.endsOn, autoRenew: record.autoRenew, status: record.status });
        break;
      case 'interaction':
        interactions.push({ customerId: record.customerId, completedAt: record.completedAt });
        break;
      case 'complaint':
        complaints.push({ customerId: record.customerId, complaintId: record.complaintId, resolvedAt: record.resolvedAt ?? null, reopenedAt: record.reopenedAt ?? null });
        break;
    }
  }
  return { facts: { customers, contracts, interactions, complaints }, unreadable, synthetic };
};

/** The UTC day of the latest event the records tell of (a profile made, an interaction, a complaint resolved or reopened), or undefined. */
export const lastEventDayOf = (facts: LiftFacts): LocalDate | undefined => {
  const instants = [
    ...facts.customers.map((customer) => customer.createdAt),
    ...facts.interactions.map((interaction) => interaction.completedAt),
    ...facts.complaints.flatMap((complaint) => [complaint.resolvedAt, complaint.reopenedAt]),
  ].filter((instant): instant is string => instant !== null);
  const latest = instants.reduce<string | undefined>((max, instant) => (max === undefined || instant > max ? instant : max), undefined);
  return latest === undefined ? undefined : new Date(latest).toISOString().slice(0, 10);
};

export type OutcomeName = 'renewal' | 'interaction30' | 'interaction90' | 'complaintsReopened';

interface OutcomeDefinition {
  readonly name: OutcomeName;
  /** A short name for tables and the picture. */
  readonly label: string;
  /** What is counted in each group. */
  readonly counted: 'contracts' | 'customers' | 'complaints';
  /** The sentence's predicate: "<rate> of treated <counted> <outcome>". */
  readonly outcome: string;
  readonly fewerIsBetter: boolean;
}

export const OUTCOMES: readonly OutcomeDefinition[] = [
  { name: 'renewal', label: 'Contracts renewed', counted: 'contracts', outcome: 'were renewed', fewerIsBetter: false },
  { name: 'interaction30', label: 'New interaction within 30 days', counted: 'customers', outcome: 'had a new interaction within 30 days', fewerIsBetter: false },
  { name: 'interaction90', label: 'New interaction within 90 days', counted: 'customers', outcome: 'had a new interaction within 90 days', fewerIsBetter: false },
  { name: 'complaintsReopened', label: 'Complaints reopened', counted: 'complaints', outcome: 'were reopened', fewerIsBetter: true },
];

export type OutcomeResult = Omit<OutcomeDefinition, 'outcome'> &
  (
    | { readonly measurable: true; readonly comparison: Comparison; readonly sentence: string }
    | { readonly measurable: false; readonly comparison: null; readonly sentence: string }
  );

export const INTERVAL_METHOD = "Newcombe's hybrid score interval (Newcombe 1998, method 10), 95 %";

export interface LiftResult {
  /** UTC days, `since` included, `until` not. */
  readonly window: { readonly since: LocalDate; readonly until: LocalDate };
  /** The one campaign compared (held out of it or not); null: every campaign that can be held out. */
  readonly campaign: HoldableCampaign | null;
  readonly method: string;
  /** The holdout shares compared, by campaign, in percent. */
  readonly holdoutPercent: Readonly<Partial<Record<HoldableCampaign, number>>>;
  /** Customers (with a profile) in each group; `mixed` ones are held out of some compared campaigns only, and left out. */
  readonly groups: Readonly<Record<HoldoutGroup, number>>;
  /** When nobody can be held out of what is compared: why, and what to set. Outcomes are then empty. */
  readonly nothingToCompare: string | null;
  readonly outcomes: readonly OutcomeResult[];
  /** Records of an id without a profile: not a customer the system writes to, left out. */
  readonly withoutProfile: number;
}

export interface LiftQuery {
  readonly since: LocalDate;
  readonly until: LocalDate;
  readonly campaign?: HoldableCampaign;
}

const startOf = (date: LocalDate): number => Date.parse(`${date}T00:00:00.000Z`);
const DAY = 86_400_000;

const counter = () => ({ treated: { n: 0, events: 0 }, heldOut: { n: 0, events: 0 } });
type Counter = ReturnType<typeof counter>;
const count = (counts: Counter, group: HoldoutGroup | undefined, happened: boolean) => {
  if (group !== 'treated' && group !== 'heldOut') return;
  counts[group].n++;
  if (happened) counts[group].events++;
};

/** Why there is nothing to compare, when no customer can be in the held-out group; null when some can. */
const nothingToCompareOf = (measurement: Measurement, campaigns: readonly HoldableCampaign[], campaign: HoldableCampaign | undefined): string | null => {
  const shares = campaigns.map((c) => holdoutPercentOf(c, measurement));
  if (Math.min(...shares) > 0) return null;
  if (campaign !== undefined) {
    return `Nobody is held out of ${campaign} (its holdout is 0 %), so there is nothing to compare. Set a share, e.g. \`retention config set 'measurement.campaigns={"${campaign}":{"holdoutPercent":10}}'\` (the value replaces every campaign's own share: list the others too), and compare once the messages have had time to work.`;
  }
  const withShare = HOLDABLE_CAMPAIGNS.filter((c) => holdoutPercentOf(c, measurement) > 0);
  if (withShare.length === 0) {
    return 'Nobody is held out (measurement.holdoutPercent is 0 %, as shipped), so there is nothing to compare. Set a share, e.g. `retention config set measurement.holdoutPercent=10`, and compare once the messages have had time to work.';
  }
  return `Nobody is held out of every campaign (only ${withShare.map((c) => `${c} ${holdoutPercentOf(c, measurement)} %`).join(', ')}), so the groups cannot be compared as a whole. Compare one campaign with --campaign ${withShare[0]}.`;
};

/** The comparison of held-out and treated customers in the window (see the top of this file). */
export const measureLift = (facts: LiftFacts, measurement: Measurement, query: LiftQuery): LiftResult => {
  const { since, until, campaign } = query;
  if (daysBetween(since, until) < 1) throw new RangeError(`the window ${since} → ${until} is empty: since must be before until`);
  const campaigns = campaign === undefined ? HOLDABLE_CAMPAIGNS : [campaign];
  const holdoutPercent = Object.fromEntries(campaigns.map((c) => [c, holdoutPercentOf(c, measurement)]));

  const groupOf = new Map<string, HoldoutGroup>();
  const groups: Record<HoldoutGroup, number> = { treated: 0, heldOut: 0, mixed: 0 };
  for (const { customerId } of facts.customers) {
    if (groupOf.has(customerId)) continue;
    const group = holdoutGroupOf(customerId, measurement, campaigns);
    groupOf.set(customerId, group);
    groups[group]++;
  }
  const withoutProfile = [...facts.contracts, ...facts.interactions, ...facts.complaints].filter((r) => !groupOf.has(r.customerId)).length;
  const nothingToCompare = nothingToCompareOf(measurement, campaigns, campaign);
  const base = { window: { since, until }, campaign: campaign ?? null, method: INTERVAL_METHOD, holdoutPercent, groups, withoutProfile };
  if (nothingToCompare !== null) return { ...base, nothingToCompare, outcomes: [] };

  const sinceMs = startOf(since);
  const untilMs = startOf(until);
  const windowDays = daysBetween(since, until);

  const renewal = counter();
  for (const contract of facts.contracts) {
    if (contract.autoRenew || contract.endsOn < since || contract.endsOn >= until) continue;
    count(renewal, groupOf.get(contract.customerId), contract.status === 'renewed');
  }

  const interactionsWithin = (days: number): Counter => {
    const end = sinceMs + days * DAY;
    const active = new Set(
      facts.interactions
        .filter(({ completedAt }) => {
          const at = Date.parse(completedAt);
          return at > sinceMs && at <= end;
        })
        .map((i) => i.customerId),
    );
    const counts = counter();
    for (const customer of facts.customers) {
      if (customer.createdAt !== null && Date.parse(customer.createdAt) > sinceMs) continue;
      count(counts, groupOf.get(customer.customerId), active.has(customer.customerId));
    }
    return counts;
  };

  const reopened = counter();
  for (const complaint of facts.complaints) {
    if (complaint.resolvedAt === null) continue;
    const resolved = Date.parse(complaint.resolvedAt);
    if (resolved < sinceMs || resolved >= untilMs) continue;
    count(reopened, groupOf.get(complaint.customerId), complaint.reopenedAt !== null);
  }

  const compared = (definition: OutcomeDefinition, counts: Counter): OutcomeResult => {
    const { outcome, ...rest } = definition;
    const comparison = compareProportions(counts.treated as Proportion, counts.heldOut as Proportion);
    return { ...rest, measurable: true, comparison, sentence: describeComparison(outcome, comparison, { counted: definition.counted, fewerIsBetter: definition.fewerIsBetter }) };
  };
  const notYet = (definition: OutcomeDefinition, days: number): OutcomeResult => {
    const { outcome: _, ...rest } = definition;
    return {
      ...rest,
      measurable: false,
      comparison: null,
      sentence: `Not measurable yet in this window: it needs ${days} days after ${since}, and the window has ${windowDays} (until ${addDays(since, days)} or later).`,
    };
  };
  const [renewalOutcome, within30, within90, reopenedOutcome] = OUTCOMES as [OutcomeDefinition, OutcomeDefinition, OutcomeDefinition, OutcomeDefinition];
  return {
    ...base,
    nothingToCompare: null,
    outcomes: [
      compared(renewalOutcome, renewal),
      windowDays >= 30 ? compared(within30, interactionsWithin(30)) : notYet(within30, 30),
      windowDays >= 90 ? compared(within90, interactionsWithin(90)) : notYet(within90, 90),
      compared(reopenedOutcome, reopened),
    ],
  };
};
