/**
 * The fault drill (`npm run faults`): on the real local stack (DynamoDB Local + SES emulator, the
 * handlers Lambda runs), one day of a cohort's messages under each fault, counted from what the SES
 * emulator actually received. SES faults are played by a loopback HTTP proxy in front of the emulator
 * (functions/local/ses-fault-proxy.ts), as SES and the network make them: the SES client and mailer
 * are the deployed ones. DynamoDB faults (throttles past the SDK's retries, answers lost after the write
 * applied) are played the same way by a proxy in front of DynamoDB Local (functions/local/dynamo-fault-proxy.ts).
 * Prints one row per fault: messages expected, sent, duplicated, lost,
 * unexpected. Exits 1 when a row duplicates, loses or adds anything it does not declare.
 *
 *   npm run faults [-- --customers 20] [--only <text in a row's name>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// The table is the output; the handlers' own logs (a drill's faults are logged as errors) would bury it.
process.env.RETENTION_LOG_LEVEL ??= 'SILENT';
import { defaultConfig } from '../functions/core/config.js';
import type { Message } from '../functions/core/messages.js';
import type { Outbox } from '../functions/core/ports.js';
import { dynamoDbClient, freePort, startDynamoDbLocal, startSesEmulator } from '../functions/local/local-stack.js';
import { readAllMessages } from '../functions/local/report.js';
import { documentClientFor } from '../functions/adapters/runtime.js';
import { LocalSystem, VirtualClock, type LocalSystemOptions } from '../functions/local/simulation.js';
import { faults, startSesFaultProxy, tokenBucket, type FaultRule, type SesAccountQuota } from '../functions/local/ses-fault-proxy.js';
import { failPlanningOf } from '../functions/local/stream-faults.js';
import { startDynamoFaultProxy, type DynamoFault, type DynamoFaultRule } from '../functions/local/dynamo-fault-proxy.js';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '20' }, only: { type: 'string' } } });
const customers = Number(values.customers);
const day = '2027-06-12';
const zones = ['UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Tokyo', 'Europe/Bucharest'];
const lease = defaultConfig.dispatcher.claimLeaseMinutes;

/** Each customer: a birthday greeting today (capped, marketing) and a complaint apology due today (service, uncapped). */
const complaintOf = (prefix: string, i: number) => ({ type: 'complaint', complaintId: `q-${i}`, customerId: `${prefix}c${i}`, openedAt: `2027-06-11T${String(8 + (i % 10)).padStart(2, '0')}:00:00Z`, subject: 'Late delivery' });
const cohort = (prefix: string) =>
  Array.from({ length: customers }, (_, i) => {
    const customerId = `${prefix}c${i}`;
    return [
      JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: zones[i % zones.length], name: `Customer ${i}`, birthday: `1990-${day.slice(5)}`, marketingOptIn: true }),
      JSON.stringify(complaintOf(prefix, i)),
    ];
  }).flat().join('\n');
/** The e-mails the day should bring: `<address>|birthday` and `<address>|apology`. */
const expectedOf = (prefix: string) => new Set(Array.from({ length: customers }, (_, i) => [`${prefix}c${i}@example.com|birthday`, `${prefix}c${i}@example.com|apology`]).flat());
/** Long enough for an apology held overnight by quiet hours anywhere in the cohort's zones. */
const HOURS = 36;

interface Drill {
  readonly name: string;
  /** What the row relaxes, and why, when it may not be zero. */
  readonly relaxes?: string;
  readonly options?: Partial<LocalSystemOptions>;
  /** The SES account's quota the proxy answers `GetAccount` with (a paced dispatcher reads its rate there); none: the emulator's. */
  readonly account?: SesAccountQuota;
  /** The proxy's rule for this row (SES faults), given the row's virtual clock. */
  readonly ses?: (clock: VirtualClock) => FaultRule;
  /** The DynamoDB proxy's rule for this row's dispatcher runs (made afresh for the row); none: DynamoDB Local directly. */
  readonly dynamo?: () => DynamoFaultRule;
  /** Records written after the cohort's import, before the stream is first delivered (the same batch). */
  readonly afterImport?: (system: LocalSystem, prefix: string) => Promise<unknown>;
  /** The e-mails this row should bring, when the fault itself changes them (a complaint resolved before its apology). */
  readonly expected?: (prefix: string) => Set<string>;
  /** How one dispatcher tick runs; by default once. */
  readonly tick?: (system: LocalSystem, clock: VirtualClock) => Promise<unknown>;
  readonly planner?: (system: LocalSystem) => Promise<unknown>;
  /** Restart DynamoDB Local (its own, with a data path) before this tick; it is down for one tick. */
  readonly restartDynamoDbAtTick?: number;
  readonly note?: (system: LocalSystem, prefix: string) => Promise<string>;
}

