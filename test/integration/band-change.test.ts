import { describe, expect, it } from 'vitest';
import { addDays, localDateOf, type LocalDate } from '../../functions/core/calendar.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { simulate, type LocalSystem } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * Ops narrow the cadence band at run time (`retention config set cadence.maxDaysBetween=21`, later
 * `cadence.minDaysBetween=10`): from the change on, every consenting customer hears from us within the
 * new floor, counted from their last contact, and a customer already past it at the change within a
 * day or two, whatever the old band had planned for them (a floor check weeks ahead, a keep-in-touch
 * waiting for the old floor's last day, a birthday greeting that held the old floor). On the local
 * stack, through the real handlers, over 100 days; customers join on staggered days so that the change
 * finds each at another point of their cycle.
 */

const start = new Date('2027-03-01T00:00:00Z');
const day = (n: number, hour = 0) => new Date(start.getTime() + n * 86_400_000 + hour * 3_600_000);
const DAYS = 100;
const NARROWED_ON = 40;
const CAP_LENGTHENED_ON = 70;
const OLD = defaultConfig.cadence;
const narrower: RetentionConfig = { ...defaultConfig, cadence: { ...OLD, maxDaysBetween: 21 } };
const longerCap: RetentionConfig = { ...narrower, cadence: { ...narrower.cadence, minDaysBetween: 10 } };

/** Day 0: at the start, before any planner run; the rest join on their day, as a business system writes them. */
const joiners: readonly { readonly id: string; readonly joins: number; readonly timeZone: string; readonly birthday: string }[] = [
  { id: 'b-00', joins: 0, timeZone: 'UTC', birthday: '1990-12-20' },
  { id: 'b-05', joins: 5, timeZone: 'America/New_York', birthday: '1990-12-20' },
  { id: 'b-10', joins: 10, timeZone: 'UTC', birthday: '1990-12-20' },
  { id: 'b-15', joins: 15, timeZone: 'UTC', birthday: '1990-12-20' },
  // Its birthday greeting (day 48) would hold the old floor (day 50), not the new one (day 41).
  { id: 'b-20', joins: 20, timeZone: 'Asia/Tokyo', birthday: '1985-04-18' },
  { id: 'b-25', joins: 25, timeZone: 'UTC', birthday: '1990-12-20' },
  { id: 'b-33', joins: 33, timeZone: 'Pacific/Kiritimati', birthday: '1990-12-20' },
];

describe('narrowing the cadence band at run time', () => {
  it('holds the new floor for every customer from the change on, wherever the old band had put them', async () => {
    // Prepare: seven consenting customers on the shipped band (30 days), joining on staggered days (the
    // tables are the simulation's own: fixed ids, so each first floor's spread target is the same every run)
    const prefix = '';
    const lines = joiners.map(({ id, joins, timeZone, birthday }) =>
      JSON.stringify({
        type: 'customer',
        customerId: `${prefix}${id}`,
        email: `${prefix}${id}@example.com`,
        timeZone,
        birthday,
        marketingOptIn: true,
        createdAt: '2026-01-10T00:00:00Z',
        ...(joins > 0 ? { at: day(joins, 9).toISOString() } : {}),
      }),
    );
    const set = (config: RetentionConfig) => async (system: LocalSystem, now: Date) => system.configStore.put(config, now);

    // Act: ops shorten the floor to 21 days on day 40 at noon, and lengthen the cap to 10 days on day 70
    const result = await simulate({
      ...endpoints(),
      data: lines.join('\n'),
      start,
      days: DAYS,
      config: defaultConfig,
      tablePrefix: uniquePrefix('band-tables'),
      operations: [
        { at: day(NARROWED_ON, 12), run: set(narrower) },
        { at: day(CAP_LENGTHENED_ON, 12), run: set(longerCap) },
      ],
    });

    // Assess: each customer's contacts, in their own local dates: joining (the ledger opens), then every send
    expect(result.parked).toEqual([]);
    const narrowedOn = localDateOf(day(NARROWED_ON, 12), 'UTC');
    const end = localDateOf(day(DAYS), 'UTC');
    const contactsOf = new Map<string, LocalDate[]>();
    for (const { id, joins, timeZone } of joiners) {
      const own = result.report.messages.filter((m) => m.customerId === `${prefix}${id}`);
      const sent = own.filter((m) => m.state === 'sent').map((m) => localDateOf(new Date(m.sentAt!), timeZone));
      const contacts = [localDateOf(day(joins, 9), timeZone), ...sent].sort();
      contactsOf.set(`${prefix}${id}`, contacts);
      // The next contact after each: within the band of its time. Under the new one, counted from the
      // last contact, or (a floor already past when it narrowed) by the day after the next planner run.
      const latestAfter = (contact: LocalDate): LocalDate => {
        const old = addDays(contact, OLD.maxDaysBetween);
        if (old < narrowedOn) return old;
        const shorter = addDays(contact, narrower.cadence.maxDaysBetween);
        return shorter > addDays(narrowedOn, 2) ? shorter : addDays(narrowedOn, 2);
      };
      const late = [...contacts, end]
        .slice(1)
        .map((next, i) => ({ after: contacts[i]!, next, latest: latestAfter(contacts[i]!) }))
        .filter(({ next, latest }) => next > latest);
      expect({ id, late }).toEqual({ id, late: [] });
      // The cap of each time: capped messages at least minDaysBetween apart (10 days from day 70 on)
      const capped = own.filter((m) => m.state === 'sent' && defaultConfig.campaigns[m.campaign as keyof RetentionConfig['campaigns']].countsTowardCap).map((m) => localDateOf(new Date(m.sentAt!), timeZone)).sort();
      for (const [i, date] of capped.slice(1).entries()) {
        const cap = date > localDateOf(day(CAP_LENGTHENED_ON, 12), timeZone) ? longerCap.cadence.minDaysBetween : OLD.minDaysBetween;
        expect(addDays(capped[i]!, cap) <= date, `${id}: capped on ${capped[i]} and ${date}`).toBe(true);
      }
    }

    // Keep-in-touch messages that waited for their old floor's last day gave way to one for the new
    // floor, saying why, and a message reached the customer by that floor's last day
    const gaveWay = result.report.messages.filter((m) => m.campaign === 'keepInTouch' && m.state === 'cancelled' && m.reason?.endsWith('the cadence band changed'));
    expect(gaveWay.length).toBeGreaterThan(0);
    for (const message of gaveWay) {
      const lastDay = /^the floor now ends on (\d{4}-\d{2}-\d{2}): the cadence band changed$/.exec(message.reason!)?.[1];
      expect(lastDay, message.reason!).toBeDefined();
      expect(contactsOf.get(message.customerId)!.some((date) => date > narrowedOn && date <= lastDay!), `${message.messageId}: a message by ${lastDay}`).toBe(true);
    }
    // b-20's greeting no longer holds the floor: a keep-in-touch went before it
    const b20 = result.report.messages.filter((m) => m.customerId === `${prefix}b-20` && m.state === 'sent').map((m) => [m.campaign, localDateOf(new Date(m.sentAt!), 'Asia/Tokyo')]);
    expect(b20.filter(([, date]) => date! > narrowedOn)[0]).toEqual(['keepInTouch', expect.any(String)]);
  }, 240_000);
});
