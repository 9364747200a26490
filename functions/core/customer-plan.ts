import { arrange, comparePriorities, dueOf } from './arrange.js';
import { firstSendableInstant, floorOf, NEVER } from './cadence.js';
import { addDays, endOfLocalDay, localDateOf, type LocalDate } from './calendar.js';
import type { RetentionConfig } from './config.js';
import { hasMarketingConsent } from './consent.js';
import { keepInTouchFor, keepInTouchIdFor, keepInTouchTarget } from './campaigns/keep-in-touch.js';
import { surveyBlocked } from './campaigns/survey.js';
import type { Message, PlannedMessage } from './messages.js';
import { isHeldOut } from './measurement/holdout.js';

/**
 * One customer's plan, made again whenever something changes for them (SPEC.md, "Plans follow
 * events"): their capped messages arranged under the cap, and the floor guarded by when those
 * messages are arranged to go, not by when they fall due. Pure: the job reads and applies.
 *
 * A message the arrangement leaves out is ended *provisionally*: it keeps its place among the
 * customer's waiting messages until its deadline, so it comes back if the slot it gave way for frees.
 *
 * A message of a campaign the customer is held out of (`measurement`, measurement/holdout.ts) will
 * never be sent: it takes no slot and never holds the floor; it waits as planned until the dispatcher
 * records it `heldOut`. While a customer is held out of keep-in-touch the floor does not apply to them.
 */

/** What of the profile the floor needs (the ledger carries a copy). */
export interface FloorFacts {
  readonly customerId: string;
  readonly timeZone: string;
  readonly marketingOptIn: boolean;
}

/** What of the contact ledger the plan needs. */
export interface LedgerFacts {
  readonly lastContactDate: LocalDate;
  readonly lastCappedDate: LocalDate;
  /** The local date the ledger was opened: a floor that starts there is the customer's first. */
  readonly openedOn?: LocalDate;
  /** The local date of the last survey sent: a survey kept out for one too close stays out. */
  readonly lastSurveyDate?: LocalDate;
}

export type PlanStep =
  /** Create the floor's keep-in-touch, or move (and bring back) the one there is. */
  | { readonly kind: 'keepInTouch'; readonly message: PlannedMessage }
  /** A waiting (or provisionally ended) message goes at this slot. */
  | { readonly kind: 'slot'; readonly messageId: string; readonly state: 'planned' | 'deferred'; readonly sendAfter: Date; readonly reason: string | null }
  /** A message ends: provisionally (it may come back before its deadline) or for good. */
  | { readonly kind: 'end'; readonly messageId: string; readonly state: 'expired' | 'cancelled'; readonly reason: string; readonly provisional: boolean };

export interface CustomerPlan {
  readonly steps: readonly PlanStep[];
  /** When the floor planner should look at this customer again; undefined: leave it as it is. */
  readonly floorCheckDate?: LocalDate;
  /** How the floor stands: held by another message, by a keep-in-touch, or not guarded here. */
  readonly floor: 'held' | 'keepInTouch' | 'unguarded';
}

export interface CustomerPlanInput {
  /** The customer's waiting messages as stored: planned, deferred, or provisionally ended. */
  readonly waiting: readonly Message[];
  readonly ledger?: LedgerFacts;
  /** Undefined when the profile's zone and consent are not known: the floor is then left alone. */
  readonly customer?: FloorFacts;
  readonly now: Date;
  readonly config: RetentionConfig;
  /** False when the floor's keep-in-touch already ended for good (sent, suppressed): none can be planned for it. */
  readonly keepInTouchAvailable?: boolean;
  /**
   * True when a complaint of the customer is open: a survey then goes nowhere (the dispatcher cancels
   * one that falls due meanwhile), so it neither takes a slot nor holds the floor until it is resolved.
   */
  readonly complaintOpen?: boolean;
}

/**
 * A keep-in-touch is planned only when nothing else holds the floor, so in the arrangement it goes
 * before every other message (the floor is the band's promise); its own priority stays as stored.
 */