const ses = await startSesEmulator();
const proxy = await startSesFaultProxy({ target: ses.endpoint });
const sharedDynamo = await startDynamoDbLocal();
const dynamoProxy = await startDynamoFaultProxy({ target: sharedDynamo.endpoint });
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

const messagesOf = (system: LocalSystem): Promise<Message[]> => readAllMessages(documentClientFor(dynamoDbClient(system.options.dynamodbEndpoint)), system.tables.Messages);

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
  proxy.reset();
  proxy.setAccount(drill.account);
  proxy.setRule(drill.ses ? drill.ses(clock) : () => undefined);
  dynamoProxy.setRule(() => undefined);
  const dynamoFaultsBefore = dynamoProxy.faulted.length;
  const system = await LocalSystem.create({ dynamodbEndpoint: drill.dynamo ? dynamoProxy.url : dynamo!.endpoint, sesEndpoint: proxy.url, tablePrefix: prefix, clock, config: async () => defaultConfig, ...drill.options });
  await system.importText(cohort(prefix));
  if (drill.afterImport) await drill.afterImport(system, prefix);
  await system.drainStreams();
  await (drill.planner ?? ((s: LocalSystem) => s.runPlanner()))(system);
  await system.drainStreams();
  // The DynamoDB faults are for the dispatcher's runs: the cohort is imported and planned as usual.
  if (drill.dynamo) dynamoProxy.setRule(drill.dynamo());
  const errors: string[] = [];
  let tick = 0;
  for (let t = Date.parse(`${day}T00:00:00Z`); t < Date.parse(`${day}T00:00:00Z`) + HOURS * 3_600_000; t += 5 * 60_000, tick++) {
    clock.set(new Date(t));
    if (tick === drill.restartDynamoDbAtTick) {
      await dynamo!.stop(); // this tick's dispatcher finds it down
      down = true;
    } else if (down) {
      dynamo = await startDynamoDbLocal({ dbPath: dataPath, port });
      down = false;
    }
    try {
      await (drill.tick ?? ((s: LocalSystem) => s.runDispatcher()))(system, clock);
    } catch (error) {
      errors.push((error as Error).message); // as in Lambda: the invocation fails, the next one runs on schedule
    }
  }
  const expected = (drill.expected ?? expectedOf)(prefix);
  const counts = await emailsFor(prefix);
  const sent = [...counts.keys()].filter((key) => expected.has(key)).length;
  const unexpected = [...counts.keys()].filter((key) => !expected.has(key)).length;
  const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = expected.size - sent;
  const { seen, faults: byFault } = proxy.counters();
  const faultCount = Object.entries(byFault).filter(([kind]) => kind !== 'pass').reduce((sum, [, n]) => sum + (n ?? 0), 0);
  const dynamoFaults = dynamoProxy.faulted.slice(dynamoFaultsBefore);
  const notes = [
    drill.ses ? `SES asked ${seen} times, ${faultCount} answered with the fault` : '',
    drill.dynamo ? `DynamoDB: ${dynamoFaults.filter((f) => f.fault === 'throttle').length} requests throttled, ${dynamoFaults.filter((f) => f.fault === 'loseAnswer').length} answers lost` : '',
    drill.note ? await drill.note(system, prefix) : '',
    errors.length ? `${errors.length} dispatcher runs failed and were retried by the schedule` : '',
  ].filter(Boolean);
  if ((duplicated > 0 || lost > 0 || unexpected > 0) && !drill.relaxes) failed = true;
  rows.push([drill.name, String(expected.size), String(sent), String(duplicated), String(lost), String(unexpected), [...notes, drill.relaxes ?? ''].filter(Boolean).join('; ')]);
  if (drill.restartDynamoDbAtTick !== undefined) {
    await dynamo!.stop();
    rmSync(dataPath!, { recursive: true, force: true });
  }
};

const unconfirmedNote = async (system: LocalSystem) => `${(await messagesOf(system)).filter((m) => m.reason?.startsWith('unconfirmed')).length} recorded as sent, unconfirmed`;
const heldNote = async (system: LocalSystem) => {
  const messages = await messagesOf(system);
  return `${messages.filter((m) => m.state === 'suppressed').length} suppressed, ${messages.filter((m) => m.state === 'expired').length} expired`;
};

