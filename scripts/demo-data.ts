/**
 * A deterministic cohort of realistic records (SPEC.md "Data the business writes"): the demo data,
 * and any size of cohort for benchmarks. Same options, same bytes: all randomness comes from one
 * seeded mulberry32 stream, no clock and no dependency. Addresses only at the reserved domains
 * (RFC 2606) example.com, example.org and example.net.
 *
 * Output order: customers, contracts, complaints, interactions, then the timed records (carrying
 * `at`: updates, each a full record with the same id; interactions completed after startDate; survey
 * answers) sorted by `at`; optionally three invalid lines.
 */

export interface CohortOptions {
  readonly customers: number;
  readonly seed: number;
  /** The cohort's "now" (YYYY-MM-DD): contracts, complaints, interactions and timed updates are dated around it. */
  readonly startDate: string;
  /** Append three invalid lines that show the validator at work. */
  readonly invalidLines?: boolean;
}

type Locale = 'en' | 'es' | 'ro';
type Tier = 'standard' | 'silver' | 'gold' | 'diamond';
type Json = Record<string, unknown>;

/** mulberry32: small, fast, good enough for test data. */
export const mulberry32 = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const locales: readonly (readonly [Locale, number])[] = [['en', 40], ['es', 35], ['ro', 25]];
/** Survey scores: mostly promoters and passives, about one answer in five a detractor (≤ 6). */
const scores: readonly (readonly [number, number])[] = [[10, 22], [9, 22], [8, 18], [7, 14], [6, 6], [5, 5], [4, 4], [3, 3], [2, 2], [1, 2], [0, 2]];
const tiers: readonly (readonly [Tier, number])[] = [['standard', 55], ['silver', 25], ['gold', 15], ['diamond', 5]];
/** Loyalty points by tier: overlapping bands, so points rise with the tier without being a function of it. */
const pointsByTier: Record<Tier, readonly [number, number]> = { standard: [0, 2500], silver: [1500, 6000], gold: [5000, 12000], diamond: [10000, 20000] };

