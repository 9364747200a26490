import { needsSurveyFacts, triggerGone } from '../campaigns/index.js';
import { anyComplaintOpen, type SurveyFacts } from '../campaigns/survey.js';
import { preferenceUrls, surveyAnswerUrls, type LinkSigning } from '../links.js';
import { preferencesFromItem, PREFERENCES_RECORD_KEY } from '../preferences.js';
import type { CampaignName, RetentionConfig } from '../config.js';
import { consentBlocks } from '../consent.js';
import { InvalidRecordError, MailFailure } from '../errors.js';
import { nextAttemptAfter, type DueMessage } from '../messages.js';
import type { CustomerStore, LedgerEntry, LedgerStore, Mailer, Outbox, SuppressionStore } from '../ports.js';
import { addressKey, suppressionOf } from '../suppression.js';
import { capThreshold, firstCapSlot, firstSendableInstant, floorCheckAfterContact, retryInstant } from '../cadence.js';
import { later, localDateOf } from '../calendar.js';
import { customerFromItem, parseStoredRecord, PROFILE_RECORD_KEY, recordTypeOfKey, type BusinessRecord, type Customer } from '../records.js';
import { renderEmail, templateOf, type RenderContext } from '../templates/index.js';
import type { TemplateSet } from '../templates/types.js';
import { forEachConcurrently } from '../concurrency.js';
import { replanCustomer } from './replan-customer.js';
import { floorStartOf } from '../campaigns/keep-in-touch.js';
import { chooseKeepInTouchContent } from '../campaigns/keep-in-touch-content.js';
import { heldOutReason, isHeldOut } from '../measurement/holdout.js';
import { unpaced, type SendPacer, type SendTicket } from '../pacing.js';

export interface DispatchDeps {
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly customers: CustomerStore;
  readonly mailer: Mailer;
  readonly suppressions: SuppressionStore;
  readonly config: RetentionConfig;
  /** The templates to write with: the active version (`retention templates push`). */
  readonly templates: TemplateSet;
  /** Where one-click links point and what signs them. */
  readonly links: LinkSigning;
  /** A fresh unique id per claim, so only the claimer can finish what it took. */
  readonly newClaimId: () => string;
  /**
   * The time of each call that takes or checks a claim. A run's decisions use the time it started;
   * its lease must not: a slow run would find its own lapsed claim still valid.
   */
  readonly clock: () => Date;
  /** How many messages are sent at once. */
  readonly concurrency?: number;
  /**
   * When each message may be handed to SES, and whether the run has time to claim one more (pacing.ts);
   * one pacer for a whole invocation. Absent: unpaced.
   */
  readonly pacer?: SendPacer;
  /** Told of an unexpected failure of one message, left claimed; the others go on. */
  readonly onError: (messageId: string, error: Error) => void;
  /** Told of a step that failed after a message's outcome was recorded (`step` names the message and the step): the message is not the worse for it. */
  readonly onStepError: (step: string, error: Error) => void;
  /** Told when the sending account or its setup refuses a message: the messages are held, and someone must mend it. */
  readonly onAccountFault: (messageId: string, reason: string) => void;
}

/**
 * `held`: an account fault met earlier in the run, or the run's time ran out at its send rate (its pacer
 * admitted no more): the message was left waiting, untouched, for the next run.
 * `paused`: a marketing message while `sending.marketingPaused`; back to wait (backoff) until its deadline.
 * `heldOut`: the customer is in the campaign's holdout (measurement/holdout.ts): ended where it would have been sent, never sent.
 * `erased`: its item was gone at the hand-over mark (its customer erased while it was claimed): never sent, nothing left to record.
 */
export type DispatchOutcome = 'sent' | 'deferred' | 'retrying' | 'held' | 'paused' | 'expired' | 'suppressed' | 'cancelled' | 'heldOut' | 'taken' | 'erased' | 'failed' | 'unconfirmed';

/** A count of zero for every outcome, to add to. */
export const noOutcomes = (): Record<DispatchOutcome, number> => ({ sent: 0, deferred: 0, retrying: 0, held: 0, paused: 0, expired: 0, suppressed: 0, cancelled: 0, heldOut: 0, taken: 0, erased: 0, failed: 0, unconfirmed: 0 });

