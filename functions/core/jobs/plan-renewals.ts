import { addDays, datesFrom, localDateOf } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { renewalReminder } from '../campaigns/renewal.js';
import { InvalidRecordError } from '../errors.js';
import type { ControlStore, CustomerStore, LedgerStore, Outbox } from '../ports.js';
import { customerFromItem, parseRecord, type Contract } from '../records.js';
import { arrangeCustomer } from './arrange-customer.js';

export const RENEWAL_PLANNER = 'renewalPlanner';

export interface PlanRenewalsDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly control: ControlStore;
  readonly config: RetentionConfig;
  readonly onInvalidRecord: (error: InvalidRecordError) => void;
}

/**
 * Plans the renewal reminders whose day comes into the look-ahead window: for each new reminder date
 * and offset, the contracts that may lapse and end that many days later (the sparse `byRenewal`
 * index), so a day's run reads only those. Watermarked like the birthday planner.
 */
export const planRenewals = async (deps: PlanRenewalsDeps, now: Date): Promise<{ readonly contractsRead: number; readonly planned: number }> => {
  const { config } = deps;
  const settings = config.campaigns.renewal;
  const todayUtc = localDateOf(now, 'UTC');
  const earliest = addDays(todayUtc, -1);
  const horizon = addDays(todayUtc, config.planner.lookAheadDays);
  const watermark = await deps.control.plannedThrough(RENEWAL_PLANNER);
  const from = watermark === undefined || watermark < earliest ? earliest : addDays(watermark, 1);
  const result = { contractsRead: 0, planned: 0 };
  if (!settings.enabled || from > horizon) return result;

  for (const reminderDate of datesFrom(from, horizon)) {
    for (const offset of settings.offsetsDays) {
      for await (const page of deps.customers.contractsEndingOn(addDays(reminderDate, offset))) {
        const contracts = page.flatMap((item) => {
          result.contractsRead++;
          const parsed = parseRecord(item, now);
          if (parsed.ok && parsed.record.type === 'contract') return [parsed.record as Contract];
          if (!parsed.ok) deps.onInvalidRecord(new InvalidRecordError(parsed.rejection.record, parsed.rejection.field, parsed.rejection.reason));
          return [];
        });
        const profiles = await deps.customers.getProfiles(contracts.map((contract) => contract.customerId));
        for (const contract of contracts) {
          const profile = profiles.get(contract.customerId);
          if (profile === undefined) continue;
          let customer;
          try {
            customer = customerFromItem(profile, now);
          } catch (error) {
            if (!(error instanceof InvalidRecordError)) throw error;
            deps.onInvalidRecord(error);
            continue;
          }
          const reminder = renewalReminder(contract, customer, offset, config);
          if (!reminder || new Date(reminder.deadline) <= now || reminder.localDate < localDateOf(now, customer.timeZone)) continue;
          if ((await deps.outbox.plan(reminder, now)) === 'planned') {
            result.planned++;
            await arrangeCustomer(deps, customer.customerId, now);
          }
        }
      }
    }
  }
  await deps.control.setPlannedThrough(RENEWAL_PLANNER, horizon);
  return result;
};
