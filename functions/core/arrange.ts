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

/**
 * Up to this many messages (a customer with several contracts ending, a birthday and a survey in the
 * same few weeks is six or seven), the best of every order is searched for (`searchedPlan`: about 2 ms
 * for eight, 35 ms when every order fits, where the search grows fastest); beyond, the best of
 * earliest deadline first, `urgentFirstFillingGaps`, and highest priority first.
 */
const SEARCHED_UP_TO = 8;

interface Plan {
  readonly slots: Map<string, Date>;
  /** The priorities of the messages kept, highest first. */
  readonly priorities: readonly number[];
  readonly delay: number;
}

/** When a message may go from: its due time, or now once that has passed. */
export const dueOf = (message: Pick<Message, 'dueAt'>, now: Date): Date => new Date(Math.max(Date.parse(message.dueAt), now.getTime()));

/** The first slot of `message` when it goes right after a capped send on `previous` (NEVER: none). */
const slotAfter = (message: Waiting, previous: string, now: Date, cadence: RetentionConfig['cadence']): Date => {
  const due = dueOf(message, now);
  return previous === NEVER ? firstSendableInstant(due, message.timeZone, cadence) : firstCapSlot(due, previous, message.timeZone, cadence);
};

/** Sends the messages in this order, each at its first slot under the cap; those whose slot is past their deadline are left out. */
const planInOrder = (order: readonly Waiting[], lastCapped: string, now: Date, cadence: RetentionConfig['cadence']): Plan => {
  const slots = new Map<string, Date>();
  let previous = lastCapped;
  const priorities: number[] = [];
  let delay = 0;
  for (const message of order) {
    const slot = slotAfter(message, previous, now, cadence);
    if (slot >= new Date(message.deadline)) continue;
    slots.set(message.messageId, slot);
    previous = localDateOf(slot, message.timeZone);
    priorities.push(message.priority);
    delay += slot.getTime() - dueOf(message, now).getTime();
  }
  return { slots, priorities: priorities.sort((a, b) => b - a), delay };
};

/**
 * An order built forwards in time: the message whose deadline is nearest goes next, unless another
 * can go before it and still leave it a slot in its window (it fills the gap while the urgent one is
 * not yet due). Earliest deadline first alone sends a greeting due in three weeks before reminders due
 * this week and next, pushing them weeks late; sending whatever is due first can leave no slot for one
 * due soon after with a short window.
 */
const urgentFirstFillingGaps = (waiting: readonly Waiting[], lastCapped: string, now: Date, cadence: RetentionConfig['cadence']): Waiting[] => {
  const order: Waiting[] = [];
  let remaining = [...waiting];
  let previous = lastCapped;
  const fits = (message: Waiting, after: string) => slotAfter(message, after, now, cadence) < new Date(message.deadline);
  for (;;) {
    // One that cannot go next can go no later either: it is left out.
    remaining = remaining.filter((message) => fits(message, previous));
    if (remaining.length === 0) return order;
    const urgent = remaining.reduce((a, b) => (b.deadline < a.deadline || (b.deadline === a.deadline && b.priority > a.priority) ? b : a));
    const urgentSlot = slotAfter(urgent, previous, now, cadence);
    const fillers = remaining
      .filter((message) => message !== urgent)
      .map((message) => ({ message, slot: slotAfter(message, previous, now, cadence) }))
      .filter(({ message, slot }) => slot < urgentSlot && fits(urgent, localDateOf(slot, message.timeZone)))
      .sort((a, b) => a.slot.getTime() - b.slot.getTime() || a.message.deadline.localeCompare(b.message.deadline));
    const next = fillers[0]?.message ?? urgent;
    order.push(next);
    previous = localDateOf(slotAfter(next, previous, now, cadence), next.timeZone);
    remaining = remaining.filter((message) => message !== next);
  }
};

