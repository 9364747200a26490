/**
 * A deterministic cohort of realistic records (SPEC.md "Data the business writes"): the demo data,
 * and any size of cohort for benchmarks. Same seed, same bytes. Addresses only at reserved domains.
 */

export interface CohortOptions {
  readonly customers: number;
  readonly seed: number;
  /** The cohort's "now": contracts, complaints and interactions are dated around it. */
  readonly startDate: string;
  /** Append three invalid lines that show the validator at work. */
  readonly invalidLines?: boolean;
}

/** mulberry32: small, fast, good enough for test data. */
const random = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const names = {
  en: { first: ['Olivia', 'James', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Grace', 'Harry', 'Chloe', 'Jack', 'Emily', 'George', 'Zoë', 'Liam'], last: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Walker', "O'Brien", 'Patel'] },
  es: { first: ['Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Iñaki', 'María José', 'José María', 'Álvaro', 'Nuria', 'Begoña', 'Joaquín', 'Inés', 'Ramón'], last: ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Muñoz', 'Ibáñez', 'Núñez'] },
  ro: { first: ['Ștefan', 'Ioana', 'Andrei', 'Ana-Maria', 'Mihai', 'Elena', 'Răzvan', 'Ilinca', 'Tudor', 'Bianca', 'Cătălin', 'Oana', 'Sorin', 'Irina'], last: ['Popescu', 'Ionescu', 'Șerban', 'Dumitrescu', 'Stoica', 'Munteanu', 'Țurcanu', 'Constantinescu', 'Răducanu', 'Lupu'] },
} as const;

const zonesByLocale = {
  en: ['Europe/London', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Pacific/Honolulu', 'America/St_Johns', 'Australia/Sydney', 'Australia/Adelaide', 'Pacific/Auckland', 'Asia/Kolkata', 'Asia/Dubai'],
  es: ['Europe/Madrid', 'Atlantic/Canary', 'America/Mexico_City', 'America/Bogota', 'America/Argentina/Buenos_Aires', 'America/Santiago', 'America/Lima'],
  ro: ['Europe/Bucharest', 'Europe/Chisinau'],
} as const;
/** Zones anyone may live in, the extremes included: UTC−12 to UTC+14, half- and quarter-hour offsets. */
const anywhere = ['Etc/GMT+12', 'Pacific/Pago_Pago', 'America/Sao_Paulo', 'Atlantic/Azores', 'Africa/Cairo', 'Asia/Kathmandu', 'Asia/Tokyo', 'Pacific/Chatham', 'Pacific/Kiritimati'];

const subjects = {
  en: ['Late delivery', 'Damaged item', 'Wrong invoice', 'Rude service'],
  es: ['Entrega retrasada', 'Producto dañado', 'Factura incorrecta', 'Mala atención'],
  ro: ['Livrare întârziată', 'Produs deteriorat', 'Factură greșită', 'Servicii proaste'],
} as const;
const plans = ['Premium annual', 'Family plan', 'Basic monthly', 'Pro yearly', 'Membership gold'];

const ascii = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();
const pad = (n: number, width = 4) => String(n).padStart(width, '0');
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const instant = (date: string, rand: () => number) => new Date(Date.parse(`${date}T00:00:00Z`) + Math.floor(rand() * 86_400) * 1000).toISOString();

export const generateCohort = (options: CohortOptions): string[] => {
  const rand = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const chance = (p: number) => rand() < p;
  const start = options.startDate;
  const startYear = Number(start.slice(0, 4));

  const customers: Record<string, unknown>[] = [];
  const contracts: Record<string, unknown>[] = [];
  const complaints: Record<string, unknown>[] = [];
  const interactions: Record<string, unknown>[] = [];
  const timed: Record<string, unknown>[] = [];

  for (let i = 1; i <= options.customers; i++) {
    const customerId = `c-${pad(i)}`;
    const locale = pick(['en', 'en', 'en', 'en', 'es', 'es', 'es', 'es', 'ro', 'ro'] as const);
    const first = pick(names[locale].first);
    const last = pick(names[locale].last);
    const timeZone = chance(0.8) ? pick(zonesByLocale[locale]) : pick(anywhere);
    const tier = pick(['standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'silver', 'silver', 'silver', 'silver', 'silver', 'gold', 'gold', 'gold', 'diamond'] as const);
    const pointsCeiling = { standard: 2000, silver: 6000, gold: 12000, diamond: 20000 }[tier];
    const customer: Record<string, unknown> = {
      type: 'customer',
      customerId,
      email: `${ascii(first)}.${ascii(last)}.${pad(i)}@${pick(['example.com', 'example.org', 'example.net'])}`,
      timeZone,
      name: first,
      locale,
      tier,
      loyaltyPoints: between(0, pointsCeiling),
      marketingOptIn: !chance(0.08),
      createdAt: instant(addDays(start, -between(365, 5 * 365)), rand),
    };
    // Two leaplings in every cohort; otherwise a birthday on any day, a third of them in the next 90 days.
    if (i === 7) customer.birthday = '1996-02-29';
    else if (i === 23) customer.birthday = '--02-29';
    else if (chance(0.85)) {
      const day = chance(0.3) ? addDays(start, between(0, 89)) : addDays(`${startYear}-01-01`, between(0, 364));
      const year = startYear - between(18, 80);
      customer.birthday = chance(0.1) ? `--${day.slice(5)}` : `${year}-${day.slice(5)}`;
      if (customer.birthday === `${year}-02-29` && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) customer.birthday = `${year}-02-28`;
    }
    customers.push(customer);

    if (chance(0.35)) {
      const contractId = `k-${pad(contracts.length + 1)}`;
      const contract = {
        type: 'contract', contractId, customerId, endsOn: addDays(start, between(-10, 180)), plan: pick(plans),
        autoRenew: chance(0.3), status: chance(0.9) ? 'active' : pick(['renewed', 'cancelled']),
      };
      contracts.push(contract);
      if (contract.status === 'active' && !contract.autoRenew && chance(0.1)) timed.push({ ...contract, status: 'renewed', at: instant(addDays(start, between(5, 80)), rand) });
    }
    if (chance(0.1)) {
      const openedAt = instant(addDays(start, between(-30, 30)), rand);
      const resolved = chance(0.4);
      const complaint: Record<string, unknown> = { type: 'complaint', complaintId: `q-${pad(complaints.length + 1)}`, customerId, openedAt, subject: pick(subjects[locale]), status: resolved ? 'resolved' : 'open' };
      if (resolved) complaint.resolvedAt = new Date(Date.parse(openedAt) + between(1, 10) * 86_400_000).toISOString();
      complaints.push(complaint);
      if (!resolved && chance(0.5)) {
        const at = new Date(Math.max(Date.parse(openedAt), Date.parse(`${start}T00:00:00Z`)) + between(2, 20) * 86_400_000).toISOString();
        timed.push({ ...complaint, status: 'resolved', resolvedAt: at, at });
      }
    }
    if (chance(0.4)) {
      interactions.push({ type: 'interaction', interactionId: `o-${pad(interactions.length + 1)}`, customerId, completedAt: instant(addDays(start, between(-20, 80)), rand), kind: pick(['purchase', 'purchase', 'service', 'support']) });
    }
    if (customer.marketingOptIn && chance(0.02)) timed.push({ ...customer, marketingOptIn: false, at: instant(addDays(start, between(5, 85)), rand) });
  }

  timed.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const lines = [...customers, ...contracts, ...complaints, ...interactions, ...timed].map((record) => JSON.stringify(record));
  if (options.invalidLines) {
    lines.push(
      JSON.stringify({ type: 'customer', customerId: 'c-bad-1', email: 'nobody.1@example.com', timeZone: 'Mars/Olympus', locale: 'en' }),
      JSON.stringify({ type: 'customer', customerId: 'c-bad-2', email: 'nobody.2@example.com', timeZone: 'Europe/Madrid', birthday: '1990-02-30' }),
      '{"type": "customer", "customerId": "c-broken"',
    );
  }
  return lines;
};
