import type { RetentionConfig } from '../config.js';
import { isUpcoming, mayLapse, reminderIdFor, reminderOffsetOf, reminderUnderEachId, renewalIndexKey, renewalTriggerGone, type ReminderId } from '../campaigns/renewal.js';
import type { PlannedMessage } from '../messages.js';
import type { CustomerStore, FoundMessage, LedgerStore, Outbox } from '../ports.js';
import { recordFromItem, recordKeyOf } from '../records.js';
import { customerOf, readCurrent, type RecordKey } from './current-record.js';
import { replanCustomer } from './replan-customer.js';

export interface ContractChangedDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly config: RetentionConfig;
}

/**
 * A contract was written (import, or a business system): keep its renewal index key in step; when it
 * renewed, was cancelled or renews itself, cancel the reminders still waiting; otherwise plan or move
 * the ones already inside the horizon (a new `endsOn`). The stream image only says which contract
 * changed: this acts on the contract as it is now (a replayed earlier version must not cancel the
 * reminders a later one planned; see current-record.ts), and on nothing when it is gone (the
 * send-time check ends its reminders). Throws InvalidRecordError for a bad item.
 */
export const contractChanged = async (deps: ContractChangedDeps, key: RecordKey, now: Date): Promise<void> => {
  const current = await readCurrent(deps.customers, key);
  const item = current.item;
  if (item === undefined) return;
  const contract = recordFromItem(item, 'contract', now);
  const indexKey = renewalIndexKey(contract);
  if (item.renewalEndsOn !== indexKey) await deps.customers.setRenewalIndexKey(contract.customerId, recordKeyOf(contract), indexKey);

  const waiting = (await deps.outbox.waitingFor(contract.customerId)).filter((m) => m.campaign === 'renewal' && m.sourceKey === recordKeyOf(contract));
  if (!mayLapse(contract)) {
    const why = contract.autoRenew ? 'the contract renews automatically' : `the contract was ${contract.status}`;
    for (const message of waiting) await deps.outbox.endWaiting(message.messageId, 'cancelled', why, now);
    // The slots and the floor those reminders held are free again.
    if (waiting.length > 0) await replanCustomer(deps, contract.customerId, now);
    return;
  }
  const customer = customerOf(current.profile, now);
  if (customer === undefined) return; // the profile's arrival plans it (customer-changed.ts)
  const waitingIds = new Set(waiting.map((m) => m.messageId));
  const reminders: PlannedMessage[] = [];
  for (const offset of deps.config.campaigns.renewal.offsetsDays) {
    const ids = reminderUnderEachId(contract, customer, offset, deps.config);
    if (ids === null) continue;
    // The term's own, waiting, moves with the customer's zone.
    if (waitingIds.has(ids.term.messageId)) {
      reminders.push(ids.term);
      continue;
    }
    // Another waiting at this offset: the contract's own moves with the contract's end, however late (left
    // on the old date it would be cancelled there), unless this term's reminder went under the term's own
    // id; one under an earlier term's own id cannot move, and this term's takes its place, late too. What
    // is not chosen is cancelled below.
    const replacing = waiting.some((message) => reminderOffsetOf(message) === offset);
    if (replacing ? new Date(ids.contract.deadline) > now : isUpcoming(ids.contract, now, deps.config)) reminders.push((await currentTermReminder(deps.outbox, contract, ids)).reminder);
  }
  const kept = new Map(reminders.map((reminder) => [reminderOffsetOf(reminder), reminder]));
  let changed = false;
  for (const message of waiting) {
    const keeps = kept.get(reminderOffsetOf(message));
    if (keeps?.messageId === message.messageId) continue;
    // Waiting under an earlier term's own id, which cannot move (that id names the term's end), or
    // beside the one this term's reminder at that offset is.
    const gone = renewalTriggerGone(message, contract) ?? (keeps === undefined ? null : `the term's reminder ${reminderOffsetOf(message)} days before its end is ${keeps.occurrence}`);
    if (gone !== null) changed = (await deps.outbox.endWaiting(message.messageId, 'cancelled', gone, now)) || changed;
  }
  for (const reminder of reminders) {
    // One cancelled while the contract renewed itself or was not active comes back now that it may lapse again.
    const outcome = await deps.outbox.replan(reminder, now, { revive: ['cancelled'] });
    changed ||= outcome !== 'unchanged';
  }
  if (changed) await replanCustomer(deps, contract.customerId, now);
};

/**
 * The current term's reminder under the id it takes (renewal.ts `reminderIdFor`), from what holds
 * each of its ids now, and what holds that one.
 */
export const currentTermReminder = async (
  outbox: Pick<Outbox, 'find'>,
  contract: { readonly endsOn: string },
  ids: Record<ReminderId, PlannedMessage>,
): Promise<{ readonly reminder: PlannedMessage; readonly holder: FoundMessage | undefined }> => {
  const [own, term] = await Promise.all([outbox.find(ids.contract.messageId), outbox.find(ids.term.messageId)]);
  const id = reminderIdFor(contract, { own, term });
  return { reminder: ids[id], holder: id === 'contract' ? own : term };
};