const names: Record<Locale, { readonly first: readonly string[]; readonly last: readonly string[] }> = {
  en: {
    first: ['Olivia', 'James', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Grace', 'Harry', 'Chloe', 'Jack', 'Emily', 'George', 'Zoë', 'Liam', 'Siobhán', 'Mary-Kate', 'Renée', 'Aidan'],
    last: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Walker', "O'Brien", 'Patel', 'Nguyen', 'MacDonald', 'Clarke', 'Hughes'],
  },
  es: {
    first: ['Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Iñaki', 'María José', 'José María', 'Álvaro', 'Nuria', 'Begoña', 'Joaquín', 'Inés', 'Ramón', 'Ainhoa', 'Íñigo', 'Mónica', 'Sebastián'],
    last: ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Muñoz', 'Ibáñez', 'Núñez', 'Rodríguez', 'Echeverría', 'Peña', 'Castaño'],
  },
  ro: {
    first: ['Ștefan', 'Ioana', 'Andrei', 'Ana-Maria', 'Mihai', 'Elena', 'Răzvan', 'Ilinca', 'Tudor', 'Bianca', 'Cătălin', 'Oana', 'Sorin', 'Irina', 'Ionuț', 'Mădălina', 'Gheorghe', 'Ștefania'],
    last: ['Popescu', 'Ionescu', 'Șerban', 'Dumitrescu', 'Stoica', 'Munteanu', 'Țurcanu', 'Constantinescu', 'Răducanu', 'Lupu', 'Căpraru', 'Bălan', 'Ciobanu', 'Știrbu'],
  },
};

/** Where speakers of each locale mostly live. */
const zonesByLocale: Record<Locale, readonly string[]> = {
  en: ['Europe/London', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Pacific/Honolulu', 'America/St_Johns', 'Australia/Sydney', 'Australia/Adelaide', 'Pacific/Auckland', 'Asia/Kolkata'],
  es: ['Europe/Madrid', 'Atlantic/Canary', 'America/Mexico_City', 'America/Bogota', 'America/Argentina/Buenos_Aires', 'America/Santiago', 'America/Lima'],
  ro: ['Europe/Bucharest', 'Europe/Chisinau'],
};
/**
 * Zones every cohort of 200 or more contains, west to east: UTC−12 to UTC+14, half- and
 * quarter-hour offsets, both hemispheres' daylight saving. Every eighth customer (c-0004, c-0012, …)
 * lives in the next one of these, whatever their locale.
 */
const spreadZones = [
  'Etc/GMT+12', 'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Los_Angeles', 'America/Denver', 'America/Chicago',
  'America/New_York', 'America/St_Johns', 'America/Sao_Paulo', 'Atlantic/Azores', 'Europe/London', 'Europe/Madrid',
  'Atlantic/Canary', 'Europe/Bucharest', 'Europe/Chisinau', 'Africa/Cairo', 'Asia/Dubai', 'Asia/Kolkata',
  'Asia/Kathmandu', 'Asia/Tokyo', 'Australia/Adelaide', 'Australia/Sydney', 'Pacific/Auckland', 'Pacific/Chatham', 'Pacific/Kiritimati',
];
const SPREAD_EVERY = 8;
const LOCALE_ZONE_SHARE = 0.85;

const subjects: Record<Locale, readonly string[]> = {
  en: ['Late delivery', 'Damaged item', 'Wrong invoice', 'Unhelpful support', 'Charged twice'],
  es: ['Entrega retrasada', 'Producto dañado', 'Factura incorrecta', 'Atención poco útil', 'Cobro duplicado'],
  ro: ['Livrare întârziată', 'Produs deteriorat', 'Factură greșită', 'Asistență nesatisfăcătoare', 'Plată încasată de două ori'],
};
const plans = ['Premium annual', 'Family plan', 'Basic monthly', 'Pro yearly', 'Gold membership', 'Student plan'];
const domains = ['example.com', 'example.org', 'example.net'];
const kinds = [['purchase', 60], ['service', 25], ['support', 15]] as const;

const DAY = 86_400_000;
const TIMED_WINDOW_DAYS = 90;

/** Lower-case ASCII letters only: "Ana-Maria" → "anamaria", "Șerban" → "serban", "O'Brien" → "obrien". */
const ascii = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();
const pad = (n: number) => String(n).padStart(4, '0');
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const addDays = (date: string, days: number) => new Date(dayMs(date) + days * DAY).toISOString().slice(0, 10);
const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const isDate = (date: string) => /^\d{4}-\d{2}-\d{2}$/.test(date) && new Date(dayMs(date)).toISOString().slice(0, 10) === date;

export const generateCohort = (options: CohortOptions): string[] => {
  const { customers: size, seed, startDate: start } = options;
  if (!Number.isSafeInteger(size) || size < 0 || size > 999_999) throw new RangeError(`customers must be an integer 0–999999, got ${size}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a number, got ${seed}`);
  if (!isDate(start)) throw new RangeError(`startDate must be a date YYYY-MM-DD, got '${start}'`);

  const rand = mulberry32(seed);
  const between = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const chance = (p: number) => rand() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const weighted = <T>(items: readonly (readonly [T, number])[]): T => {
    let r = rand() * items.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [item, weight] of items) if ((r -= weight) < 0) return item;
    return items[items.length - 1]![0];
  };
  /** An instant on the given UTC day, to the second. */
  const instantOn = (date: string) => new Date(dayMs(date) + between(0, 86_399) * 1000).toISOString();
  /** An instant strictly inside (from, to), to the second. */
  const instantBetween = (from: number, to: number) => new Date(from + between(1, Math.max(1, Math.floor((to - from) / 1000) - 1)) * 1000).toISOString();

  const startYear = Number(start.slice(0, 4));
  const startMmdd = start.slice(5);
  const startMs = dayMs(start);
  const timedEnd = startMs + TIMED_WINDOW_DAYS * DAY;

  /** A birth year that makes the customer 18–80 on startDate; a leap year when the birthday is 29 February. */
  const birthYear = (mmdd: string) => {
    const notYet = mmdd > startMmdd ? 1 : 0;
    const [oldest, youngest] = [startYear - 80 - notYet, startYear - 18 - notYet];
    const year = between(oldest, youngest);
    if (mmdd !== '02-29' || isLeap(year)) return year;
    for (let step = 1; ; step++) {
      if (year - step >= oldest && isLeap(year - step)) return year - step;
      if (year + step <= youngest && isLeap(year + step)) return year + step;
    }
  };
  /** Month-day uniform over a leap year (29 February is 1 day in 1461), or in the 90 days from startDate. */
  const birthdayMonthDay = () => {
    if (chance(0.3)) return addDays(start, between(0, 89)).slice(5);
    const day = between(0, 365 * 4); // 4 years of days, one of them 29 February
    if (day === 365 * 4) return '02-29';
    return addDays('2001-01-01', day % 365).slice(5);
  };

  const customers: Json[] = [];
  const contracts: Json[] = [];
  const complaints: Json[] = [];
  const interactions: Json[] = [];
  const timed: Json[] = [];

  // Two leaplings in every cohort of two or more: one with a year, one without.
  const leapDated = size >= 2 ? Math.min(7, size - 1) : 1;
  const leapYearless = Math.min(23, size);

  for (let i = 1; i <= size; i++) {
    const customerId = `c-${pad(i)}`;
    const locale = weighted(locales);
    const first = pick(names[locale].first);
    const last = pick(names[locale].last);
    const spreadSlot = (i - SPREAD_EVERY / 2) / SPREAD_EVERY;
    const timeZone = Number.isInteger(spreadSlot) && spreadSlot >= 0
      ? spreadZones[spreadSlot % spreadZones.length]!
      : chance(LOCALE_ZONE_SHARE) ? pick(zonesByLocale[locale]) : pick(spreadZones);
    const tier = weighted(tiers);
    const [minPoints, maxPoints] = pointsByTier[tier];
    const customer: Json = {
      type: 'customer',
      customerId,
      email: `${ascii(first)}.${ascii(last)}.${pad(i)}@${pick(domains)}`,
      timeZone,
      name: first,
      locale,
      tier,
      loyaltyPoints: between(minPoints, maxPoints),
      // Stated for every customer: consent is never assumed (a line without it imports as consent.defaultMarketingOptIn, shipped false).
      marketingOptIn: !chance(0.08),
      createdAt: instantOn(addDays(start, -between(365, 5 * 365))),
    };
    const hasBirthday = chance(0.85);
    if (i === leapDated) customer.birthday = `${birthYear('02-29')}-02-29`;
    else if (i === leapYearless) customer.birthday = '--02-29';
    else if (hasBirthday) {
      const mmdd = birthdayMonthDay();
      customer.birthday = chance(0.1) ? `--${mmdd}` : `${birthYear(mmdd)}-${mmdd}`;
    }
    customers.push(customer);

    if (chance(0.35)) {
      const status = chance(0.9) ? 'active' : pick(['renewed', 'cancelled']);
      contracts.push({
        type: 'contract', contractId: `k-${pad(contracts.length + 1)}`, customerId,
        endsOn: addDays(start, between(-10, 180)), plan: pick(plans), autoRenew: chance(0.3), status,
      });
    }
    if (chance(0.1)) {
      const openedAt = instantOn(addDays(start, between(-30, 30)));
      const complaint: Json = { type: 'complaint', complaintId: `q-${pad(complaints.length + 1)}`, customerId, openedAt, subject: pick(subjects[locale]), status: 'open' };
      // Some complaints opened before startDate were already resolved by then.
      if (Date.parse(openedAt) < startMs - DAY && chance(0.4)) {
        complaint.status = 'resolved';
        complaint.resolvedAt = instantBetween(Date.parse(openedAt), Math.min(Date.parse(openedAt) + 10 * DAY, startMs));
      }
      complaints.push(complaint);
    }
    if (chance(0.4)) {
      const completedAt = instantOn(addDays(start, between(-20, 80)));
      const interaction: Json = { type: 'interaction', interactionId: `o-${pad(interactions.length + 1)}`, customerId, completedAt, kind: weighted(kinds) };
      // An interaction still to come arrives when it is completed.
      if (Date.parse(completedAt) > startMs) timed.push({ ...interaction, at: completedAt });
      else interactions.push(interaction);
      // Some customers answer the survey (three days later) within a couple of days; a few of them are detractors.
      const respondedAt = Date.parse(completedAt) + 3 * DAY + between(3_600, 2 * 86_400) * 1000;
      if (respondedAt > startMs && respondedAt < timedEnd && chance(0.3)) {
        const score = weighted(scores);
        const at = new Date(respondedAt).toISOString();
        timed.push({ type: 'surveyResponse', surveyId: interaction.interactionId, customerId, score, respondedAt: at, at });
      }
    }
  }

  // Timed updates, each a full record with `at` strictly inside (startDate, startDate + 90 days).
  // A handful of each kind, at least one whenever the cohort has a record it can apply to.
  const updates = <T extends Json>(eligible: readonly T[], share: number, make: (record: T) => Json) => {
    const chosen = eligible.filter(() => chance(share));
    if (chosen.length === 0 && eligible.length > 0) chosen.push(eligible[0]!);
    for (const record of chosen) timed.push(make(record));
  };
  // A contract renewed before it ends.
  updates(
    contracts.filter((c) => c.status === 'active' && c.autoRenew === false && dayMs(String(c.endsOn)) > startMs + 3 * DAY),
    0.12,
    (c) => ({ ...c, status: 'renewed', at: instantBetween(startMs, Math.min(dayMs(String(c.endsOn)) - DAY, timedEnd)) }),
  );
  // An open complaint resolved 1–20 days after it was opened (or after startDate).
  updates(complaints.filter((q) => q.status === 'open'), 0.45, (q) => {
    const from = Math.max(Date.parse(String(q.openedAt)), startMs);
    const at = instantBetween(from + DAY, Math.min(from + 20 * DAY, timedEnd));
    return { ...q, status: 'resolved', resolvedAt: at, at };
  });
  // A customer who withdraws marketing consent.
  updates(customers.filter((c) => c.marketingOptIn === true), 0.02, (c) => ({ ...c, marketingOptIn: false, at: instantBetween(startMs + 5 * DAY, timedEnd - 5 * DAY) }));
  timed.sort((a, b) => String(a.at).localeCompare(String(b.at)));

  const lines = [...customers, ...contracts, ...complaints, ...interactions, ...timed].map((record) => JSON.stringify(record));
  if (options.invalidLines) {
    lines.push(
      JSON.stringify({ type: 'customer', customerId: 'c-bad-1', email: 'nobody.bad1@example.com', timeZone: 'Mars/Olympus', name: 'Marvin', locale: 'en' }),
      JSON.stringify({ type: 'customer', customerId: 'c-bad-2', email: 'nobody.bad2@example.com', timeZone: 'Europe/Madrid', name: 'Lucía', locale: 'es', birthday: '1990-02-30' }),
      '{"type": "customer", "customerId": "c-broken"',
    );
  }
  return lines;
};
