import fc from 'fast-check';

/**
 * Small cohorts whose customers live through everything at once (the cadence property test's data):
 * complaints that stay open or are resolved between check-ins, purchases whose survey falls while a
 * complaint is open (blocked) or after it is resolved, contracts ending in the window that are renewed,
 * cancelled or extended while their reminders wait, or go on for another term under the same id, customers joining late, birthdays (29 February
 * among them) with and without consent, in zones from UTC−12 to UTC+14. Record formats: SPEC.md
 * "Data the business writes"; a record that happens after the start carries `at`.
 */

export const START = '2027-01-01';
const START_MS = Date.parse(`${START}T00:00:00Z`);
const DAY = 86_400_000;
const MINUTE = 60_000;

const zones = ['Etc/GMT+12', 'Pacific/Honolulu', 'America/St_Johns', 'America/New_York', 'America/Santiago', 'Europe/London', 'Europe/Madrid', 'Europe/Bucharest', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Adelaide', 'Pacific/Chatham', 'Pacific/Kiritimati'];
const monthDay = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([m, d]) => `${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const minute = fc.integer({ min: 0, max: 24 * 60 - 1 });
/** A value `percent` % of the time, else undefined. */
const sometimes = <T>(percent: number, arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary });

/** Days are counted from the customer's start: the window's start, or the moment a late joiner joins. */
const complaint = fc.record({
  openDay: fc.integer({ min: -20, max: 250 }),
  openMinute: minute,
  /** Resolved this many hours after it opened (between check-ins, or after them), or never. */
  resolvedAfterHours: sometimes(60, fc.integer({ min: 1, max: 40 * 24 })),
});
const interaction = fc.record({
  /** A day of its own, or a number of days after one of the customer's complaints opened or was resolved. */
  anchor: fc.oneof(
    fc.record({ to: fc.constant('day' as const), day: fc.integer({ min: -20, max: 300 }) }),
    fc.record({ to: fc.constantFrom('opened' as const, 'resolved' as const), complaint: fc.nat({ max: 1 }), day: fc.integer({ min: 0, max: 14 }) }),
  ),
  minute,
  kind: fc.constantFrom('purchase', 'service', 'support'),
});
const contract = fc.record({
  endDay: fc.integer({ min: 3, max: 330 }),
  plan: fc.constantFrom('Premium annual', 'Family plan', 'Basic monthly'),
  /**
   * Later records while the reminders wait (none, one or two, each timed from the first end): renewed,
   * cancelled, extended to a new `endsOn`, or renewed and, hours later, written active again for its
   * next term under the same id. Two of them make the end go back and forth, or a renewal follow an extension.
   */
  changes: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 7, arbitrary: fc.array(fc.record({ kind: fc.constantFrom('renewed' as const, 'cancelled' as const, 'extended' as const, 'nextTerm' as const), daysBeforeEnd: fc.integer({ min: 0, max: 35 }), minute, extendByDays: fc.integer({ min: 7, max: 120 }) }), { minLength: 1, maxLength: 2 }) },
  ),
});
const customer = fc.record({
  timeZone: fc.constantFrom(...zones),
  locale: fc.constantFrom('en', 'es', 'ro'),
  birthday: sometimes(80, fc.oneof(monthDay.map((md) => `1990-${md}`), monthDay.map((md) => `--${md}`), fc.constantFrom('1996-02-29', '--02-29', '1988-12-31', '--01-01'))),
  marketingOptIn: fc.constantFrom(true, true, true, true, false),
  /** Joins late: their only customer record carries `at`. */
  joins: sometimes(30, fc.record({ day: fc.integer({ min: 1, max: 200 }), minute })),
  complaints: fc.array(complaint, { maxLength: 2 }),
  interactions: fc.array(interaction, { maxLength: 3 }),
  contracts: fc.array(contract, { maxLength: 2 }),
  /** Rarely, the birthday moves on this day (the customer then leaves the floor and birthday checks). */
  birthdayMoves: sometimes(10, fc.tuple(fc.integer({ min: 1, max: 360 }), monthDay)),
});
export const cohort = fc.record({ days: fc.integer({ min: 200, max: 365 }), customers: fc.array(customer, { minLength: 2, maxLength: 5 }) });
export type Cohort = typeof cohort extends fc.Arbitrary<infer T> ? T : never;

const iso = (ms: number) => new Date(ms).toISOString();
const dateOf = (ms: number) => iso(ms).slice(0, 10);

/** The cohort as NDJSON: records at or before the start without `at`, later ones with `at` (when they happen), in time order. */
export const cohortLines = (input: Cohort): string[] => {
  const immediate: Record<string, unknown>[] = [];
  const timed: (Record<string, unknown> & { at: string })[] = [];
  const add = (record: Record<string, unknown>, at: number) => (at <= START_MS ? immediate.push(record) : timed.push({ ...record, at: iso(at) }));

  input.customers.forEach((c, i) => {
    const customerId = `p${i}`;
    const joinedAt = c.joins ? START_MS + c.joins.day * DAY + c.joins.minute * MINUTE : START_MS;
    /** An instant `day` days (and minutes) into this customer's life: a late joiner's records come after they joined. */
    const on = (day: number, minutes: number) => (c.joins ? joinedAt + MINUTE + Math.max(0, day) * DAY + minutes * MINUTE : START_MS + day * DAY + minutes * MINUTE);
    const profile = { type: 'customer', customerId, email: `${customerId}@prop.example.com`, name: `Customer ${i}`, timeZone: c.timeZone, locale: c.locale, marketingOptIn: c.marketingOptIn, ...(c.birthday ? { birthday: c.birthday } : {}) };
    if (c.joins) timed.push({ ...profile, at: iso(joinedAt) });
    else immediate.push(profile);
    if (c.birthdayMoves && START_MS + c.birthdayMoves[0] * DAY > joinedAt) timed.push({ ...profile, birthday: `1985-${c.birthdayMoves[1]}`, at: iso(START_MS + c.birthdayMoves[0] * DAY) });

    const complaints = c.complaints.map((q, k) => {
      const opened = on(q.openDay, q.openMinute);
      const resolved = q.resolvedAfterHours === undefined ? undefined : opened + q.resolvedAfterHours * 3_600_000;
      const record = { type: 'complaint', complaintId: `q${i}-${k}`, customerId, openedAt: iso(opened), subject: 'Late delivery' };
      if (resolved !== undefined && resolved <= START_MS) add({ ...record, status: 'resolved', resolvedAt: iso(resolved) }, opened);
      else {
        add({ ...record, status: 'open' }, opened);
        if (resolved !== undefined) add({ ...record, status: 'resolved', resolvedAt: iso(resolved) }, resolved);
      }
      return { opened, resolved };
    });

    c.interactions.forEach((o, k) => {
      const { anchor } = o;
      const target = anchor.to === 'day' ? undefined : complaints[anchor.complaint % Math.max(1, complaints.length)];
      const completed = target === undefined
        ? on(anchor.day, o.minute) // no complaint to follow: a day of its own
        : (anchor.to === 'resolved' ? (target.resolved ?? target.opened) : target.opened) + anchor.day * DAY + o.minute * MINUTE;
      add({ type: 'interaction', interactionId: `o${i}-${k}`, customerId, completedAt: iso(completed), kind: o.kind }, completed);
    });

    c.contracts.forEach((k, n) => {
      const written = c.joins ? joinedAt + MINUTE : START_MS;
      const endsOn = dateOf((c.joins ? joinedAt : START_MS) + k.endDay * DAY);
      const record = { type: 'contract', contractId: `k${i}-${n}`, customerId, endsOn, plan: k.plan, autoRenew: false, status: 'active' };
      add(record, written);
      for (const change of k.changes) {
        let at = Date.parse(`${endsOn}T00:00:00Z`) - change.daysBeforeEnd * DAY + change.minute * MINUTE;
        if (at <= written) at = written + 3_600_000;
        const extended = { ...record, endsOn: dateOf(Date.parse(`${endsOn}T00:00:00Z`) + change.extendByDays * DAY) };
        if (change.kind === 'extended') add(extended, at);
        else if (change.kind === 'nextTerm') {
          add({ ...record, status: 'renewed' }, at);
          add(extended, at + 5 * 3_600_000);
        } else add({ ...record, status: change.kind }, at);
      }
    });
  });
  timed.sort((a, b) => a.at.localeCompare(b.at));
  return [...immediate, ...timed].map((record) => JSON.stringify(record));
};

