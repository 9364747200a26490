import { NEVER } from './cadence.js';
import { endOfLocalDay, localDateOf, startOfLocalDay, type LocalDate } from './calendar.js';
import type { LedgerEntry } from './ports.js';

/** The dates of the contact ledger that are local dates in the customer's zone (`previousCappedDate`: what giving the cap back restores). */
export type LedgerDates = Partial<Pick<LedgerEntry, 'lastCappedDate' | 'lastSurveyDate' | 'lastContactDate' | 'openedOn'> & { readonly previousCappedDate: LocalDate }>;

/** The latest date in `to` that any moment of `date` in `from` falls on. */
const latestIn = (date: LocalDate, from: string, to: string): LocalDate => localDateOf(new Date(endOfLocalDay(date, from).getTime() - 1), to);
/** The earliest date in `to` that any moment of `date` in `from` falls on. */
const earliestIn = (date: LocalDate, from: string, to: string): LocalDate => localDateOf(startOfLocalDay(date, from), to);

/**
 * The ledger's dates, kept in the zone the customer had (`from`), read again in the one they have now
 * (`to`): the cap's 7 and the floor's 30 are local days, and a date of another zone can be a day or two
 * off (a send on 3 January in Los Angeles is on the 4th in Kiritimati). Each errs on the band's side,
 * so the band holds in either zone: the dates that keep messages apart (the last capped message and
 * the one before it, the last survey) become the latest day of the new zone the old day touches; the
 * ones the floor counts from become the earliest.
 */
export const ledgerDatesInZone = (dates: LedgerDates, from: string, to: string): LedgerDates => {
  const moved: { -readonly [K in keyof LedgerDates]?: LocalDate } = {};
  const move = (key: keyof LedgerDates, how: typeof latestIn) => {
    const date = dates[key];
    if (date !== undefined) moved[key] = date === NEVER ? NEVER : how(date, from, to);
  };
  move('lastCappedDate', latestIn);
  move('previousCappedDate', latestIn);
  move('lastSurveyDate', latestIn);
  move('lastContactDate', earliestIn);
  move('openedOn', earliestIn);
  return moved;
};
