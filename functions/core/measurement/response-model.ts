import { createHash } from 'node:crypto';
import * as z from '../schema.js';
import type { CampaignName } from '../config.js';

/**
 * A synthetic response model (SPEC.md, "Measuring retention"; docs/response-model.md): how likely a
 * simulated customer renews, buys again, complains or reopens a complaint, and how much each kind of
 * message sent to them changes that. It exists to test the measurement: the simulator writes the
 * outcomes it decides, and `retention lift` must recover the effect planted here. It is never real
 * data, so a file must say `"synthetic": true` and everything it produces is labelled synthetic.
 *
 * Every decision is a pure function of the model, a seed and what the customer was sent, with its
 * randomness drawn from SHA-256 of (seed, customer id, event, day): the same inputs decide the same
 * way in any order, in the simulator and in the planted-effect test alike.
 */

/** The kinds of message a model can give an effect to: every campaign. */
export const MESSAGE_KINDS = ['birthday', 'renewal', 'complaintFollowUp', 'survey', 'keepInTouch'] as const satisfies readonly CampaignName[];
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Days before a contract's end whose messages count toward its renewal. */
export const RENEWAL_LOOKBACK_DAYS = 90;
/** Days after a message within which its extra purchase falls, and its effect on complaining lasts. */
export const AFTER_MESSAGE_DAYS = 30;
/** Days after a complaint's resolution when whether it is reopened is decided. */
export const REOPEN_AFTER_DAYS = 14;
/** Days after a complaint the model opened when the simulator resolves it (one it reopened stays open). */
export const RESOLVE_AFTER_DAYS = 3;

const probability = z.number({ error: 'must be a number' }).check(z.minimum(0, { error: 'must be a probability from 0 to 1' }), z.maximum(1, { error: 'must be a probability from 0 to 1' }));
const change = z.number({ error: 'must be a number' }).check(z.minimum(-1, { error: 'must be a change of probability from -1 to 1' }), z.maximum(1, { error: 'must be a change of probability from -1 to 1' }));

const effects = z.strictObject({
  /** Added to the renewal probability of a contract ending within RENEWAL_LOOKBACK_DAYS after such a message. */
  renews: z.optional(change),
  /** The probability of one extra purchase, on a day drawn uniformly in the AFTER_MESSAGE_DAYS after the message. */
  buysAgain: z.optional(probability),
  /** Added to the daily probability of a new complaint in the AFTER_MESSAGE_DAYS after the message. */
  complains: z.optional(change),
  /** Added to the probability that a complaint resolved before the message is reopened. */
  reopens: z.optional(change),
});

export const responseModelSchema = z.strictObject({
  synthetic: z.literal(true, { error: 'must be true: a response model is synthetic, never real data, and must say so' }),
  /** What the model is and why its numbers are what they are; shown wherever its outcomes are. */
  description: z.string({ error: 'must be a text' }).check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(2000, { error: 'is longer than 2000 characters' })),
  baseline: z.strictObject({
    /** The probability that a contract without auto-renewal renews, with no message. */
    renews: probability,
    /** The probability that a customer buys on any one day. */
    buysAgainPerDay: probability,
    /** The probability that a customer opens a complaint on any one day. */
    complainsPerDay: probability,
    /** The probability that a resolved complaint is opened again, REOPEN_AFTER_DAYS after its resolution. */
    reopens: probability,
  }),
  /** Per kind of message, what being sent one changes. */
  afterMessage: z._default(
    z.strictObject({
      birthday: z.optional(effects),
      renewal: z.optional(effects),
      complaintFollowUp: z.optional(effects),
      survey: z.optional(effects),
      keepInTouch: z.optional(effects),
    }),
    {},
  ),
  /** Why each number is what it is, by its path (`"baseline.renews": "…"`): documentation, never read. */
  notes: z.optional(z.record(z.string(), z.string())),
});

export type ResponseModel = z.output<typeof responseModelSchema>;

export class ResponseModelError extends Error {
  override readonly name = 'ResponseModelError';
}

const valueAt = (document: unknown, path: readonly PropertyKey[]): unknown => {
  let value = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
};

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Validates a response model document; throws a ResponseModelError naming each field, its value and what is wrong. */
export const parseResponseModel = (document: unknown): ResponseModel => {
  const result = responseModelSchema.safeParse(document);
  if (result.success) return result.data;
  const reasons = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = issue.path.length === 0 ? Object.keys(responseModelSchema.shape) : issue.path.join('.') === 'afterMessage' ? MESSAGE_KINDS : undefined;
      return issue.keys.map((key) => `${path ? `${path}.` : ''}${key}: not a field of a response model${known ? ` (expected one of ${known.join(', ')})` : issue.path[0] === 'afterMessage' ? ' (expected renews, buysAgain, complains, reopens)' : ''}`);
    }
    const value = valueAt(document, issue.path);
    return [`${path || 'response model'}: ${value === undefined ? 'missing' : shown(value)} ${issue.message}`];
  });
  throw new ResponseModelError(`invalid response model: ${reasons.join('; ')}`);
};