const FLOOR_PRIORITY = Number.MAX_SAFE_INTEGER / 2;
const asFloor = <T extends { readonly priority: number }>(message: T): T => ({ ...message, priority: FLOOR_PRIORITY });

/** A message that the arrangement (or the floor) ended but that may still come back. */
export const isProvisionallyEnded = (message: Partial<Pick<Message, 'state'>>): boolean => message.state === 'expired' || message.state === 'cancelled';

type Waiting = Pick<Message, 'messageId' | 'customerId' | 'campaign' | 'priority' | 'dueAt' | 'deadline' | 'timeZone' | 'countsTowardCap' | 'sendAfter'> & Partial<Pick<Message, 'state' | 'reason'>>;

/** Where each kept message goes: capped ones by the arrangement, the others when they are due. */
const arrangedDates = (capped: readonly Waiting[], uncapped: readonly Waiting[], lastCapped: LocalDate, now: Date, config: RetentionConfig) => {
  const slots = new Map<string, Date>();
  const expired = new Map<string, string>();
  for (const result of arrange(capped, lastCapped, now, config)) {
    if ('sendAfter' in result) slots.set(result.messageId, result.sendAfter);
    else expired.set(result.messageId, result.expire);
  }
  for (const message of uncapped) {
    const from = new Date(Math.max(Date.parse(message.sendAfter), now.getTime()));
    slots.set(message.messageId, firstSendableInstant(from, message.timeZone, config.cadence));
  }
  return { slots, expired };
};

export const planCustomer = (input: CustomerPlanInput): CustomerPlan => {
  const { now, config } = input;
  const steps: PlanStep[] = [];
  const lastCapped = input.ledger?.lastCappedDate ?? NEVER;
  const live: Waiting[] = [];
  for (const message of input.waiting) {
    if (new Date(message.deadline) > now) {
      if (!isHeldOut(message.customerId, message.campaign, config.measurement)) live.push(message);
      // Held out: outside the arrangement. One the arrangement had left out (before the share was
      // raised) comes back, so the dispatcher records it held out where it would have gone.
      else if (message.state === 'expired') {
        steps.push({ kind: 'slot', messageId: message.messageId, state: 'planned', sendAfter: dueOf(message, now), reason: null });
      }
    }
    // Past its deadline, a provisional end is final; a waiting one is the dispatcher's to expire.
    else if (isProvisionallyEnded(message)) steps.push({ kind: 'end', messageId: message.messageId, state: message.state as 'expired' | 'cancelled', reason: message.reason ?? 'its deadline passed', provisional: false });
  }
  const isKeepInTouch = (message: Waiting) => message.campaign === 'keepInTouch';
  // A survey kept out for another one still to go too close to it (feedback-changed.ts), or sent since,
  // stays out by the same spacing rule (survey.ts surveyBlocked); it comes back once that one has ended unsent.
  const dayOf = (message: Waiting): LocalDate => localDateOf(new Date(message.dueAt), message.timeZone);
  const tooClose = (message: Waiting, other: LocalDate | undefined) => surveyBlocked(dayOf(message), { complaintOpen: false, lastSurveyDate: other }, config) !== null;
  const spacedOut = (message: Waiting) =>
    message.campaign === 'survey' &&
    isProvisionallyEnded(message) &&
    (tooClose(message, input.ledger?.lastSurveyDate) || live.some((other) => other.campaign === 'survey' && other !== message && !isProvisionallyEnded(other) && tooClose(message, dayOf(other))));
  const blockedByComplaint = (message: Waiting) => input.complaintOpen === true && message.campaign === 'survey';
  const others = live.filter((message) => !isKeepInTouch(message) && !spacedOut(message) && !blockedByComplaint(message));
  const keepInTouches = live.filter(isKeepInTouch);

  const guard = guardFloor(input, others, keepInTouches, lastCapped);
  steps.push(...guard.steps);
  const capped = [...others.filter((message) => message.countsTowardCap), ...guard.keepInTouch];
  const { slots, expired } = arrangedDates(capped, [], lastCapped, now, config);
  // How each message stands before these steps: as stored, or as the keep-in-touch step leaves it.
  const before = new Map<string, Waiting>([...input.waiting, ...guard.keepInTouch].map((message) => [message.messageId, message]));
  for (const message of capped) {
    const was = before.get(message.messageId)!;
    const slot = slots.get(message.messageId);
    if (slot) {
      const state = slot.getTime() > Date.parse(message.dueAt) ? 'deferred' : 'planned';
      if (!isProvisionallyEnded(was) && was.sendAfter === slot.toISOString()) continue;
      steps.push({ kind: 'slot', messageId: message.messageId, state, sendAfter: slot, reason: state === 'deferred' ? 'deferred by the planner to keep the weekly cap for the messages around it' : null });
    } else {
      const reason = expired.get(message.messageId)!;
      if (isProvisionallyEnded(was) && was.reason === reason) continue;
      steps.push({ kind: 'end', messageId: message.messageId, state: 'expired', reason, provisional: true });
    }
  }
  const keepInTouchLeftOut = guard.keepInTouch.some((message) => !slots.has(message.messageId));
  // A keep-in-touch with no slot now: look again tomorrow, when what blocks it may have gone.
  const floorCheckDate = keepInTouchLeftOut && input.customer ? addDays(localDateOf(now, input.customer.timeZone), 1) : guard.floorCheckDate;
  return { steps, floorCheckDate, floor: guard.floor };
};

