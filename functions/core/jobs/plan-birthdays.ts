import { addDays, birthdayMonthDaysCelebratedOn, datesFrom, localDateOf } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import type { ControlStore, CustomerStore, LedgerStore, Outbox } from '../ports.js';
import { arrangeCustomer } from './arrange-customer.js';
import { birthdayGreetingOn } from '../campaigns/birthday.js';
import { customerFromItem } from '../records.js';
import { InvalidRecordError } from '../errors.js';

export const BIRTHDAY_PLANNER = 'birthdayPlanner';

export interface PlanBirthdaysDeps {
  readonly customers: CustomerStore;
  readonly outbox: Outbox;
  readonly ledger: LedgerStore;
  readonly control: ControlStore;
  readonly config: RetentionConfig;
  readonly onInvalidCustomer: (error: InvalidRecordError) => void;
}

export interface PlanBirthdaysResult {
  readonly datesPlanned: number;
  readonly customersRead: number;
  readonly planned: number;
  readonly alreadyPlanned: number;
  readonly invalid: number;
}

/**
 * Plans the greetings of every local date from the day after the last one planned up to the
 * look-ahead horizon. A date is read once (the watermark), so a day's run reads only the customers
 * whose birthday has just come into view; after an outage the gap is planned in one go. Dates start
 * a day before UTC's, the earliest local date anywhere on Earth.
 */
export const planBirthdays = async (deps: PlanBirthdaysDeps, now: Date): Promise<PlanBirthdaysResult> => {
  const { customers, outbox, control, config } = deps;
  const settings = config.campaigns.birthday;
  const todayUtc = localDateOf(now, 'UTC');
  const earliest = addDays(todayUtc, -1);
  const horizon = addDays(todayUtc, config.planner.lookAheadDays);
  const watermark = await control.plannedThrough(BIRTHDAY_PLANNER);
  const from = watermark === undefined || watermark < earliest ? earliest : addDays(watermark, 1);
  const result = { datesPlanned: 0, customersRead: 0, planned: 0, alreadyPlanned: 0, invalid: 0 };
  if (!settings.enabled || from > horizon) return result;

  for (const date of datesFrom(from, horizon)) {
    for (const monthDay of birthdayMonthDaysCelebratedOn(date, settings.leapDayPolicy)) {
      for await (const page of customers.customersWithBirthday(monthDay)) {
        for (const item of page) {
          result.customersRead++;
          let greeting;
          try {
            greeting = birthdayGreetingOn(customerFromItem(item, now), date, settings);
          } catch (error) {
            if (!(error instanceof InvalidRecordError)) throw error;
            result.invalid++;
            deps.onInvalidCustomer(error);
            continue;
          }
          if (greeting === null || new Date(greeting.deadline) <= now) continue;
          if ((await outbox.plan(greeting, now)) === 'planned') {
            result.planned++;
            await arrangeCustomer(deps, greeting.customerId, now);
          } else result.alreadyPlanned++;
        }
      }
    }
    result.datesPlanned++;
  }
  await control.setPlannedThrough(BIRTHDAY_PLANNER, horizon);
  return result;
};
