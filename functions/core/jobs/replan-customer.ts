import { readableFloorCheck } from '../cadence.js';
import type { RetentionConfig } from '../config.js';
import { isProvisionallyEnded, planCustomer, type CustomerPlan, type FloorFacts } from '../customer-plan.js';
import type { CustomerStore, LedgerEntry, LedgerStore, Outbox, PlanOutcome } from '../ports.js';
import { anyComplaintOpen } from '../campaigns/survey.js';
import { newlyPlanned, type Message, type PlannedMessage } from '../messages.js';

export interface ReplanDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly config: RetentionConfig;
}

/**
 * Makes one customer's plan again and applies it (SPEC.md, "Plans follow events"): called whenever
 * something is planned for them, and whenever one of their messages ends unsent or loses its
 * trigger. Arranges their capped messages under the cap, brings back what gave way to a slot that
 * has freed, and guards the floor by when their messages are arranged to go.
 */
export const replanCustomer = async (
  deps: ReplanDeps,
  customerId: string,
  now: Date,
  /** What the caller has just read, to save reading it again. */
  known: { readonly waiting?: readonly Message[]; readonly ledger?: LedgerEntry; readonly customer?: FloorFacts; readonly added?: string } = {},
): Promise<CustomerPlan> => {
  const waiting = known.waiting ?? (await deps.outbox.waitingFor(customerId));
  // A message just planned beside nothing it could be arranged with only adds to the floor, and the
  // dispatcher's cap check places it where the arrangement would: the ledger need not be read.
  const alone = (message: Message) => message.messageId === known.added || (!message.countsTowardCap && !isProvisionallyEnded(message));
  if (known.added !== undefined && known.ledger === undefined && waiting.every(alone)) return { steps: [], floor: 'unguarded' };
  const ledger = known.ledger ?? (await deps.ledger.get(customerId));
  const facts = ledger?.timeZone !== undefined && ledger.marketingOptIn !== undefined ? { customerId, timeZone: ledger.timeZone, marketingOptIn: ledger.marketingOptIn } : undefined;
  // Complaints are read only for a survey that could still go: an open one keeps it out of the plan.
  const surveyWaits = waiting.some((message) => message.campaign === 'survey' && new Date(message.deadline) > now);
  const complaintOpen = surveyWaits && anyComplaintOpen(await deps.customers.recordsOfType(customerId, 'complaint'), now);
  const input = { waiting, ledger, customer: known.customer ?? facts, now, config: deps.config, complaintOpen };
  let plan = planCustomer(input);
  const keepInTouch = plan.steps.find((step) => step.kind === 'keepInTouch');
  // One suppressed while the customer could not be written to (consent withdrawn) comes back now that the
  // ledger says they can: the floor it was for is theirs again.
  if (keepInTouch && (await deps.outbox.replan(keepInTouch.message, now, { revive: ['suppressed'] })) === 'unchanged' && !waiting.some((m) => m.messageId === keepInTouch.message.messageId)) {
    // This floor's keep-in-touch already ended for good (sent, cancelled): plan without it.
    plan = planCustomer({ ...input, keepInTouchAvailable: false });
  }
  for (const step of plan.steps) {
    if (step.kind === 'slot') await deps.outbox.reschedule({ messageId: step.messageId, customerId }, step, now);
    else if (step.kind === 'end') await deps.outbox.endWaiting(step.messageId, step.state, step.reason, now, { provisional: step.provisional });
  }
  if (ledger && plan.floorCheckDate !== undefined) {
    const floorCheckDate = readableFloorCheck(plan.floorCheckDate, now);
    if (floorCheckDate !== ledger.floorCheckDate) await deps.ledger.setFloorCheck(customerId, floorCheckDate);
  }
  return plan;
};

/**
 * Plans a dated message (a birthday greeting, a renewal reminder) and, when it is new, makes the
 * customer's plan again with it. The customer's waiting messages are read before it is written, and
 * it joins them as written: the arrangement sees what it would have read after the write, without
 * reading the new message back (nor missing it, should the index not show it yet).
 */
export const planAndArrange = async (deps: ReplanDeps, message: PlannedMessage, now: Date, options: { readonly revive?: readonly 'cancelled'[] } = {}): Promise<PlanOutcome> => {
  const waiting = await deps.outbox.waitingFor(message.customerId);
  const existing = waiting.find((m) => m.messageId === message.messageId);
  if (existing && !isProvisionallyEnded(existing) && (existing.dueAt !== message.dueAt || existing.deadline !== message.deadline)) {
    // Waiting for another moment (planned under settings changed since, such as another leap-day
    // policy): it moves to this one, or it would be cancelled there and this one never planned.
    const moved = await deps.outbox.replan(message, now);
    if (moved !== 'unchanged') await replanCustomer(deps, message.customerId, now);
    return moved;
  }
  // `revive`: one ended for good in such a state, its reason gone, comes back (Outbox `replan`).
  const outcome = options.revive ? await deps.outbox.replan(message, now, { revive: options.revive }) : await deps.outbox.plan(message, now);
  if (outcome === 'planned') {
    const others = waiting.filter((m) => m.messageId !== message.messageId);
    await replanCustomer(deps, message.customerId, now, { added: message.messageId, waiting: [...others, newlyPlanned(message, now)] });
  } else if (outcome === 'updated') await replanCustomer(deps, message.customerId, now);
  return outcome;
};