/**
 * The floor: if nothing else is arranged to reach a consenting customer by the floor's last day, the
 * floor's keep-in-touch goes as late as the band allows: on its target day, or earlier only as far as
 * the messages after it need to keep their slots. Keep-in-touch messages of floors already met end.
 */
const guardFloor = (input: CustomerPlanInput, others: readonly Waiting[], keepInTouches: readonly Waiting[], lastCapped: LocalDate) => {
  const { now, config, customer, ledger } = input;
  const steps: PlanStep[] = [];
  const settings = config.campaigns.keepInTouch;
  // Not guarded here: waiting keep-in-touch messages stay as they are (the send-time check has the last word).
  const unguarded = (floorCheckDate: LocalDate | undefined) => ({ steps, keepInTouch: keepInTouches.filter((message) => !isProvisionallyEnded(message)), floor: 'unguarded' as const, floorCheckDate });
  if (!customer || !ledger || !hasMarketingConsent(customer)) return unguarded(undefined);
  // With keep-in-touch switched off, the customer is looked at again in a week, so switching it back on
  // finds them: a check left on a date already read would never be read again.
  if (!settings.enabled) return unguarded(addDays(localDateOf(now, customer.timeZone), config.cadence.minDaysBetween));
  const today = localDateOf(now, customer.timeZone);
  const floor = floorOf(ledger.lastContactDate, config.cadence);
  if (isHeldOut(customer.customerId, 'keepInTouch', config.measurement)) {
    // The floor does not apply while the customer is held out of keep-in-touch: none is planned (one
    // planned before waits for the dispatcher, which records it held out). Looked at again after this
    // floor, and no sooner than minDaysBetween from today, in case the share changes.
    const after = addDays(floor.lastDay, 1);
    const soonest = addDays(today, config.cadence.minDaysBetween);
    return { steps, keepInTouch: [], floor: 'unguarded' as const, floorCheckDate: after > soonest ? after : soonest };
  }
  // A floor already lost (an outage) is held again as soon as possible.
  const lastDay = floor.lastDay >= today ? floor.lastDay : addDays(today, 1);
  const currentId = keepInTouchIdFor(customer.customerId, lastDay);
  for (const message of keepInTouches) {
    if (message.messageId === currentId) continue;
    // A floor that ends sooner than the one it was for was shortened by a narrower band, not met.
    const reason = Date.parse(message.deadline) > endOfLocalDay(lastDay, customer.timeZone).getTime() ? `the floor now ends on ${lastDay}: the cadence band changed` : `a message on ${ledger.lastContactDate} met the floor it was for`;
    steps.push({ kind: 'end', messageId: message.messageId, state: 'cancelled', reason, provisional: false });
  }
  const current = keepInTouches.find((message) => message.messageId === currentId);

  const cappedOthers = others.filter((message) => message.countsTowardCap);
  const baseline = arrangedDates(cappedOthers, others.filter((message) => !message.countsTowardCap), lastCapped, now, config);
  const holder = [...baseline.slots.entries()]
    .map(([messageId, slot]) => ({ messageId, date: localDateOf(slot, customer.timeZone) }))
    .filter((held) => held.date <= lastDay)
    .sort((a, b) => a.date.localeCompare(b.date))[0];
  if (holder) {
    const reason = `not needed: ${holder.messageId} reaches the customer on ${holder.date}, within the floor`;
    if (current && !(isProvisionallyEnded(current) && current.reason === reason)) steps.push({ kind: 'end', messageId: currentId, state: 'cancelled', reason, provisional: true });
    return { steps, keepInTouch: [], floor: 'held' as const, floorCheckDate: checkAfter(holder.date) };
  }
  if (input.keepInTouchAvailable === false) return { steps, keepInTouch: [], floor: 'unguarded' as const, floorCheckDate: checkAfter(lastDay) };

  // As late as the band allows: the latest due day that leaves every message the baseline arranges
  // where it arranges it (kept, and not pushed later). When no day does (a message arrived late), the
  // floor comes first: the most of the others kept (by priority), then the most of them on time.
  const target = [keepInTouchTarget(customer.customerId, ledger, config.cadence), lastDay].sort()[0]!;
  const firstDay = today > target ? target : today;
  let chosen: { message: PlannedMessage; kept: readonly number[]; onTime: number } | undefined;
  for (let day = target; day >= firstDay; day = addDays(day, -1)) {
    const candidate = keepInTouchFor(customer, lastDay, day < today ? today : day, config);
    const trial = arrangedDates([...cappedOthers, asFloor({ ...candidate, sendAfter: candidate.dueAt })], [], lastCapped, now, config);
    if (!trial.slots.has(candidate.messageId)) continue;
    const kept = cappedOthers.filter((message) => trial.slots.has(message.messageId)).map((message) => message.priority).sort((a, b) => b - a);
    const asInBaseline = (message: Waiting) => trial.slots.get(message.messageId)?.getTime() === baseline.slots.get(message.messageId)?.getTime();
    const onTime = cappedOthers.filter((message) => baseline.slots.has(message.messageId) && asInBaseline(message)).length;
    const keeps = chosen ? comparePriorities(kept, chosen.kept) : 1;
    if (!chosen || keeps > 0 || (keeps === 0 && onTime > chosen.onTime)) chosen = { message: candidate, kept, onTime };
    if (cappedOthers.every((message) => !baseline.slots.has(message.messageId) || asInBaseline(message))) break;
  }
  if (!chosen) chosen = { message: keepInTouchFor(customer, lastDay, target < today ? today : target, config), kept: [], onTime: 0 };
  const message = chosen.message;
  const unchanged = current && !isProvisionallyEnded(current) && current.dueAt === message.dueAt && current.deadline === message.deadline;
  if (!unchanged) steps.push({ kind: 'keepInTouch', message });
  const waitingForm = unchanged ? current : { ...message, sendAfter: message.dueAt, state: 'planned' as const };
  return { steps, keepInTouch: [asFloor(waitingForm)], floor: 'keepInTouch' as const, floorCheckDate: checkAfter(lastDay) };
};

/**
 * The floor check after a message due on `day`: the first the floor planner reads once that day has
 * ended in every zone. The planner reads a day ahead of UTC (the latest local date anywhere), so a
 * check on `day` + 1 would be read while the message still waits to go that day, finding nothing to
 * do (at 10,000 customers, 312 of a day's 713 checks did); its send moves the check on anyway
 * (recordContact), and one that ends unsent makes the plan again at once (dispatch.ts).
 */
const checkAfter = (day: LocalDate): LocalDate => addDays(day, 2);