/**
 * A number in [0, 1) drawn from (seed, customer id, event, day): the first 52 bits of their SHA-256.
 * Independent of the order in which draws are made, so any processing order decides the same.
 */
export const draw = (seed: number, customerId: string, event: string, day: string): number => {
  const digest = createHash('sha256').update(`${seed}\u0000${customerId}\u0000${event}\u0000${day}`).digest();
  return (digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4)) / 2 ** 52;
};

const clamp = (p: number): number => Math.min(1, Math.max(0, p));

/** Baseline plus each kind's change, each kind counted once however many of it were sent, clamped to [0, 1]. */
const withEffects = (model: ResponseModel, base: number, effect: 'renews' | 'complains' | 'reopens', kinds: Iterable<MessageKind>): number => {
  let p = base;
  for (const kind of new Set(kinds)) p += model.afterMessage[kind]?.[effect] ?? 0;
  return clamp(p);
};

/** The UTC date of an instant, `YYYY-MM-DD`: the model's days are UTC days. */
export const dayOf = (instant: Date | string): string => new Date(instant).toISOString().slice(0, 10);
const plusDays = (day: string, days: number): string => dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000));

// Renewal ---------------------------------------------------------------------------------------

/** The probability that a contract renews, given the kinds of message its customer was sent in the RENEWAL_LOOKBACK_DAYS before its end. */
export const renewalProbability = (model: ResponseModel, kindsSent: Iterable<MessageKind>): number => withEffects(model, model.baseline.renews, 'renews', kindsSent);

export interface ContractRef {
  readonly customerId: string;
  readonly contractId: string;
  readonly endsOn: string;
}

/** The draw that decides a contract's renewal. */
export const renewalDraw = (seed: number, contract: ContractRef): number => draw(seed, contract.customerId, `renews:${contract.contractId}`, contract.endsOn);

/** Whether a contract renews: its draw below its probability. */
export const renewsWith = (model: ResponseModel, kindsSent: Iterable<MessageKind>, u: number): boolean => u < renewalProbability(model, kindsSent);

/** Whether a contract without auto-renewal renews on its `endsOn`, given the kinds of message sent to its customer in the 90 days before. */
export const decideRenewal = (model: ResponseModel, seed: number, contract: ContractRef, kindsSent: Iterable<MessageKind>): boolean =>
  renewsWith(model, kindsSent, renewalDraw(seed, contract));

// Buying again ----------------------------------------------------------------------------------

/** Whether a customer buys on a day, whatever they were sent (the baseline). */
export const buysOnDay = (model: ResponseModel, seed: number, customerId: string, day: string): boolean => draw(seed, customerId, 'buys', day) < model.baseline.buysAgainPerDay;

export interface SentRef {
  readonly customerId: string;
  readonly messageId: string;
  readonly campaign: MessageKind;
  readonly sentAt: string;
}

/** The day of the extra purchase a sent message brings, 1 to AFTER_MESSAGE_DAYS days after the day it was sent; null when it brings none. */
export const extraPurchaseDay = (model: ResponseModel, seed: number, message: SentRef): string | null => {
  const p = model.afterMessage[message.campaign]?.buysAgain ?? 0;
  if (p <= 0) return null;
  const sentDay = dayOf(message.sentAt);
  if (draw(seed, message.customerId, `buysAfter:${message.messageId}`, sentDay) >= p) return null;
  return plusDays(sentDay, 1 + Math.floor(draw(seed, message.customerId, `buysAfterDay:${message.messageId}`, sentDay) * AFTER_MESSAGE_DAYS));
};

// Complaints ------------------------------------------------------------------------------------

/** The probability that a customer opens a complaint on a day, given the kinds of message sent to them in the AFTER_MESSAGE_DAYS before. */
export const complaintProbability = (model: ResponseModel, kindsSent: Iterable<MessageKind>): number => withEffects(model, model.baseline.complainsPerDay, 'complains', kindsSent);

export const complainsOnDay = (model: ResponseModel, seed: number, customerId: string, day: string, kindsSent: Iterable<MessageKind>): boolean =>
  draw(seed, customerId, 'complains', day) < complaintProbability(model, kindsSent);

/** The probability that a resolved complaint is reopened, given the kinds of message sent between its resolution and REOPEN_AFTER_DAYS later. */
export const reopenProbability = (model: ResponseModel, kindsSent: Iterable<MessageKind>): number => withEffects(model, model.baseline.reopens, 'reopens', kindsSent);

export interface ComplaintRef {
  readonly customerId: string;
  readonly complaintId: string;
  readonly resolvedAt: string;
}

export const decideReopen = (model: ResponseModel, seed: number, complaint: ComplaintRef, kindsSent: Iterable<MessageKind>): boolean =>
  draw(seed, complaint.customerId, `reopens:${complaint.complaintId}`, dayOf(complaint.resolvedAt)) < reopenProbability(model, kindsSent);

// One day of outcomes ---------------------------------------------------------------------------

