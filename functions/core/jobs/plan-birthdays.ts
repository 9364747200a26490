import { birthdayMonthDaysCelebratedOn } from '../calendar.js';
import { planAndArrange } from './replan-customer.js';
import { birthdayGreetingOn } from '../campaigns/birthday.js';
import { datesToPlan, validRecord, type PlanningDeps } from './planning-window.js';

export const BIRTHDAY_PLANNER = 'birthdayPlanner';

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
export const planBirthdays = async (deps: PlanningDeps, now: Date): Promise<PlanBirthdaysResult> => {
  const { customers, control, config } = deps;
  const settings = config.campaigns.birthday;
  const result = { datesPlanned: 0, customersRead: 0, planned: 0, alreadyPlanned: 0, invalid: 0 };
  if (!settings.enabled) return result;
  const window = await datesToPlan(control, BIRTHDAY_PLANNER, now, config.planner.lookAheadDays);

  for (const date of window.dates) {
    for (const monthDay of birthdayMonthDaysCelebratedOn(date, settings.leapDayPolicy)) {
      for await (const page of customers.customersWithBirthday(monthDay)) {
        for (const item of page) {
          result.customersRead++;
          const customer = validRecord(item, 'customer', now, (error) => {
            result.invalid++;
            deps.onInvalidRecord(error);
          });
          const greeting = customer && birthdayGreetingOn(customer, date, settings);
          if (!greeting || new Date(greeting.deadline) <= now) continue;
          if ((await planAndArrange(deps, greeting, now)) === 'planned') result.planned++;
          else result.alreadyPlanned++;
        }
      }
    }
    result.datesPlanned++;
  }
  await window.done();
  return result;
};
