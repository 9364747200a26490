import { birthdayMonthDaysCelebratedOn } from '../calendar.js';
import type { RetentionConfig } from '../config.js';
import { planAndArrange } from './replan-customer.js';
import { birthdayGreetingOn } from '../campaigns/birthday.js';
import { datesToPlan, forEachCustomer, planDates, validRecord, type PlanningDeps } from './planning-window.js';

export const BIRTHDAY_PLANNER = 'birthdayPlanner';

/** What decides which greetings a date plans: where a 29 February birthday goes (planning-window.ts `datesToPlan`). */
export const birthdayPlanningSettings = (config: RetentionConfig): string => JSON.stringify({ leapDayPolicy: config.campaigns.birthday.leapDayPolicy });

export interface PlanBirthdaysResult {
  readonly datesPlanned: number;
  readonly customersRead: number;
  readonly planned: number;
  readonly alreadyPlanned: number;
  readonly invalid: number;
  /** Dates left for the next run: this one's time ran out (PlanningRun). */
  readonly datesLeft: number;
}

/**
 * Plans the greetings of every local date from the day after the last one planned up to the
 * look-ahead horizon. A date is read once (the watermark, moved as each date is planned), so a day's
 * run reads only the customers whose birthday has just come into view; after an outage the gap is
 * planned in one go, or over several runs when it does not fit in one. Dates start a day before
 * UTC's, the earliest local date anywhere on Earth. A page of customers is planned several at a time.
 */
export const planBirthdays = async (deps: PlanningDeps, now: Date): Promise<PlanBirthdaysResult> => {
  const { customers, control, config } = deps;
  const settings = config.campaigns.birthday;
  const result = { datesPlanned: 0, customersRead: 0, planned: 0, alreadyPlanned: 0, invalid: 0, datesLeft: 0 };
  if (!settings.enabled) return result;
  const window = await datesToPlan(control, BIRTHDAY_PLANNER, now, config.planner.lookAheadDays, birthdayPlanningSettings(config));

  result.datesLeft = await planDates(deps, window.dates, window.planned, async (date) => {
    for (const monthDay of birthdayMonthDaysCelebratedOn(date, settings.leapDayPolicy)) {
      for await (const page of customers.customersWithBirthday(monthDay)) {
        const greetings = page.flatMap((item) => {
          result.customersRead++;
          const customer = validRecord(item, 'customer', now, (error) => {
            result.invalid++;
            deps.onInvalidRecord(error);
          });
          const greeting = customer && birthdayGreetingOn(customer, date, settings);
          return greeting && new Date(greeting.deadline) > now ? [greeting] : [];
        });
        await forEachCustomer(greetings, (greeting) => greeting.customerId, async (greeting) => {
          if ((await planAndArrange(deps, greeting, now)) === 'planned') result.planned++;
          else result.alreadyPlanned++;
        });
      }
    }
    result.datesPlanned++;
    return 'planned';
  });
  return result;
};
