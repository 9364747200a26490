import { arrange } from '../arrange.js';
import { NEVER } from '../cadence.js';
import type { RetentionConfig } from '../config.js';
import type { LedgerStore, Outbox } from '../ports.js';
import type { LocalDate } from '../calendar.js';
import type { Message } from '../messages.js';

export interface ArrangeDeps {
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly config: RetentionConfig;
}

/**
 * Re-arranges one customer's waiting capped messages after something new was planned for them:
 * each gets its slot under the cap (deferred, with the reason, when later than due), and one that
 * cannot fit expires now, saying what it gave way to, instead of taking a better message's slot.
 */
export const arrangeCustomer = async (
  deps: ArrangeDeps,
  customerId: string,
  now: Date,
  /** What the caller has just read, to save reading it again. */
  known: { readonly waiting?: readonly Message[]; readonly lastCappedDate?: LocalDate } = {},
): Promise<void> => {
  const waiting = (known.waiting ?? (await deps.outbox.waitingFor(customerId))).filter((message) => message.countsTowardCap);
  // One capped message has nothing to be arranged around: the dispatcher's own cap check places it
  // exactly where the arrangement would, so its ledger need not be read now.
  if (waiting.length <= 1) return;
  const lastCapped = known.lastCappedDate ?? (await deps.ledger.get(customerId))?.lastCappedDate ?? NEVER;
  const byId = new Map(waiting.map((message) => [message.messageId, message]));
  for (const slot of arrange(waiting, lastCapped, now, deps.config)) {
    const message = byId.get(slot.messageId)!;
    if ('expire' in slot) {
      await deps.outbox.endWaiting(slot.messageId, 'expired', slot.expire, now);
      continue;
    }
    if (slot.sendAfter.toISOString() === message.sendAfter) continue;
    const later = slot.sendAfter.getTime() > Date.parse(message.dueAt);
    await deps.outbox.reschedule(
      slot.messageId,
      { state: later ? 'deferred' : 'planned', sendAfter: slot.sendAfter, reason: later ? 'deferred by the planner to keep the weekly cap for the messages around it' : null },
      now,
    );
  }
};