/** Adds `from`'s counts to `to`'s. */
export const addOutcomes = (to: Record<DispatchOutcome, number>, from: Record<DispatchOutcome, number>): Record<DispatchOutcome, number> => {
  for (const [outcome, count] of Object.entries(from)) to[outcome as DispatchOutcome] += count;
  return to;
};

/** Why a marketing message waits while marketing is paused. */
export const MARKETING_PAUSED = 'held: marketing is paused (sending.marketingPaused, set by ops or the SES reputation alarm)';

export interface DispatchResult {
  readonly due: number;
  readonly outcomes: Record<DispatchOutcome, number>;
  /** The same counts by campaign; a campaign none of whose messages were due is absent. */
  readonly byCampaign: Partial<Record<CampaignName, Record<DispatchOutcome, number>>>;
}

/**
 * Sends what is due. Each message is claimed with a conditional write before anything else, so two
 * dispatchers (or a replayed invocation) can never both send it. Then, with the customer as they are
 * now: past its deadline it expires; without consent it is suppressed; with its trigger gone it is
 * cancelled; a message of a campaign the customer is held out of (`measurement`, read by this run)
 * ends `heldOut`, unsent and uncounted by the band; a marketing message while marketing is paused (`sending.marketingPaused`) waits with
 * backoff until its deadline; in quiet hours it is held until they end. A capped message takes the cap on the
 * customer's ledger (a conditional write) or is deferred to the first day the cap allows, or expires
 * when that is past its deadline. How a failed send ends depends on what it means (MailFailure):
 * refused or an account fault gives the cap back and the message waits (backoff) until its deadline;
 * an ambiguous one is recorded as sent, unconfirmed; a refused address is suppressed. After an account
 * fault the run claims nothing more: the rest waits, untouched, for the next run. `shards`: the `byDue`
 * partitions to read (a sender's part, send-work.ts); every one when absent.
 */
