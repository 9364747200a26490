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

/** The latest date in `to` that any moment of `date` in `from` falls on. */
const latestIn = (date: LocalDate, from: string, to: string): LocalDate => localDateOf(new Date(endOfLocalDay(date, from).getTime() - 1), to);
/** The earliest date in `to` that any moment of `date` in `from` falls on. */
const earliestIn = (date: LocalDate, from: string, to: string): LocalDate => localDateOf(startOfLocalDay(date, from), to);

/**
 * The ledger's local dates, each with the instant of its send (if the ledger keeps one) and the side
 * of the band it errs on without it: `late` for the ones that keep messages apart, `early` for the floor's.
 */
const LEDGER_DATES = [
  { name: 'lastCappedDate', at: 'lastCappedAt', side: 'late' },
  { name: 'previousCappedDate', at: 'previousCappedAt', side: 'late' },
  { name: 'lastSurveyDate', at: 'lastSurveyAt', side: 'late' },
  { name: 'lastContactDate', at: 'lastContactAt', side: 'early' },
  { name: 'openedOn', at: undefined, side: 'early' },
] as const;
type DateName = (typeof LEDGER_DATES)[number]['name'];
/** The ledger's local dates, each read again when the customer changes zone. */
export const LEDGER_DATE_NAMES: readonly DateName[] = LEDGER_DATES.map(({ name }) => name);

/**
 * The ledger's dates, kept in the zone the customer had (`from`), read again in the one they have now
 * (`to`): the cap's 7 and the floor's 30 are local days, and a date of another zone can be a day or two
 * off (a send on 3 January in Los Angeles is on the 4th in Kiritimati). A date whose send's instant the
 * ledger keeps (and which is that instant's date in `from`) is that instant's date in `to`, exactly,
 * so moving there and back changes nothing. Any other errs on the band's side, so the band holds in
 * either zone: the dates that keep messages apart (the last capped message and the one before it, the
 * last survey) become the latest day of the new zone the old day touches; the ones the floor counts
 * from become the earliest. A send between the profile's change and this move wrote its date in the
 * new zone under the old one's name: then the safer of that reading and the instant's date there.
 */
export const ledgerDatesInZone = (dates: LedgerDates, from: string, to: string): Partial<Record<DateName, LocalDate>> => {
  const sides = {
    late: { bound: latestIn, safer: (a: LocalDate, b: LocalDate) => (a > b ? a : b) },
    early: { bound: earliestIn, safer: (a: LocalDate, b: LocalDate) => (a < b ? a : b) },
  };
  const read = (date: LocalDate, at: string | undefined, side: keyof typeof sides): LocalDate => {
    const { bound, safer } = sides[side];
    const instant = at ? new Date(at) : undefined;
    if (instant === undefined || Number.isNaN(instant.getTime())) return bound(date, from, to);
    const there = localDateOf(instant, to);
    // An instant that is not of this date in `from`: the date was written in another zone than the one
    // the ledger names (a send between the profile's change and this move). Either may be the truth.
    return localDateOf(instant, from) === date ? there : safer(bound(date, from, to), there);
  };
  const moved: Partial<Record<DateName, LocalDate>> = {};
  for (const { name, at, side } of LEDGER_DATES) {
    const date = dates[name];
    if (date !== undefined) moved[name] = date === NEVER ? NEVER : read(date, at && dates[at], side);
  }
  return moved;
};
