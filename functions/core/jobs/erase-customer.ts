import { erasureKeyOf, registeredSince, secondPassAfter, type ErasureReceipt } from '../erasure.js';
import type { ErasureCounts, ErasureStore } from '../ports.js';

export interface ErasureRequest {
  /** When the customer asked; the time of the erasure when not said. */
  readonly requestedAt?: string;
  readonly requestedBy: ErasureReceipt['requestedBy'];
  /**
   * `later` (in AWS, and the local runner's functions): functions that read the customer before
   * the erasure may still write for them, so a second pass runs once they have certainly ended
   * (the dispatcher runs it: sweepErasures). `now`: nothing else writes to these tables (the CLI
   * against the local stack), so the second pass runs at once and the id is kept nowhere.
   */
  readonly secondPass: 'later' | 'now';
  /** The record key of the erasure record that asked for this, deleted last: a retry after a crash finds it and erases again. */
  readonly recordKey?: string;
}

export interface ErasureResult {
  readonly receipt: ErasureReceipt;
  readonly deleted: ErasureCounts;
  /** When the second pass is due, when it is still to come. */
  readonly secondPassAfter?: string;
}

/**
 * Forgets a customer (SPEC.md, Personal data): the receipt first (with, while a second pass is to
 * come, the id and the address's hash, so a crash half-way is finished by that pass), then every item
 * of theirs in every table, the profile first, so nothing is planned for them from then on and a
 * waiting message finds no one to go to.
 */
export const eraseCustomer = async (erasures: ErasureStore, customerId: string, now: Date, request: ErasureRequest): Promise<ErasureResult> => {
  const receipt: ErasureReceipt = { customerHash: erasureKeyOf(customerId), erasedAt: now.toISOString(), requestedAt: request.requestedAt ?? now.toISOString(), requestedBy: request.requestedBy };
  const addressKey = (await erasures.profileOf(customerId))?.addressKey;
  const pending = request.secondPass === 'later' ? { customerId, sweepAfter: secondPassAfter(now).toISOString(), erasedAt: receipt.erasedAt, ...(addressKey ? { addressKey } : {}) } : undefined;
  await erasures.recordErasure(customerId, receipt, pending);
  const deleted = await erasures.deleteEverything(customerId, addressKey, request.recordKey);
  if (pending) return { receipt, deleted, secondPassAfter: pending.sweepAfter };
  // The suppression was stripped by the first pass; nothing of this process has written one since.
  const again = await erasures.deleteEverything(customerId, undefined);
  return { receipt, deleted: addCounts(deleted, again) };
};

const addCounts = (a: ErasureCounts, b: ErasureCounts): ErasureCounts => ({
  customers: a.customers + b.customers,
  messages: a.messages + b.messages,
  ledger: a.ledger + b.ledger,
  suppressions: a.suppressions + b.suppressions,
});

/**
 * How many second passes one dispatcher run makes at most, the oldest first: a few writes each, well
 * inside the coordinator's minute. More erasures than that within a minute (a bulk request) are swept
 * by the runs after it.
 */
export const SECOND_PASSES_PER_RUN = 100;

/**
 * The second passes that are due: whatever a function wrote for an erased customer after the first
 * pass (a message a planner run had already decided, a ledger a dispatcher run had read) is deleted,
 * and the id leaves the receipt. Returns the hashes of the customers swept.
 *
 * A customer registered again since (a profile created after the erasure) is theirs again: nothing of
 * theirs is deleted, only the pending pass is cleared (`registeredAgain`). What the late writers left
 * of the erased customer then stays with them: a message whose record is gone is cancelled when it
 * falls due (its trigger is gone), one whose record came back with them is theirs again, and no item
 * says which of the two incarnations wrote it.
 */
export const sweepErasures = async (
  erasures: ErasureStore,
  now: Date,
): Promise<{ readonly swept: readonly string[]; readonly registeredAgain: readonly string[]; readonly deleted: ErasureCounts }> => {
  const due = await erasures.dueSecondPasses(now, SECOND_PASSES_PER_RUN);
  let deleted: ErasureCounts = { customers: 0, messages: 0, ledger: 0, suppressions: 0 };
  const registeredAgain: string[] = [];
  for (const entry of due) {
    if (registeredSince(await erasures.profileOf(entry.customerId), entry.erasedAt)) registeredAgain.push(erasureKeyOf(entry.customerId));
    else deleted = addCounts(deleted, await erasures.deleteEverything(entry.customerId, entry.addressKey));
    await erasures.secondPassDone(entry);
  }
  return { swept: due.map((entry) => erasureKeyOf(entry.customerId)), registeredAgain, deleted };
};
