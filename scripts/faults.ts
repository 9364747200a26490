/**
 * The fault drill (`npm run faults`): on the real local stack (DynamoDB Local + SES emulator, the
 * handlers Lambda runs), one day of a cohort's messages under each fault, counted from what the SES
 * emulator actually received. Prints one row per fault: messages expected, sent, duplicated, lost.
 * Exits 1 when a row duplicates or loses anything it does not declare.
 *
 *   npm run faults [-- --customers 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// The table is the output; the handlers' own logs (a drill's faults are logged as errors) would bury it.
process.env.RETENTION_LOG_LEVEL ??= 'SILENT';
import { defaultConfig } from '../functions/core/config.js';
import { TransientError } from '../functions/core/errors.js';
import type { Mailer, Outbox } from '../functions/core/ports.js';
import { dynamoDbClient, freePort, startDynamoDbLocal, startSesEmulator } from '../functions/local/local-stack.js';
import { readAllMessages } from '../functions/local/report.js';
import { documentClientFor } from '../functions/adapters/runtime.js';
import { LocalSystem, VirtualClock, type LocalSystemOptions } from '../functions/local/simulation.js';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '20' } } });
const customers = Number(values.customers);
const day = '2027-06-12';
const zones = ['UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Tokyo', 'Europe/Bucharest'];

/** Each customer: a birthday greeting today (capped, marketing) and a complaint apology due today (service, uncapped). */
const cohort = (prefix: string) =>
  Array.from({ length: customers }, (_, i) => {
    const customerId = `${prefix}c${i}`;
    return [
      JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: zones[i % zones.length], name: `Customer ${i}`, birthday: `1990-${day.slice(5)}` }),
      JSON.stringify({ type: 'complaint', complaintId: `q-${i}`, customerId, openedAt: `2027-06-11T${String(8 + (i % 10)).padStart(2, '0')}:00:00Z`, subject: 'Late delivery' }),
    ];
  }).flat().join('\n');
const expected = customers * 2;
/** Long enough for an apology held overnight by quiet hours anywhere in the cohort's zones. */
const HOURS = 36;

interface Drill {
  readonly name: string;
  /** What the row relaxes, and why, when it may not be zero. */
  readonly relaxes?: string;
  readonly options?: Partial<LocalSystemOptions>;
  /** How one dispatcher tick runs; by default once. */
  readonly tick?: (system: LocalSystem) => Promise<unknown>;
  readonly planner?: (system: LocalSystem) => Promise<unknown>;
  /** Called before each tick, with its number (for faults that strike mid-run). */
  readonly beforeTick?: (tick: number) => Promise<void>;
  /** Restart DynamoDB Local (its own, with a data path) before this tick; it is down for one tick. */
  readonly restartDynamoDbAtTick?: number;
  readonly note?: (system: LocalSystem) => Promise<string>;
}

const ses = await startSesEmulator();
const sharedDynamo = await startDynamoDbLocal();
const rows: string[][] = [];
let failed = false;