export const dispatchDue = async (deps: DispatchDeps, now: Date, shards?: readonly string[]): Promise<DispatchResult> => {
  const { config } = deps;
  const due = await deps.outbox.due(now, config.dispatcher.maxMessagesPerRun, shards);
  // The profiles, the customers' preferences and the records the messages are about (a renewal's contract), in one read.
  const items = await deps.customers.getItems(
    due.flatMap((m) => [
      { customerId: m.customerId, recordKey: PROFILE_RECORD_KEY },
      { customerId: m.customerId, recordKey: PREFERENCES_RECORD_KEY },
      ...(m.sourceKey ? [{ customerId: m.customerId, recordKey: m.sourceKey }] : []),
    ]),
  );
  const itemOf = (customerId: string, recordKey: string) => items.get(`${customerId}|${recordKey}`);
  // Suppressed addresses among the recipients, in one read: suppression stops every message, service ones too.
  const addresses = due.map((m) => (itemOf(m.customerId, PROFILE_RECORD_KEY) as { email?: unknown } | undefined)?.email).filter((email): email is string => typeof email === 'string');
  const suppressed = addresses.length > 0 ? await deps.suppressions.suppressedAmong(addresses.map(addressKey)) : new Map<string, string>();
  // The ledgers a keep-in-touch (was its floor met?) and a survey (its spacing) are checked against, in one read.
  const ledgerReaders = due.filter((m) => m.campaign === 'keepInTouch' || needsSurveyFacts(m.campaign)).map((m) => m.customerId);
  const ledgers = ledgerReaders.length > 0 ? await deps.ledger.getMany(ledgerReaders) : new Map<string, LedgerEntry>();
  const byCampaign: Partial<Record<CampaignName, Record<DispatchOutcome, number>>> = {};
  const run: RunState = { accountFault: false };

  const pacer = deps.pacer ?? unpaced();
  /** `afterAnother`: this run has handled another message of the customer's, which may have changed their ledger. */
  const dispatchOne = async (message: DueMessage, afterAnother: boolean): Promise<DispatchOutcome> => {
    if (run.accountFault) return 'held';
    // Claimed only if its send can start, at the run's rate, before the run must stop.
    const ticket = pacer.admit();
    if (!ticket) return 'held';
    try {
      return await dispatchAdmitted(message, ticket, afterAnother);
    } finally {
      ticket.close();
    }
  };
  const dispatchAdmitted = async (message: DueMessage, ticket: SendTicket, afterAnother: boolean): Promise<DispatchOutcome> => {
    const claimId = deps.newClaimId();
    const claimedAt = deps.clock();
    const leaseUntil = new Date(claimedAt.getTime() + config.dispatcher.claimLeaseMinutes * 60_000);
    const claimed = await deps.outbox.claim(message.messageId, claimId, claimedAt, leaseUntil);
    if (!claimed) {
      // Not to be taken: another run has it, it has ended, or its claimer handed it to the mail service and
      // stopped before recording the result (its lease run out): then it is never sent again.
      const handedOverAt = await deps.outbox.settleUnconfirmed(message.messageId, deps.clock());
      if (handedOverAt === undefined) return 'taken';
      await recordUnconfirmedContact(deps, message, handedOverAt, itemOf(message.customerId, PROFILE_RECORD_KEY)).catch((error: Error) => deps.onStepError(`${message.messageId} (its contact)`, error));
      return 'unconfirmed';
    }
    try {
      // Taken over from a run that stopped part-way: a cap that run took for it goes back first (this run
      // takes it afresh if the message goes now), or a message that ends unsent would hold it for a week.
      if (claimed === 'reclaimed' && message.countsTowardCap) await deps.ledger.releaseCap(message.customerId, message.messageId);
      const source = message.sourceKey ? itemOf(message.customerId, message.sourceKey) : undefined;
      const ledger = afterAnother ? () => deps.ledger.get(message.customerId) : async () => ledgers.get(message.customerId);
      const stored = { profile: itemOf(message.customerId, PROFILE_RECORD_KEY), preferences: itemOf(message.customerId, PREFERENCES_RECORD_KEY), source, suppressed, ledger };
      return await sendClaimed(deps, message, claimId, stored, now, run, ticket);
    } catch (error) {
      // Unknown outcome (a bug, or the record of a send failing): the claim stays. When its lease runs out the message
      // is claimed again if it never reached the mail service, or recorded as sent, unconfirmed, if it may have.
      deps.onError(message.messageId, error as Error);
      return 'failed';
    }
  };

  // One customer's messages go one after another, highest priority first, so a message never loses
  // the cap to a lesser one due at the same moment; different customers go in parallel.
  const byCustomer = new Map<string, DueMessage[]>();
  for (const message of due) byCustomer.set(message.customerId, [...(byCustomer.get(message.customerId) ?? []), message]);
  await forEachConcurrently([...byCustomer.entries()], deps.concurrency ?? 8, async ([customerId, messages]) => {
    let endedUnsent = false;
    for (const [index, message] of messages.sort((a, b) => b.priority - a.priority).entries()) {
      const outcome = await dispatchOne(message, index > 0);
      (byCampaign[message.campaign] ??= noOutcomes())[outcome]++;
      endedUnsent ||= outcome === 'expired' || outcome === 'suppressed' || outcome === 'cancelled' || outcome === 'heldOut';
    }
    // A message that ended unsent may have held a slot or the floor (a held-out one, under a share raised
    // since it was arranged): the customer's plan is made again at once.
    if (endedUnsent) {
      await replanCustomer(deps, customerId, now).catch((error: Error) => deps.onStepError(`${customerId} (replanning)`, error));
    }
  });
  const outcomes = Object.values(byCampaign).reduce(addOutcomes, noOutcomes());
  return { due: due.length, outcomes, byCampaign };
};

/** The customer's items as read at the start of the run: profile, preferences, and the record the message is about. */
interface StoredItems {
  readonly profile: unknown;
  readonly preferences: unknown;
  readonly source: unknown;
  /** Suppressed address keys among the run's recipients, with their reasons. */
  readonly suppressed: ReadonlyMap<string, string>;
  /** The customer's ledger: as read at the start of the run, or read again after another of their messages in this run (it may have recorded a contact). */
  readonly ledger: () => Promise<LedgerEntry | undefined>;
}

/** What one message's failure tells the rest of the run. */
interface RunState {
  accountFault: boolean;
}

/**
 * A message settled as sent, unconfirmed, may have reached the customer on the day it was handed
 * over: the floor counts from that day (its cap reservation was never given back).
 */