/** What the simulator knows on a day: business records as stored, and the messages sent so far. */
export interface DayState {
  /** Customers with a profile. */
  readonly customerIds: readonly string[];
  readonly contracts: readonly { readonly customerId: string; readonly contractId: string; readonly endsOn: string; readonly autoRenew?: boolean; readonly status?: string; readonly [field: string]: unknown }[];
  readonly complaints: readonly {
    readonly customerId: string;
    readonly complaintId: string;
    readonly openedAt: string;
    readonly status?: string;
    readonly resolvedAt?: string;
    readonly reopenedAt?: string;
    readonly synthetic?: unknown;
    readonly [field: string]: unknown;
  }[];
  /** Messages in state `sent`. */
  readonly sent: readonly SentRef[];
}

/** A business record the model writes, labelled `synthetic: true`. */
export type SyntheticRecord = Record<string, unknown> & { readonly type: 'contract' | 'complaint' | 'interaction'; readonly customerId: string; readonly synthetic: true };

/** `syn-<what>-<day>-<id>`, within the 200 characters an id may have (a long id is replaced by its hash). */
const synId = (what: string, day: string, id: string): string => {
  const plain = `syn-${what}-${day}-${id}`;
  return plain.length <= 200 ? plain : `syn-${what}-${day}-${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
};

const isMessageKind = (campaign: string): campaign is MessageKind => (MESSAGE_KINDS as readonly string[]).includes(campaign);

/**
 * The records the model writes at `now`, once a simulated day: renewals of contracts ending today,
 * resolutions of the complaints it opened, reopenings of complaints resolved REOPEN_AFTER_DAYS ago,
 * new complaints, and purchases (the baseline's and those messages brought). Pure: the same state,
 * model, seed and instant give the same records.
 */
export const outcomesOfDay = (model: ResponseModel, seed: number, now: Date, state: DayState): SyntheticRecord[] => {
  const day = dayOf(now);
  const at = now.toISOString();
  const customers = new Set(state.customerIds);
  const sentTo = new Map<string, SentRef[]>();
  for (const message of state.sent) {
    if (!isMessageKind(message.campaign) || Date.parse(message.sentAt) > now.getTime()) continue;
    (sentTo.get(message.customerId) ?? sentTo.set(message.customerId, []).get(message.customerId)!).push(message);
  }
  /** Kinds sent to a customer in (from, now]. */
  const kindsSent = (customerId: string, from: number): MessageKind[] =>
    (sentTo.get(customerId) ?? []).filter((message) => Date.parse(message.sentAt) > from).map((message) => message.campaign);
  const label = { synthetic: true } as const;
  const records: SyntheticRecord[] = [];

  for (const contract of state.contracts) {
    if (!customers.has(contract.customerId) || contract.autoRenew === true || (contract.status ?? 'active') !== 'active' || contract.endsOn !== day) continue;
    if (decideRenewal(model, seed, contract, kindsSent(contract.customerId, now.getTime() - RENEWAL_LOOKBACK_DAYS * 86_400_000))) {
      records.push({ ...contract, type: 'contract', status: 'renewed', ...label });
    }
  }

  for (const complaint of state.complaints) {
    if (!customers.has(complaint.customerId)) continue;
    const status = complaint.status ?? 'open';
    // What the model opened, it resolves RESOLVE_AFTER_DAYS later, so follow-ups and surveys happen. A
    // reopened complaint stays open with its resolvedAt: what `retention lift` counts as reopened.
    if (status === 'open' && complaint.synthetic === true && complaint.reopenedAt === undefined && plusDays(dayOf(complaint.openedAt), RESOLVE_AFTER_DAYS) === day) {
      records.push({ ...complaint, type: 'complaint', status: 'resolved', resolvedAt: at, ...label });
    }
    if (status === 'resolved' && complaint.resolvedAt !== undefined && complaint.reopenedAt === undefined && plusDays(dayOf(complaint.resolvedAt), REOPEN_AFTER_DAYS) === day) {
      const resolved = { customerId: complaint.customerId, complaintId: complaint.complaintId, resolvedAt: complaint.resolvedAt };
      if (decideReopen(model, seed, resolved, kindsSent(complaint.customerId, Date.parse(complaint.resolvedAt)))) {
        records.push({ ...complaint, type: 'complaint', status: 'open', reopenedAt: at, ...label });
      }
    }
  }

  for (const customerId of state.customerIds) {
    if (complainsOnDay(model, seed, customerId, day, kindsSent(customerId, now.getTime() - AFTER_MESSAGE_DAYS * 86_400_000))) {
      records.push({ type: 'complaint', complaintId: synId('c', day, customerId), customerId, openedAt: at, subject: 'Synthetic complaint (response model)', status: 'open', ...label });
    }
    if (buysOnDay(model, seed, customerId, day)) {
      records.push({ type: 'interaction', interactionId: synId('p', day, customerId), customerId, completedAt: at, kind: 'purchase', ...label });
    }
    for (const message of sentTo.get(customerId) ?? []) {
      if (extraPurchaseDay(model, seed, message) !== day) continue;
      const id = createHash('sha256').update(message.messageId).digest('hex').slice(0, 16);
      records.push({ type: 'interaction', interactionId: synId('m', day, id), customerId, completedAt: at, kind: 'purchase', afterMessage: message.messageId, ...label });
    }
  }
  return records;
};