const emailsFor = async (prefix: string): Promise<Map<string, number>> => {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string }[] };
  const counts = new Map<string, number>();
  for (const email of store.emails) {
    const to = email.destination.to[0]!;
    if (!to.startsWith(prefix)) continue;
    // One greeting and one apology per customer: the subject tells them apart.
    const key = `${to}|${email.subject.startsWith('We are sorry') ? 'apology' : 'birthday'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};

const run = async (drill: Drill, index: number) => {
  const prefix = `drill${index}-`;
  let dynamo = drill.restartDynamoDbAtTick !== undefined ? undefined : sharedDynamo;
  let dataPath: string | undefined;
  let port: number | undefined;
  if (drill.restartDynamoDbAtTick !== undefined) {
    dataPath = mkdtempSync(join(tmpdir(), 'retention-drill-'));
    port = await freePort();
    dynamo = await startDynamoDbLocal({ dbPath: dataPath, port });
  }
  let down = false;
  const clock = new VirtualClock(new Date(`${day}T00:00:00Z`));
  const system = await LocalSystem.create({ dynamodbEndpoint: dynamo!.endpoint, sesEndpoint: ses.endpoint, tablePrefix: prefix, clock, config: async () => defaultConfig, ...drill.options });
  await system.importText(cohort(prefix));
  await system.drainStreams();
  await (drill.planner ?? ((s: LocalSystem) => s.runPlanner()))(system);
  await system.drainStreams();
  const errors: string[] = [];
  let tick = 0;
  for (let t = Date.parse(`${day}T00:00:00Z`); t < Date.parse(`${day}T00:00:00Z`) + HOURS * 3_600_000; t += 5 * 60_000, tick++) {
    clock.set(new Date(t));
    if (drill.beforeTick) await drill.beforeTick(tick);
    if (tick === drill.restartDynamoDbAtTick) {
      await dynamo!.stop(); // this tick's dispatcher finds it down
      down = true;
    } else if (down) {
      dynamo = await startDynamoDbLocal({ dbPath: dataPath, port });
      down = false;
    }
    try {
      await (drill.tick ?? ((s: LocalSystem) => s.runDispatcher()))(system);
    } catch (error) {
      errors.push((error as Error).message); // as in Lambda: the invocation fails, the next one runs on schedule
    }
  }
  const counts = await emailsFor(prefix);
  const sent = counts.size;
  const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = expected - sent;
  const notes = [drill.note ? await drill.note(system) : '', errors.length ? `${errors.length} dispatcher runs failed and were retried by the schedule` : ''].filter(Boolean);
  if ((duplicated > 0 || lost > 0) && !drill.relaxes) failed = true;
  rows.push([drill.name, String(expected), String(sent), String(duplicated), String(lost), [...notes, drill.relaxes ?? ''].filter(Boolean).join('; ')]);
  if (drill.restartDynamoDbAtTick !== undefined) {
    await dynamo!.stop();
    rmSync(dataPath!, { recursive: true, force: true });
  }
};

const unconfirmedNote = async (system: LocalSystem) => {
  const messages = await readAllMessages(documentClientFor(dynamoDbClient(system.options.dynamodbEndpoint)), system.tables.Messages);
  return `${messages.filter((m) => m.reason?.startsWith('unconfirmed')).length} recorded as sent, unconfirmed`;
};

let throttled = 0;
let crashesBeforeSend = 0;
let crashesAfterSend = 0;
const drills: Drill[] = [
  { name: 'none (baseline)' },
  { name: 'the same stream batch delivered twice', options: { streamDeliveries: 2 } },
  {
    name: 'a schedule invocation replayed',
    planner: async (s) => {
      await s.runPlanner();
      await s.runPlanner();
    },
    tick: async (s) => {
      await s.runDispatcher();
      await s.runDispatcher();
    },
  },
  { name: 'two dispatchers at once', tick: (s) => Promise.all([s.runDispatcher(), s.runDispatcher()]) },
  {
    name: 'an SES throttling burst (the first 25 sends)',
    options: {
      wrapMailer: (mailer: Mailer): Mailer => ({
        send: async (email) => {
          if (throttled++ < 25) throw new TransientError('ThrottlingException: Maximum sending rate exceeded.');
          return mailer.send(email);
        },
      }),
    },
  },
  {
    name: 'a crash between claiming and sending (5 times)',
    options: {
      wrapOutbox: (outbox: Outbox): Outbox =>
        Object.assign(Object.create(outbox) as Outbox, {
          markHandedOver: async (...args: Parameters<Outbox['markHandedOver']>) => {
            if (crashesBeforeSend++ < 5) throw new Error('the process stopped');
            return outbox.markHandedOver(...args);
          },
        }),
    },
  },
  {
    name: 'a crash after SES accepted, before it was recorded (3 times)',
    relaxes: 'at most once: never re-sent, so a crash inside the SES call itself would lose the message rather than double it',
    options: {
      wrapMailer: (mailer: Mailer): Mailer => ({
        send: async (email) => {
          const id = await mailer.send(email);
          if (crashesAfterSend++ < 3) throw new Error('the process stopped');
          return id;
        },
      }),
    },
    note: unconfirmedNote,
  },
  // 08:00 UTC, while the morning's messages are going out in Europe.
  { name: 'DynamoDB Local restarted mid-run (with a data path)', restartDynamoDbAtTick: 96 },
];

try {
  for (const [index, drill] of drills.entries()) await run(drill, index);
} finally {
  await Promise.all([ses.stop(), sharedDynamo.stop()]);
}

const header = ['fault', 'expected', 'sent', 'duplicated', 'lost', 'note'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => (column >= 1 && column <= 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
console.log(`Fault drill: ${customers} customers, each a birthday greeting and a complaint apology due on ${day} (${expected} messages), dispatcher every 5 minutes for ${HOURS} hours`);
console.log(line(header));
for (const row of rows) console.log(line(row));
process.exitCode = failed ? 1 : 0;