const recordUnconfirmedContact = async (deps: DispatchDeps, message: DueMessage, handedOverAt: Date, profile: unknown): Promise<void> => {
  const timeZone = (profile as { timeZone?: unknown } | undefined)?.timeZone;
  if (typeof timeZone !== 'string') return;
  const day = localDateOf(handedOverAt, timeZone);
  await deps.ledger.recordContact(message.customerId, day, floorCheckAfterContact(day, deps.clock(), deps.config.cadence), { survey: message.campaign === 'survey', at: handedOverAt });
};

const sendClaimed = async (deps: DispatchDeps, message: DueMessage, claimId: string, stored: StoredItems, now: Date, run: RunState, ticket: SendTicket): Promise<DispatchOutcome> => {
  const { profile, source: sourceItem } = stored;
  const { outbox, config } = deps;
  const finish = async (state: 'expired' | 'suppressed' | 'cancelled' | 'heldOut', reason: string): Promise<DispatchOutcome> => {
    await outbox.finish(message.messageId, claimId, state, reason, now);
    return state;
  };
  // Nothing can be written to the customer until their profile changes (another address, a mended
  // profile) or their address's suppression is lifted: the floor is left, or a keep-in-touch would be
  // planned and suppressed every few days.
  const unreachable = async (reason: string, suppressedAddress?: string): Promise<DispatchOutcome> => {
    await deps.ledger.markUnreachable(message.customerId, suppressedAddress);
    return finish('suppressed', reason);
  };

  if (new Date(message.deadline) <= now) return finish('expired', 'its deadline passed before it could be sent');
  if (profile === undefined) return finish('cancelled', 'the customer no longer exists');
  let customer: Customer;
  try {
    customer = customerFromItem(profile, now);
  } catch (error) {
    if (error instanceof InvalidRecordError) return unreachable(`the customer profile is invalid: ${error.message}`);
    throw error;
  }
  const address = addressKey(customer.email);
  const suppression = stored.suppressed.get(address);
  if (suppression) return unreachable(`the address is suppressed: ${suppression}`, address);
  const noConsent = consentBlocks(message, customer, preferencesFromItem(stored.preferences));
  if (noConsent) return finish('suppressed', noConsent);
  const sourceType = message.sourceKey === undefined ? undefined : recordTypeOfKey(message.sourceKey);
  const parsedSource = sourceItem === undefined || sourceType === undefined ? undefined : parseStoredRecord(sourceItem, sourceType, now);
  const source = parsedSource?.ok ? parsedSource.record : undefined;
  // A record that is there but does not read (a field misspelt by its writer) neither calls for the message nor lets it go.
  const unreadableSource = parsedSource !== undefined && !parsedSource.ok ? parsedSource.rejection.reason : undefined;
  const survey = unreadableSource === undefined && needsSurveyFacts(message.campaign) ? await surveyFactsOf(deps, customer.customerId, stored.ledger, now) : undefined;
  const gone = unreadableSource === undefined ? triggerGone(message, customer, config, { now, source, survey }) : null;
  if (gone) return finish('cancelled', gone);
  // A keep-in-touch is for one floor: a message since it began met it (and the next floor has its own).
  const ledgerNow = message.campaign === 'keepInTouch' ? await stored.ledger() : undefined;
  if (ledgerNow && ledgerNow.lastContactDate > floorStartOf(message.occurrence, config.cadence)) {
    return finish('cancelled', `not needed: a message on ${ledgerNow.lastContactDate} met the floor it was for`);
  }
  // Where it would otherwise go: held out of its campaign, it ends here, before the pause, the quiet
  // hours and the cap, so it takes no cap, records no contact and never reaches the mail service.
  if (isHeldOut(customer.customerId, message.campaign, config.measurement)) return finish('heldOut', heldOutReason(message.campaign, config.measurement));

  const { cadence } = config;
  const deadline = new Date(message.deadline);
  const timeZone = customer.timeZone;
  /** Holds the message until `until` (the band's next slot), or expires it when that is past its deadline. */
  const holdUntil = async (until: Date, why: string): Promise<DispatchOutcome> => {
    if (until >= deadline) return finish('expired', `${why}, and no slot was left before its deadline`);
    await outbox.release(message.messageId, claimId, { state: 'deferred', sendAfter: until, reason: why }, now);
    return 'deferred';
  };
  /** Back to wait (backoff) for something that may pass (a mail service failure, a pause), or expired when that is past the deadline. */
  const retryLater = async (reasons: { readonly waiting: string; readonly expired: string }, outcome: 'retrying' | 'paused' = 'retrying'): Promise<DispatchOutcome> => {
    const retryAt = retryInstant(nextAttemptAfter(message.attempts + 1, now, config.dispatcher), now, deadline, timeZone, cadence);
    if (!retryAt) return finish('expired', reasons.expired);
    await outbox.release(message.messageId, claimId, { state: 'planned', sendAfter: retryAt, reason: reasons.waiting }, now);
    return outcome;
  };

  if (unreadableSource !== undefined) {
    // Whether it still calls for the message cannot be told: it waits for the record to be mended, until its deadline.
    return retryLater({ waiting: `waiting for its ${sourceType} record to read: ${unreadableSource}`, expired: `its ${sourceType} record did not read until the deadline: ${unreadableSource}` });
  }

  if (message.messageClass === 'marketing' && config.sending.marketingPaused) {
    return retryLater({ waiting: MARKETING_PAUSED, expired: `${MARKETING_PAUSED} until its deadline` }, 'paused');
  }

  const sendable = firstSendableInstant(now, timeZone, cadence);
  if (sendable > now) return holdUntil(sendable, 'held for quiet hours');

  const today = localDateOf(now, timeZone);
  // Rendered before the cap is taken: a template that fails leaves the cap as it was.
  // What this keep-in-touch is about: never what the last one was about.
  const keepInTouchContent = message.campaign === 'keepInTouch' ? chooseKeepInTouchContent(customer, today, ledgerNow?.lastKeepInTouchContent, config) : undefined;
  const keepInTouch = keepInTouchContent && { content: keepInTouchContent, config: config.campaigns.keepInTouch.content, sendDate: today };
  const context = { ...renderContextOf(deps, message, customer, source, now), keepInTouch };
  const email = { ...renderEmail(templateOf(message), customer, context), headers: listUnsubscribeHeaders(context.unsubscribeUrl) };

  const capped = message.countsTowardCap;
  if (capped) {
    const reservation = await deps.ledger.reserveCap(customer.customerId, message.messageId, today, capThreshold(today, cadence), now);
    if (!reservation.taken) {
      return holdUntil(firstCapSlot(now, reservation.lastCappedDate, timeZone, cadence), `deferred by the weekly cap (last capped message on ${reservation.lastCappedDate})`);
    }
  }
  const giveCapBack = async () => {
    if (capped) await deps.ledger.releaseCap(customer.customerId, message.messageId);
  };
  /** A write after the message's fate is recorded: should it fail, the message is not the worse for it (a cap held a week at most; an address suppressed at its next rejection). */
  const followUp = (what: string, write: () => Promise<void>) => write().catch((error: Error) => deps.onStepError(`${message.messageId} (${what})`, error));
  /**
   * Nothing was sent, yet the message may carry the hand-over mark: its record that says so comes first.
   * Should that fail too, the mark is withdrawn, so that when its lease runs out the message is taken
   * again rather than settled as sent.
   */
  const notSent = async <T>(record: () => Promise<T>): Promise<T> => {
    try {
      return await record();
    } catch (error) {
      await followUp('withdrawing its hand-over', () => outbox.withdrawHandOver(message.messageId, claimId));
      throw error;
    }
  };
  const recordContact = () => deps.ledger.recordContact(customer.customerId, today, floorCheckAfterContact(today, now, cadence), { survey: message.campaign === 'survey', keepInTouchContent, at: now });

  // Its start at the run's send rate (pacing.ts): the wait is here, before the hand-over mark, so a run
  // that stops while waiting leaves the message to be claimed again, not unconfirmed.
  await ticket.turn();
  // From here the message may reach the customer: if this run stops before recording the result, it is never tried again.
  let handOver: 'handedOver' | 'gone';
  try {
    // The claim lapsed (a run slower than its lease) or the write failed, perhaps after it applied (its
    // answer lost): nothing was sent, and the cap goes back.
    handOver = await notSent(() => outbox.markHandedOver(message.messageId, claimId, deps.clock()));
  } catch (error) {
    await followUp('giving its cap back', giveCapBack);
    throw error;
  }
  if (handOver === 'gone') {
    // Its customer was erased while it was claimed: no mark, so it is not sent, and there is nothing left to record.
    await giveCapBack();
    return 'erased';
  }
  const sent = { sentAt: now, subject: email.subject, locale: email.locale, content: keepInTouchContent };
  let sesMessageId: string;
  try {
    // Only if the hand-over marks bunched sends that were spaced apart: a short wait for room in the second.
    await ticket.send();
    sesMessageId = await deps.mailer.send({
      to: customer.email,
      fromName: config.brand.senderName,
      subject: email.subject,
      html: email.html,
      text: email.text,
      tags: { campaign: message.campaign, messageId: message.messageId },
      headers: email.headers,
    });
  } catch (error) {
    if (!(error instanceof MailFailure)) throw error;
    if (error.kind === 'ambiguous') {
      // It may have reached the customer: counted as sent (cap kept, floor met), never sent again.
      await Promise.all([outbox.markSent(message.messageId, claimId, { ...sent, unconfirmed: `unconfirmed: the mail service may have taken it (${error.message}); never sent again (at most once)` }), recordContact()]);
      return 'unconfirmed';
    }
    const refusal = error.kind;
    if (refusal === 'account') {
      run.accountFault = true;
      deps.onAccountFault(message.messageId, error.message);
    }
    // The address is suppressed whatever becomes of this message's own record.
    if (refusal === 'address') await followUp('suppressing its address', () => deps.suppressions.suppress([suppressionOf(customer.email, `rejected by the mail service: ${error.message}`, now)]));
    // Refused for certain: what becomes of the message is recorded first, then the rest.
    const outcome = await notSent(() => {
      switch (refusal) {
        case 'address':
          return finish('suppressed', `the address was rejected by the mail service: ${error.message}`);
        case 'account':
          return retryLater({ waiting: `held by a fault of the sending account: ${error.message}`, expired: `held by a fault of the sending account until its deadline; last: ${error.message}` });
        case 'refused':
          return retryLater({ waiting: `refused by the mail service for now, retrying: ${error.message}`, expired: `refused by the mail service until its deadline; last: ${error.message}` });
      }
    });
    if (refusal === 'address') await followUp('taking the customer off the floor', () => deps.ledger.markUnreachable(customer.customerId, addressKey(customer.email)));
    await followUp('giving its cap back', giveCapBack);
    return outcome;
  }
  // Two different items, neither waiting for the other.
  await Promise.all([outbox.markSent(message.messageId, claimId, { ...sent, sesMessageId }), recordContact()]);
  return 'sent';
};