/**
 * Which of two sets of messages kept is worth more (> 0: `a`), given their priorities highest first:
 * the one that keeps the message of higher priority, then, of those kept alike, the next one down, and
 * so on; then the one that keeps more. Never several of lower priority for one of higher: the higher goes.
 */
export const comparePriorities = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? -1, b[i] ?? -1];
    if (x !== y) return x - y;
  }
  return 0;
};

/** Whether plan `a` is better than `b`: it keeps more by `comparePriorities`, or the same with less waiting. */
const better = (a: Pick<Plan, 'priorities' | 'delay'>, b: Pick<Plan, 'priorities' | 'delay'>): boolean => {
  const kept = comparePriorities(a.priorities, b.priorities);
  return kept !== 0 ? kept > 0 : a.delay < b.delay;
};
/** `priorities` (highest first) with `priority` added in its place. */
const withPriority = (priorities: readonly number[], priority: number): number[] => {
  const at = priorities.findIndex((other) => other < priority);
  return at === -1 ? [...priorities, priority] : [...priorities.slice(0, at), priority, ...priorities.slice(at)];
};

const betterOf = (a: Plan, b: Plan): Plan => (better(b, a) ? b : a);

/**
 * The best plan over every order, as trying them all would find, by a search over what is left to
 * place and the day of the last send: a message that no longer fits after that day fits no later, and
 * the same messages left after the same day are placed alike whatever came before.
 */
const searchedPlan = (waiting: readonly Waiting[], lastCapped: string, now: Date, cadence: RetentionConfig['cadence']): Plan => {
  interface Placed { readonly priorities: readonly number[]; readonly delay: number; readonly slots: readonly (readonly [string, Date])[] }
  const slots = new Map<string, Date>();
  const slotOf = (index: number, previous: string): Date => {
    const key = `${index}|${previous}`;
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = slotAfter(waiting[index]!, previous, now, cadence)));
    return slot;
  };
  const solved = new Map<string, Placed>();
  const solve = (left: number, previous: string): Placed => {
    const fitting = waiting.map((_, index) => index).filter((index) => (left & (1 << index)) !== 0 && slotOf(index, previous) < new Date(waiting[index]!.deadline));
    const mask = fitting.reduce((bits, index) => bits | (1 << index), 0);
    const key = `${mask}|${previous}`;
    const known = solved.get(key);
    if (known) return known;
    let best: Placed = { priorities: [], delay: 0, slots: [] };
    for (const index of fitting) {
      const message = waiting[index]!;
      const slot = slotOf(index, previous);
      const rest = solve(mask & ~(1 << index), localDateOf(slot, message.timeZone));
      const placed = { priorities: withPriority(rest.priorities, message.priority), delay: slot.getTime() - dueOf(message, now).getTime() + rest.delay, slots: [[message.messageId, slot] as const, ...rest.slots] };
      if (better(placed, best)) best = placed;
    }
    solved.set(key, best);
    return best;
  };
  const best = solve((1 << waiting.length) - 1, lastCapped);
  return { slots: new Map(best.slots), priorities: best.priorities, delay: best.delay };
};

export const arrange = (waiting: readonly Waiting[], lastCapped: string, now: Date, config: RetentionConfig): Arrangement[] => {
  if (waiting.length === 0) return [];
  const byDeadline = [...waiting].sort((a, b) => a.deadline.localeCompare(b.deadline) || b.priority - a.priority);
  const inOrder = (order: readonly Waiting[]) => planInOrder(order, lastCapped, now, config.cadence);
  const byPriority = () => [...byDeadline].sort((a, b) => b.priority - a.priority);
  const best =
    waiting.length <= SEARCHED_UP_TO
      ? searchedPlan(byDeadline, lastCapped, now, config.cadence)
      : [inOrder(urgentFirstFillingGaps(byDeadline, lastCapped, now, config.cadence)), inOrder(byPriority())].reduce(betterOf, inOrder(byDeadline));
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
