import { addDays, localDateOf } from '../calendar.js';
import { reminderUnderEachId } from '../campaigns/renewal.js';
import { currentTermReminder } from './contract-changed.js';
import type { RetentionConfig } from '../config.js';
import { datesToPlan, forEachCustomer, planDates, validRecord, type PlanningDeps } from './planning-window.js';
import { planAndArrange } from './replan-customer.js';

export const RENEWAL_PLANNER = 'renewalPlanner';

/** What decides which reminders a date plans: how many days before a contract's end they go (planning-window.ts `datesToPlan`). */
export const renewalPlanningSettings = (config: RetentionConfig): string => JSON.stringify({ offsetsDays: config.campaigns.renewal.offsetsDays });

/**
 * Plans the renewal reminders whose day comes into the look-ahead window: for each new reminder date
 * and offset, the contracts that may lapse and end that many days later (the sparse `byRenewal`
 * index), so a day's run reads only those. Watermarked like the birthday planner, and, like it,
 * several customers at a time (one customer's contracts one after another). `datesLeft`: for the next run.
 */
export const planRenewals = async (deps: PlanningDeps, now: Date): Promise<{ readonly contractsRead: number; readonly planned: number; readonly datesLeft: number }> => {
  const { config } = deps;
  const settings = config.campaigns.renewal;
  const result = { contractsRead: 0, planned: 0, datesLeft: 0 };
  if (!settings.enabled) return result;
  const window = await datesToPlan(deps.control, RENEWAL_PLANNER, now, config.planner.lookAheadDays, renewalPlanningSettings(config));

  result.datesLeft = await planDates(deps, window.dates, window.planned, async (reminderDate) => {
    for (const offset of settings.offsetsDays) {
      for await (const page of deps.customers.contractsEndingOn(addDays(reminderDate, offset))) {
        const contracts = page.flatMap((item) => {
          result.contractsRead++;
          const contract = validRecord(item, 'contract', now, deps.onInvalidRecord);
          return contract ? [contract] : [];
        });
        const profiles = await deps.customers.getProfiles(contracts.map((contract) => contract.customerId));
        await forEachCustomer(contracts, (contract) => contract.customerId, async (contract) => {
          const profile = profiles.get(contract.customerId);
          const customer = profile === undefined ? undefined : validRecord(profile, 'customer', now, deps.onInvalidRecord);
          if (!customer) return;
          const ids = reminderUnderEachId(contract, customer, offset, config);
          if (!ids || new Date(ids.contract.deadline) <= now || ids.contract.localDate < localDateOf(now, customer.timeZone)) return;
          // A later term's under its own id once the contract's own has gone for an earlier one (renewal.ts).
          const { reminder, holder } = await currentTermReminder(deps.outbox, contract, ids);
          // One cancelled for this very term (the contract renewed, or renewing itself, then lapsing again;
          // `reminderIdFor` takes a cancelled one only for its own term) comes back, as contract-changed.ts
          // brings it back inside the look-ahead.
          const revive = holder !== undefined && !holder.waiting && holder.message.state === 'cancelled';
          if ((await planAndArrange(deps, reminder, now, revive ? { revive: ['cancelled'] } : {})) === 'planned') result.planned++;
        });
      }
    }
    return 'planned';
  });
  return result;
};
