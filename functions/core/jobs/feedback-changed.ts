import { complaintFollowUps, detractorFollowUp, followUpTriggerGone } from '../campaigns/complaint-follow-up.js';
import { surveyBlocked, surveyFor } from '../campaigns/survey.js';
import type { RetentionConfig } from '../config.js';
import { newlyPlanned, type PlannedMessage } from '../messages.js';
import type { CustomerStore, LedgerStore, Outbox } from '../ports.js';
import { recordFromItem, recordKeyOf } from '../records.js';
import { customerOf, readCurrent, type RecordKey } from './current-record.js';
import { replanCustomer } from './replan-customer.js';
import { isProvisionallyEnded } from '../customer-plan.js';

/**
 * The feedback loop, driven by the Customers table's stream: complaints plan and stop their
 * follow-ups, interactions plan surveys, and a detractor's survey answer plans a follow-up.
 * Each takes the stream image as "this record changed" and acts on the record as it is now (a
 * replayed image must never undo a later version; see current-record.ts); a record gone since plans
 * and cancels nothing here (the send-time check ends what waits for it). Each throws
 * InvalidRecordError for a record that fails validation.
 */

export interface FeedbackDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly config: RetentionConfig;
}

const stillSendable = (message: PlannedMessage, now: Date): boolean => new Date(message.deadline) > now;

/**
 * A complaint was opened, changed or resolved: plan the follow-ups its state calls for (moving
 * waiting ones when its dates changed) and cancel the waiting ones it no longer calls for: resolution
 * ends the open-state check-ins and plans the "how did we do?".
 */
export const complaintChanged = async (deps: FeedbackDeps, key: RecordKey, now: Date): Promise<void> => {
  const current = await readCurrent(deps.customers, key);
  if (current.item === undefined) return;
  const complaint = recordFromItem(current.item, 'complaint', now);
  const customer = customerOf(current.profile, now);
  if (customer === undefined) return;
  const wanted = complaintFollowUps(complaint, customer, deps.config).filter((message) => stillSendable(message, now));
  const wantedIds = new Set(wanted.map((message) => message.messageId));
  const waiting = (await deps.outbox.waitingFor(complaint.customerId)).filter((m) => m.campaign === 'complaintFollowUp' && m.sourceKey === recordKeyOf(complaint));
  let changed = false;
  for (const message of waiting) {
    if (wantedIds.has(message.messageId)) continue;
    // Ended only when the complaint's state (or episode) no longer calls for it, with the send-time check's
    // reason; one left out only by a setting changed since (fewer check-ins) goes as planned.
    const gone = followUpTriggerGone(message, complaint, deps.config);
    if (gone === null) continue;
    await deps.outbox.endWaiting(message.messageId, 'cancelled', gone, now);
    changed = true;
  }
  for (const message of wanted) changed = (await deps.outbox.replan(message, now)) !== 'unchanged' || changed;
  // Follow-ups are contacts: planned, they hold the floor; cancelled, they leave it to be held again.
  if (changed) await replanCustomer(deps, customer.customerId, now);
};

/**
 * An interaction was completed: plan its survey, or plan it cancelled with the reason when another
 * survey of the customer is closer than `minDaysBetweenSurveys`: for good when that one was sent,
 * provisionally when it is still to go (it comes back should that one end unsent). An open
 * complaint is checked when the survey is due, since it may be resolved by then.
 */
export const interactionChanged = async (deps: FeedbackDeps, key: RecordKey, now: Date): Promise<void> => {
  const current = await readCurrent(deps.customers, key);
  if (current.item === undefined) return;
  const interaction = recordFromItem(current.item, 'interaction', now);
  const customer = customerOf(current.profile, now);
  if (customer === undefined) return;
  const survey = surveyFor(interaction, customer, deps.config);
  if (survey === null || !stillSendable(survey, now)) return;
  const waiting = await deps.outbox.waitingFor(customer.customerId);
  const existing = waiting.find((message) => message.messageId === survey.messageId);
  if (existing) {
    // Kept out for another survey too close to it (below): it stays out while its time stands; a
    // replayed record would otherwise plan it again beside that one.
    if (isProvisionallyEnded(existing) && existing.dueAt === survey.dueAt && existing.deadline === survey.deadline) return;
    // A completion time corrected: the survey moves with it.
    if ((await deps.outbox.replan(survey, now)) !== 'unchanged') await replanCustomer(deps, customer.customerId, now);
    return;
  }
  if ((await deps.outbox.plan(survey, now)) !== 'planned') return; // already planned once: sent, ended, or a duplicate stream record
  const ledger = await deps.ledger.get(customer.customerId);
  // A survey sent too recently ends this one for good; one still waiting only for now: should that one
  // end unsent, this one comes back (customer-plan.ts keeps it out while the other waits).
  const sentTooRecently = surveyBlocked(survey.localDate, { complaintOpen: false, lastSurveyDate: ledger?.lastSurveyDate }, deps.config);
  const latestWaiting = waiting.filter((message) => message.campaign === 'survey' && !isProvisionallyEnded(message)).map((message) => message.localDate).sort().at(-1);
  const waitingTooClose = surveyBlocked(survey.localDate, { complaintOpen: false, lastSurveyDate: latestWaiting }, deps.config);
  if (sentTooRecently) await deps.outbox.endWaiting(survey.messageId, 'cancelled', sentTooRecently, now);
  else if (waitingTooClose) await deps.outbox.endWaiting(survey.messageId, 'cancelled', waitingTooClose, now, { provisional: true });
  // What was just read is what the arrangement needs: it need not read it again.
  else await replanCustomer(deps, customer.customerId, now, { waiting: [...waiting, newlyPlanned(survey, now)], ledger });
};

/**
 * A survey was answered (through its link, or written by a business system): a detractor's answer
 * plans a follow-up; an answer changed to a better score cancels the follow-up still waiting.
 */
export const surveyAnswered = async (deps: FeedbackDeps, key: RecordKey, now: Date): Promise<void> => {
  const current = await readCurrent(deps.customers, key);
  if (current.item === undefined) return;
  const response = recordFromItem(current.item, 'surveyResponse', now);
  const customer = customerOf(current.profile, now);
  if (customer === undefined) return;
  const followUp = detractorFollowUp(response, customer, deps.config, now);
  if (followUp !== null) {
    // One cancelled when the answer was changed to a better score comes back with the detractor's answer.
    if (stillSendable(followUp, now) && (await deps.outbox.replan(followUp, now, { revive: ['cancelled'] })) !== 'unchanged') await replanCustomer(deps, customer.customerId, now);
    return;
  }
  const waiting = await deps.outbox.waitingFor(customer.customerId);
  const cancelled = waiting.filter((m) => m.campaign === 'complaintFollowUp' && m.sourceKey === recordKeyOf(response) && !isProvisionallyEnded(m));
  for (const message of cancelled) {
    await deps.outbox.endWaiting(message.messageId, 'cancelled', `the customer changed their answer to ${response.score}`, now);
  }
  if (cancelled.length > 0) await replanCustomer(deps, customer.customerId, now);
};
