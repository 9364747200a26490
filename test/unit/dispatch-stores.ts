import { NEVER } from '../../functions/core/cadence.js';
import type { RetentionConfig } from '../../functions/core/config.js';
import type { DispatchDeps } from '../../functions/core/jobs/dispatch.js';
import { isFinal, newlyPlanned, type Message, type PlannedMessage } from '../../functions/core/messages.js';
import type { LedgerEntry, LedgerStore, Mailer, OutgoingEmail, Outbox, SuppressionStore } from '../../functions/core/ports.js';
import { shippedTemplates } from '../../functions/core/templates/shipped.generated.js';

/**
 * The stores of a dispatcher run, in memory, for the core's rules; the stores only keep what they are
 * told (the real adapters are tested against DynamoDB Local and the SES emulator in test/integration).
 */

/** When these tests' runs happen. */
export const now = new Date('2027-06-12T09:00:00Z');

/** A customer's profile as stored. */
export const profileOf = (customerId: string, timeZone = 'UTC') => ({ type: 'customer', customerId, recordKey: 'customer', email: `${customerId}@example.com`, timeZone, birthday: '1990-06-12', marketingOptIn: true, locale: 'en' });

/** The stores of one run, in memory, with what was done to them. */
export const storesWith = (planned: readonly PlannedMessage[], extraItems: readonly Record<string, unknown>[] = []) => {
  const messages = new Map<string, Message & Record<string, unknown>>(planned.map((m) => [m.messageId, { ...newlyPlanned(m, new Date('2027-06-01T00:00:00Z')), sendAfter: m.dueAt < now.toISOString() ? m.dueAt : now.toISOString() }]));
  const items = new Map<string, unknown>();
  for (const m of planned) items.set(`${m.customerId}|customer`, profileOf(m.customerId, m.timeZone));
  for (const item of extraItems) items.set(`${String(item.customerId)}|${String(item.recordKey)}`, item);
  const ledgers = new Map<string, LedgerEntry>();
  for (const m of planned) ledgers.set(m.customerId, { customerId: m.customerId, lastContactDate: '2027-06-01', lastCappedDate: NEVER, openedOn: '2027-01-01', timeZone: 'UTC', marketingOptIn: true });
  const calls = { reserveCap: [] as string[], releaseCap: [] as string[], recordContact: [] as string[], markUnreachable: [] as string[], waitingFor: [] as string[], ledgerReads: [] as string[] };
  const sentEmails: OutgoingEmail[] = [];
  const update = (messageId: string, fields: Record<string, unknown>): void => {
    messages.set(messageId, { ...messages.get(messageId)!, ...fields });
  };

  const outbox: Outbox = {
    plan: async () => 'unchanged',
    replan: async () => 'unchanged',
    waitingFor: async (customerId) => {
      calls.waitingFor.push(customerId);
      return [...messages.values()].filter((m) => m.customerId === customerId && !isFinal(m.state) && m.state !== 'sending');
    },
    find: async (messageId) => {
      const message = messages.get(messageId);
      return message === undefined ? undefined : { message, waiting: !isFinal(message.state) && message.state !== 'sending' };
    },
    reschedule: async ({ messageId }, slot) => update(messageId, { ...slot, sendAfter: slot.sendAfter.toISOString() }),
    endWaiting: async (messageId, state, reason) => {
      update(messageId, { state, reason });
      return true;
    },
    due: async (at, limit) =>
      [...messages.values()]
        .filter((m) => ((m.state === 'planned' || m.state === 'deferred') && Date.parse(m.sendAfter) <= at.getTime()) || (m.state === 'sending' && Date.parse(String(m.claimedUntil)) <= at.getTime() && m.handedOverAt === undefined))
        .slice(0, limit),
    claim: async (messageId, claimId, _now, leaseUntil) => {
      const before = messages.get(messageId)!.state;
      update(messageId, { state: 'sending', claimId, claimedUntil: leaseUntil.toISOString() });
      return before === 'sending' ? 'reclaimed' : 'claimed';
    },
    markHandedOver: async (messageId, _claimId, at) => {
      update(messageId, { handedOverAt: at.toISOString() });
      return 'handedOver';
    },
    withdrawHandOver: async (messageId) => update(messageId, { handedOverAt: undefined }),
    settleUnconfirmed: async () => undefined,
    markSent: async (messageId, _claimId, sent) => update(messageId, { state: 'sent', sentAt: sent.sentAt.toISOString(), subject: sent.subject }),
    release: async (messageId, _claimId, release) => update(messageId, { state: release.state, sendAfter: release.sendAfter.toISOString(), reason: release.reason }),
    finish: async (messageId, _claimId, state, reason) => update(messageId, { state, reason }),
  };
  const ledger: LedgerStore = {
    get: async (customerId) => {
      calls.ledgerReads.push(`get ${customerId}`);
      return ledgers.get(customerId);
    },
    getMany: async (customerIds) => {
      calls.ledgerReads.push(`getMany ${[...customerIds].sort().join(',')}`);
      return new Map(customerIds.flatMap((id) => (ledgers.has(id) ? [[id, ledgers.get(id)!] as const] : [])));
    },
    open: async () => {
      throw new Error('not opened in these tests');
    },
    setRecordsPlannedIn: async () => {
      throw new Error('not planned in these tests');
    },
    markUnreachable: async (customerId, suppressedAddress) => {
      calls.markUnreachable.push(suppressedAddress === undefined ? customerId : `${customerId} (address ${suppressedAddress.slice(0, 8)})`);
      const entry = ledgers.get(customerId);
      if (entry) ledgers.set(customerId, { ...entry, marketingOptIn: false, floorCheckDate: undefined, ...(suppressedAddress === undefined ? {} : { unreachableAddress: suppressedAddress }) });
    },
    unreachableBecauseOf: async (suppressedAddress) => [...ledgers.values()].filter((entry) => entry.unreachableAddress === suppressedAddress).map((entry) => entry.customerId),
    reserveCap: async (customerId, messageId, today, threshold) => {
      calls.reserveCap.push(messageId);
      const entry = ledgers.get(customerId)!;
      if (entry.lastCappedDate > threshold) return { taken: false, lastCappedDate: entry.lastCappedDate };
      ledgers.set(customerId, { ...entry, lastCappedDate: today, lastCappedMessageId: messageId });
      return { taken: true };
    },
    releaseCap: async (customerId, messageId) => {
      calls.releaseCap.push(messageId);
      const entry = ledgers.get(customerId)!;
      if (entry.lastCappedMessageId === messageId) ledgers.set(customerId, { ...entry, lastCappedDate: NEVER, lastCappedMessageId: undefined });
    },
    recordContact: async (customerId, today, floorCheckDate) => {
      calls.recordContact.push(customerId);
      ledgers.set(customerId, { ...ledgers.get(customerId)!, lastContactDate: today, floorCheckDate });
    },
    floorChecksOn: () => [],
    setFloorCheck: async (customerId, date) => {
      ledgers.set(customerId, { ...ledgers.get(customerId)!, floorCheckDate: date });
    },
  };
  const mailer: Mailer = {
    send: async (email) => {
      sentEmails.push(email);
      return `ses-${sentEmails.length}`;
    },
  };
  const suppressions: SuppressionStore = { suppress: async () => undefined, suppressedAmong: async () => new Map(), remove: async () => undefined };
  const customers = {
    getItems: async (keys: readonly { customerId: string; recordKey: string }[]) => new Map(keys.flatMap(({ customerId, recordKey }) => (items.has(`${customerId}|${recordKey}`) ? [[`${customerId}|${recordKey}`, items.get(`${customerId}|${recordKey}`)] as const] : []))),
    recordsOfType: async (customerId: string, type: string) => [...items.entries()].filter(([key, item]) => key.startsWith(`${customerId}|`) && (item as { type?: string }).type === type).map(([, item]) => item),
  } as unknown as DispatchDeps['customers'];
  let claims = 0;
  const depsFor = (config: RetentionConfig): DispatchDeps => ({
    outbox,
    ledger,
    customers,
    mailer,
    suppressions,
    config,
    templates: shippedTemplates,
    links: { baseUrl: 'https://links.example.com', secret: 'a-secret-for-tests-only-0123456789' },
    newClaimId: () => `claim-${++claims}`,
    clock: () => now,
    onError: (messageId, error) => {
      throw new Error(`${messageId}: ${error.message}`);
    },
    onStepError: (step, error) => {
      throw new Error(`${step}: ${error.message}`);
    },
    onAccountFault: () => undefined,
  });
  return { messages, ledgers, items, calls, sentEmails, depsFor };
};