/** What a survey's stop conditions are checked against: the customer's complaints as they are now, and their last survey. */
const surveyFactsOf = async (deps: DispatchDeps, customerId: string, ledger: StoredItems['ledger'], now: Date): Promise<SurveyFacts> => {
  const complaintOpen = anyComplaintOpen(await deps.customers.recordsOfType(customerId, 'complaint'), now);
  return { complaintOpen, lastSurveyDate: (await ledger())?.lastSurveyDate };
};

/** What the e-mail says beyond the customer: the contract, the complaint, the survey's answer links. */
const renderContextOf = (deps: DispatchDeps, message: DueMessage, customer: Customer, source: BusinessRecord | undefined, now: Date): RenderContext => {
  const validDays = deps.config.campaigns.survey.answerLinkValidDays;
  const preferenceLinks = preferenceUrls(deps.links, customer, later(now, { days: deps.config.email.preferenceLinkValidDays }, 'UTC'));
  return {
    preferencesUrl: preferenceLinks.preferences,
    unsubscribeUrl: message.messageClass === 'marketing' ? preferenceLinks.unsubscribe : undefined,
    brand: deps.config.brand,
    templates: deps.templates,
    contract: source?.type === 'contract' ? source : undefined,
    complaint: source?.type === 'complaint' ? source : undefined,
    surveyAnswer: source?.type === 'surveyResponse' ? source : undefined,
    surveyLinks:
      message.campaign === 'survey'
        ? surveyAnswerUrls(deps.links, { customerId: customer.customerId, surveyId: message.occurrence, locale: customer.locale }, later(now, { days: validDays }, 'UTC'))
        : undefined,
  };
};

/** RFC 8058 one-click unsubscribe, on marketing e-mails: mailbox providers show their own button for it. */
const listUnsubscribeHeaders = (unsubscribeUrl: string | undefined): Record<string, string> | undefined =>
  unsubscribeUrl ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : undefined;