/** An outbox whose `step` fails, as a stopped process would, the first `times` times. */
const stopping = (step: 'markHandedOver' | 'markSent', times: number) => (outbox: Outbox): Outbox => {
  let left = times;
  return Object.assign(Object.create(outbox) as Outbox, {
    [step]: async (...args: unknown[]) => {
      if (left-- > 0) throw new Error('the process stopped');
      return (outbox[step] as (...a: unknown[]) => Promise<void>)(...args);
    },
  });
};

/** The local stack's DynamoDB clients try a request this many times (local-stack.ts): a fault on each attempt fails the call. */
const SDK_ATTEMPTS = 5;
/**
 * The first `calls` calls of the update whose expression `matches` meet `faults`, one per attempt (the
 * SDK's retries included; a call whose faults are fewer than its attempts then goes through).
 */
const firstUpdates = (matches: (expression: string) => boolean, calls: number, faults: readonly DynamoFault[]) => (): DynamoFaultRule => {
  let seen = 0;
  return ({ operation, body }) => {
    if (operation !== 'UpdateItem' || !matches(String(body.UpdateExpression ?? ''))) return undefined;
    const attempt = seen++;
    return attempt < calls * faults.length ? faults[attempt % faults.length] : undefined;
  };
};
const throttledThroughout: readonly DynamoFault[] = Array.from({ length: SDK_ATTEMPTS }, () => 'throttle');

/** The first `count` sends (by the proxy's count) get `fault`; the rest pass. */
const firstSends = (count: number, fault: () => ReturnType<FaultRule>): FaultRule => (_request, n) => (n <= count ? fault() : undefined);

