import { createHash } from 'node:crypto';
import { functionTimeoutSeconds } from './function-timeouts.js';
import { maskEmailsIn } from './mask.js';
import type { BusinessRecord } from './records.js';

/**
 * A customer's right to be forgotten (SPEC.md, Personal data). Erasure deletes every item of the
 * customer in every table; what stays is a receipt under a hash of their id (when it happened, who
 * asked) and, if their address was suppressed, the suppression under the address's hash alone.
 *
 * The receipt is what keeps them forgotten: a record of theirs that turns up later (an old import
 * file, a business system's sync, a replayed stream record, an old survey link) is refused or
 * deleted, and plans nothing, until a `customer` record created after the erasure registers them
 * again.
 */

/** The key of a customer's erasure receipt: a hash of their id, so the receipt never holds it in clear. */
export const erasureKeyOf = (customerId: string): string => createHash('sha256').update(`erasure:${customerId}`).digest('hex');

export interface ErasureReceipt {
  /** erasureKeyOf(customerId). */
  readonly customerHash: string;
  /** When the items were deleted: only a profile created after this brings the customer back. */
  readonly erasedAt: string;
  /** When the customer asked (the erasure record's `requestedAt`, or the command's time). */
  readonly requestedAt: string;
  /** `command`: `retention customer erase`; `record`: an `erasure` record written by a business system. */
  readonly requestedBy: 'command' | 'record';
}

/**
 * A function that read a customer before the erasure may still write for them after it (a planner run,
 * a dispatcher run, a stream batch, a click). A second pass deletes what they wrote, once the longest of
 * them (the planner, 15 minutes) has certainly ended, with a margin for the indexes to catch up.
 */
export const SECOND_PASS_AFTER_MINUTES = Math.ceil(Math.max(...Object.values(functionTimeoutSeconds)) / 60) + 5;

export const secondPassAfter = (now: Date): Date => new Date(now.getTime() + SECOND_PASS_AFTER_MINUTES * 60_000);

/** Whether this profile registered the customer again after the erasure of `erasedAt`: its createdAt is later. */
export const registeredSince = (profile: { readonly createdAt?: unknown } | undefined, erasedAt: string): boolean =>
  typeof profile?.createdAt === 'string' && !Number.isNaN(Date.parse(profile.createdAt)) && Date.parse(profile.createdAt) > Date.parse(erasedAt);

/**
 * Why a record of an erased customer may not be acted on (or imported), or undefined when it may:
 * a profile created after the erasure registers the customer again; any other record needs such a
 * profile (`currentProfile`, the one stored now or arriving with it).
 *
 * An erasure is always acted on, but one asked for before the profile that registered the customer
 * again: that is an old request (an old file imported again, a sync writing it again), which the
 * earlier erasure honoured. One without `requestedAt` counts as asked now: refusing a request to be
 * forgotten is worse than forgetting a customer who has to register once more.
 */
export const erasedRecordReason = (
  record: Pick<BusinessRecord, 'type' | 'customerId'> & { readonly createdAt?: unknown; readonly requestedAt?: unknown },
  receipt: ErasureReceipt | undefined,
  currentProfile?: { readonly createdAt?: unknown },
): string | undefined => {
  if (receipt === undefined) return undefined;
  const createdAfter = (profile: { readonly createdAt?: unknown } | undefined) => registeredSince(profile, receipt.erasedAt);
  if (record.type === 'erasure') {
    if (!createdAfter(currentProfile) || typeof record.requestedAt !== 'string') return undefined;
    const registeredAt = String(currentProfile?.createdAt);
    if (!(Date.parse(record.requestedAt) < Date.parse(registeredAt))) return undefined;
    return `requested at ${record.requestedAt}, before customer ${maskEmailsIn(record.customerId)} registered again (createdAt ${registeredAt}, after their erasure at ${receipt.erasedAt}): an old request, honoured by that erasure, is not applied again`;
  }
  const erased = `customer ${maskEmailsIn(record.customerId)} was erased at ${receipt.erasedAt}`;
  if (record.type === 'customer') {
    return createdAfter(record) ? undefined : `${erased}; a customer record registers them again only with createdAt later than that`;
  }
  return createdAfter(currentProfile) ? undefined : `${erased}; their records are refused until a customer record created after that registers them again`;
};
