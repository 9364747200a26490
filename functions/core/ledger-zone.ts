import { NEVER } from './cadence.js';
import { endOfLocalDay, localDateOf, startOfLocalDay, type LocalDate } from './calendar.js';

/**
 * The dates of the contact ledger that are local dates in the customer's zone, and the instants of
 * the sends they were taken from where the ledger keeps them (`previousCappedDate`: what giving the
 * cap back restores; `openedOn`: the day the ledger was opened, which has no send).
 */
export interface LedgerDates {
  readonly lastCappedDate?: LocalDate;
  readonly lastCappedAt?: string;
  readonly previousCappedDate?: LocalDate;
  readonly previousCappedAt?: string;
  readonly lastSurveyDate?: LocalDate;
  readonly lastSurveyAt?: string;
  readonly lastContactDate?: LocalDate;
  readonly lastContactAt?: string;
  readonly openedOn?: LocalDate;
}

type DateName = 'lastCappedDate' | 'previousCappedDate' | 'lastSurveyDate' | 'lastContactDate' | 'openedOn';

/** The latest date in `to` that any moment of `date` in `from` falls on. */
const latestIn = (date: LocalDate, from: string, to: string): LocalDate => localDateOf(new Date(endOfLocalDay(date, from).getTime() - 1), to);
/** The earliest date in `to` that any moment of `date` in `from` falls on. */
const earliestIn = (date: LocalDate, from: string, to: string): LocalDate => localDateOf(startOfLocalDay(date, from), to);

/**
 * The ledger's dates, kept in the zone the customer had (`from`), read again in the one they have now
 * (`to`): the cap's 7 and the floor's 30 are local days, and a date of another zone can be a day or two
 * off (a send on 3 January in Los Angeles is on the 4th in Kiritimati). A date whose send's instant the
 * ledger keeps (and which is that instant's date in `from`) is that instant's date in `to`, exactly,
 * so moving there and back changes nothing. Any other errs on the band's side, so the band holds in
 * either zone: the dates that keep messages apart (the last capped message and the one before it, the
 * last survey) become the latest day of the new zone the old day touches; the ones the floor counts
 * from become the earliest.
 */
export const ledgerDatesInZone = (dates: LedgerDates, from: string, to: string): Partial<Record<DateName, LocalDate>> => {
  const moved: Partial<Record<DateName, LocalDate>> = {};
  const move = (name: DateName, at: string | undefined, bound: typeof latestIn) => {
    const date = dates[name];
    if (date === undefined) return;
    const instant = at ? new Date(at) : undefined;
    const exact = instant !== undefined && !Number.isNaN(instant.getTime()) && localDateOf(instant, from) === date;
    moved[name] = date === NEVER ? NEVER : exact ? localDateOf(instant, to) : bound(date, from, to);
  };
  move('lastCappedDate', dates.lastCappedAt, latestIn);
  move('previousCappedDate', dates.previousCappedAt, latestIn);
  move('lastSurveyDate', dates.lastSurveyAt, latestIn);
  move('lastContactDate', dates.lastContactAt, earliestIn);
  move('openedOn', undefined, earliestIn);
  return moved;
};
