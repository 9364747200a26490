import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEVER } from '../../functions/core/cadence.js';
import { addDays, daysBetween, localDateOf } from '../../functions/core/calendar.js';
import { ledgerDatesInZone } from '../../functions/core/ledger-zone.js';

const zones = fc.constantFrom('America/Los_Angeles', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Pacific/Chatham', 'Asia/Kathmandu', 'Europe/Madrid', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC', 'Africa/Monrovia');
const instants = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2037, 0, 1) }).map((ms) => new Date(ms));

describe("the ledger's dates read in the customer's new zone", () => {
  it('every moment of an old day falls between the two readings: on or before the one the cap counts from, on or after the floor’s', () => {
    fc.assert(
      fc.property(instants, zones, zones, (sent, from, to) => {
        const day = localDateOf(sent, from);
        const moved = ledgerDatesInZone({ lastCappedDate: day, previousCappedDate: day, lastSurveyDate: day, lastContactDate: day, openedOn: day }, from, to);
        const there = localDateOf(sent, to);
        expect(moved.lastCappedDate! >= there && moved.previousCappedDate! >= there && moved.lastSurveyDate! >= there).toBe(true);
        expect(moved.lastContactDate! <= there && moved.openedOn! <= there).toBe(true);
        // No further than the day the old one touches: zones are at most 26 hours apart.
        expect(daysBetween(moved.lastContactDate!, moved.lastCappedDate!)).toBeLessThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
  });

  it('so a capped message sent after a move keeps its 7 days from the last one before it, in the new zone', () => {
    fc.assert(
      fc.property(instants, zones, zones, fc.integer({ min: 0, max: 30 * 24 }), (sent, from, to, hoursLater) => {
        const moved = ledgerDatesInZone({ lastCappedDate: localDateOf(sent, from) }, from, to);
        const next = new Date(sent.getTime() + hoursLater * 3_600_000);
        // The cap lets the next one go once its day there is 7 after the moved date.
        if (localDateOf(next, to) >= addDays(moved.lastCappedDate!, 7)) expect(daysBetween(localDateOf(sent, to), localDateOf(next, to))).toBeGreaterThanOrEqual(7);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a date whose send it knows exactly, so a move there and back leaves it as it was', () => {
    fc.assert(
      fc.property(instants, zones, zones, (sent, from, to) => {
        const at = sent.toISOString();
        const dates = { lastCappedDate: localDateOf(sent, from), lastCappedAt: at, lastContactDate: localDateOf(sent, from), lastContactAt: at };
        const there = ledgerDatesInZone(dates, from, to);
        expect(there).toEqual({ lastCappedDate: localDateOf(sent, to), lastContactDate: localDateOf(sent, to) });
        expect(ledgerDatesInZone({ ...there, lastCappedAt: at, lastContactAt: at }, to, from)).toEqual({ lastCappedDate: dates.lastCappedDate, lastContactDate: dates.lastContactDate });
      }),
      { numRuns: 1000 },
    );
    // Without an instant, the bound.
    expect(ledgerDatesInZone({ lastCappedDate: '2027-01-03', lastCappedAt: '' }, 'America/Los_Angeles', 'Pacific/Kiritimati')).toEqual({ lastCappedDate: '2027-01-04' });
    // A date written in the new zone under the old one's name (a send between the profile's change and the
    // move): 22:00 UTC on 3 January is the 3rd in Etc/GMT+12, the 4th in Kiritimati, which the ledger still names.
    // The bound alone (the 2nd) would let the next capped message go on the 9th, 6 days later. The floor counts
    // from the earlier of the two (the bound, the 1st).
    const inTheGap = { lastCappedDate: '2027-01-03', lastCappedAt: '2027-01-03T22:00:00.000Z', lastContactDate: '2027-01-03', lastContactAt: '2027-01-03T22:00:00.000Z' };
    expect(ledgerDatesInZone(inTheGap, 'Pacific/Kiritimati', 'Etc/GMT+12')).toEqual({ lastCappedDate: '2027-01-03', lastContactDate: '2027-01-01' });
  });

  it('leaves the dates as they are in the same zone, "never" as never, and what the ledger lacks out', () => {
    expect(ledgerDatesInZone({ lastCappedDate: '2027-01-03', lastContactDate: '2027-01-03' }, 'Europe/Madrid', 'Europe/Madrid')).toEqual({ lastCappedDate: '2027-01-03', lastContactDate: '2027-01-03' });
    expect(ledgerDatesInZone({ lastCappedDate: NEVER, lastContactDate: '2027-01-03' }, 'America/Los_Angeles', 'Pacific/Kiritimati')).toEqual({ lastCappedDate: NEVER, lastContactDate: '2027-01-03' });
  });
});