// 09:00 UTC: the UTC customers' greetings and the first apologies are going out.
const accessDeniedFrom = Date.parse(`${day}T09:00:00Z`);
const slowSends = 3;
/** Customers whose complaint is resolved two hours after it was opened, in the same stream batch as its opening. */
const resolvedEarly = Math.min(5, customers);
const isResolvedEarly = (complaintId: string) => Number(complaintId.slice(2)) < resolvedEarly;
let streamFaultsFired = 0;

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
  { name: "each part of a dispatcher run delivered twice to its senders, at once (SQS's at-least-once)", options: { sendWorkDeliveries: 2 } },
  {
    // Retried with backoff until its deadline. Throttles decided by the send, not by the wall clock: the
    // drill's clock is virtual, and a wall-clock throttle would let through as many as the machine is slow.
    name: 'SES throttling (the first 10 sends answered 429)',
    ses: () => firstSends(10, () => faults.throttle()),
    note: heldNote,
  },
  {
    // As in AWS: the dispatcher reads the account's rate (GetAccount) and paces to it, so SES's throttle is never met.
    name: 'SES throttling at a fixed rate (5 sends a second, 429 beyond), the dispatcher paced to the account (GetAccount: 5/s)',
    account: { maxSendRate: 5 },
    options: { pacing: true },
    ses: () => {
      const bucket = tokenBucket(5, { burst: 5 });
      return () => (bucket.take() ? undefined : faults.throttle());
    },
    note: heldNote,
  },
  {
    name: "SES answer lost after it accepted (the first 5 sends: connection reset)",
    ses: () => firstSends(5, () => faults.loseAnswer()),
    note: unconfirmedNote,
  },
  {
    name: 'SES 500 (the first 5 sends)',
    relaxes: 'at most once: a 500 may mean SES took the e-mail, so it is recorded as sent, unconfirmed, and never sent again; this emulator had not taken it',
    ses: () => firstSends(5, () => faults.status(500)),
    note: unconfirmedNote,
  },
  {
    name: 'SES 403 access denied for 30 minutes (09:00-09:30 UTC)',
    ses: (clock) => () => (clock.now().getTime() >= accessDeniedFrom && clock.now().getTime() < accessDeniedFrom + 30 * 60_000 ? faults.accessDenied() : undefined),
    note: heldNote,
  },
  {
    name: 'a stream record failing once before a later version of it',
    // Each early-resolved complaint's first record fails once while planning (the job acts on the complaint as it is now:
    // resolved, so it plans the "how did we do?"); its resolution, behind it in the same batch, must wait for it.
    options: {
      wrapStreamOutbox: failPlanningOf((id) => {
        const fires = /#complaintFollowUp#q-\d+#resolved$/.test(id) && isResolvedEarly(id.split('#')[2]!);
        if (fires) streamFaultsFired++;
        return fires;
      }, resolvedEarly),
    },
    afterImport: async (system, prefix) =>
      system.importText(
        Array.from({ length: resolvedEarly }, (_, i) => {
          const opened = complaintOf(prefix, i);
          return JSON.stringify({ ...opened, status: 'resolved', resolvedAt: new Date(Date.parse(opened.openedAt) + 2 * 3_600_000).toISOString() });
        }).join('\n'),
      ),
    // A complaint resolved before its apology was due gets no apology (its "how did we do?" comes three days after).
    expected: (prefix) => new Set([...expectedOf(prefix)].filter((key) => !(key.endsWith('|apology') && Number(key.slice(prefix.length + 1).split('@')[0]) < resolvedEarly))),
    note: async (system) => {
      const messages = await messagesOf(system);
      const howDidWeDo = messages.filter((m) => m.campaign === 'complaintFollowUp' && m.occurrence.endsWith('#resolved') && m.state === 'planned').length;
      return `${streamFaultsFired} records failed once; ${howDidWeDo} of ${resolvedEarly} "how did we do?" planned; ${system.parked.length} records parked`;
    },
  },
  {
    name: `a lease running out during a slow send (${slowSends} sends answered after 1.5 s, ${lease + 1} min later on the clock)`,
    ses: () => firstSends(slowSends, () => faults.delay(1_500)),
    // While a slow send is in flight, the clock passes its lease and a second dispatcher runs.
    tick: async (system, clock) => {
      const tickStart = clock.now();
      const inFlight = () => proxy.log.some((entry) => entry.fault === 'delay' && entry.outcome === undefined);
      const first = system.runDispatcher();
      let done = false;
      void first.finally(() => (done = true));
      for (let polls = 0; polls < 200 && !done && !inFlight(); polls++) await new Promise((resolve) => setTimeout(resolve, 10));
      if (!done && inFlight()) {
        clock.set(new Date(tickStart.getTime() + (lease + 1) * 60_000));
        await system.runDispatcher();
      }
      await first;
      clock.set(tickStart);
    },
    note: async (system) => {
      const messages = await messagesOf(system);
      return `${messages.filter((m) => m.reason?.startsWith('unconfirmed')).length} still unconfirmed (the late answers confirmed the rest)`;
    },
  },
  { name: 'a crash between claiming and sending (5 times)', options: { wrapOutbox: stopping('markHandedOver', 5) } },
  { name: 'a crash after SES accepted, before it was recorded (3 times)', options: { wrapOutbox: stopping('markSent', 3) }, note: unconfirmedNote },
  // 08:00 UTC, while the morning's messages are going out in Europe.
  {
    name: 'SES 403 for the first 3 sends, and DynamoDB throttling the first 3 releases past every retry',
    ses: () => firstSends(3, () => faults.accessDenied()),
    dynamo: firstUpdates((expression) => expression.includes('attempts = attempts + :attempt'), 3, throttledThroughout),
    note: heldNote,
  },
  {
    name: 'DynamoDB losing the answer to the first 5 hand-over marks, every retry throttled',
    dynamo: firstUpdates((expression) => expression === 'SET handedOverAt = :now', 5, ['loseAnswer', ...throttledThroughout.slice(1)]),
    note: unconfirmedNote,
  },
  {
    name: 'DynamoDB losing the answer to the first 5 sent records (the retry finds them done)',
    dynamo: firstUpdates((expression) => expression.startsWith('SET #state = :sent, sentAt = :sentAt'), 5, ['loseAnswer']),
    note: unconfirmedNote,
  },
  { name: 'DynamoDB Local restarted mid-run (with a data path)', restartDynamoDbAtTick: 96 },
];

try {
  for (const [index, drill] of drills.entries()) if (!values.only || drill.name.includes(values.only)) await run(drill, index);
} finally {
  await Promise.all([ses.stop(), sharedDynamo.stop(), proxy.close(), dynamoProxy.close()]);
}

const header = ['fault', 'expected', 'sent', 'duplicated', 'lost', 'unexpected', 'note'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => (column >= 1 && column <= 5 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
console.log(`Fault drill: ${customers} customers, each a birthday greeting and a complaint apology due on ${day} (${customers * 2} messages), dispatcher every 5 minutes for ${HOURS} hours`);
console.log(line(header));
for (const row of rows) console.log(line(row));
process.exitCode = failed ? 1 : 0;
