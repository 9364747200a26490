import { localDateOf } from './calendar.js';
import { firstCapSlot, firstSendableInstant, NEVER } from './cadence.js';
import type { RetentionConfig } from './config.js';
import type { Message } from './messages.js';

/**
 * The planner's look-ahead for one customer: given the capped messages still waiting, choose when
 * each goes so that as many as possible go inside their windows. A message never goes before it is
 * due; one whose window is about to close goes first and one with a distant deadline gives way.
 * Only when not everything fits does priority decide which expires. Pure: the caller applies it.
 */

export type Arrangement =
  | { readonly messageId: string; readonly sendAfter: Date }
  | { readonly messageId: string; readonly expire: string };

type Waiting = Pick<Message, 'messageId' | 'priority' | 'dueAt' | 'deadline' | 'timeZone'>;

/** Every order is tried for a handful of messages; beyond that, earliest deadline first. */
const EXHAUSTIVE_UP_TO = 5;

const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1 ? [items.slice()] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));

interface Plan {
  readonly slots: Map<string, Date>;
  readonly priority: number;
  readonly delay: number;
}

/** Sends the messages in this order, each at its first slot under the cap; those whose slot is past their deadline are left out. */
const planInOrder = (order: readonly Waiting[], lastCapped: string, now: Date, cadence: RetentionConfig['cadence']): Plan => {
  const slots = new Map<string, Date>();
  let previous = lastCapped;
  let priority = 0;
  let delay = 0;
  for (const message of order) {
    const due = new Date(Math.max(Date.parse(message.dueAt), now.getTime()));
    const slot = previous === NEVER ? firstSendableInstant(due, message.timeZone, cadence) : firstCapSlot(due, previous, message.timeZone, cadence);
    if (slot >= new Date(message.deadline)) continue;
    slots.set(message.messageId, slot);
    previous = localDateOf(slot, message.timeZone);
    priority += message.priority;
    delay += slot.getTime() - due.getTime();
  }
  return { slots, priority, delay };
};

const better = (a: Plan, b: Plan): boolean => a.priority > b.priority || (a.priority === b.priority && a.delay < b.delay);

export const arrange = (waiting: readonly Waiting[], lastCapped: string, now: Date, config: RetentionConfig): Arrangement[] => {
  if (waiting.length === 0) return [];
  const byDeadline = [...waiting].sort((a, b) => a.deadline.localeCompare(b.deadline) || b.priority - a.priority);
  const orders = waiting.length <= EXHAUSTIVE_UP_TO ? permutations(byDeadline) : [byDeadline];
  let best = planInOrder(orders[0]!, lastCapped, now, config.cadence);
  for (const order of orders.slice(1)) {
    const plan = planInOrder(order, lastCapped, now, config.cadence);
    if (better(plan, best)) best = plan;
  }
  const kept = waiting.filter((m) => best.slots.has(m.messageId)).sort((a, b) => b.priority - a.priority);
  return waiting.map((message) => {
    const slot = best.slots.get(message.messageId);
    if (slot) return { messageId: message.messageId, sendAfter: slot };
    const fitsAlone = planInOrder([message], lastCapped, now, config.cadence).slots.size === 1;
    if (!fitsAlone) {
      const fitsWithoutCap = planInOrder([message], NEVER, now, config.cadence).slots.size === 1;
      const why = fitsWithoutCap ? `the weekly cap (last capped message on ${lastCapped})` : 'quiet hours';
      return { messageId: message.messageId, expire: `no slot before its deadline: ${why}` };
    }
    const winners = kept.filter((k) => k.priority >= message.priority).map((k) => k.messageId);
    return { messageId: message.messageId, expire: `gave way under the weekly cap to ${winners.join(', ')}` };
  });
};
