/**
 * The paced-send benchmark (`npm run bench:pace`): the real dispatcher handler, paced in real time as in
 * Lambda, on DynamoDB Local and the SES emulator behind the fault proxy. The proxy plays the SES
 * account: it answers `GetAccount` with the scenario's `MaxSendRate` and throttles as SES does, a
 * `TooManyRequestsException` for any send beyond that rate in a one-second window (wall-clock seconds).
 * Each scenario imports customers whose birthday greetings are all due at once, plans them, and invokes
 * the dispatcher as its schedule would (every `everyMinutes`, a run at a time) until none is left.
 *
 * Prints, per scenario and per run: sends, the run's time, the achieved rate (sends after the first /
 * time from the run's first send to its last) and its deviation from the set rate, the throttles
 * SES answered, the most sends in one wall-clock second and in any one-second window. Exits 1 when a
 * run deviates more than 5 % or meets a throttle, or when a message is sent twice or not at all.
 *
 *   npm run bench:pace [-- --only 14/s]
 */
import { parseArgs } from 'node:util';

process.env.RETENTION_LOG_LEVEL ??= 'SILENT';
import { documentClientFor } from '../functions/adapters/runtime.js';
import { deploySettings } from '../functions/adapters/deploy-settings.js';
import { defaultConfig, type RetentionConfig } from '../functions/core/config.js';
import { SEND_RATE_HEADROOM } from '../functions/core/pacing.js';
import { RUN_GAP_MS } from '../functions/core/send-work.js';
import { dynamoDbClient, startDynamoDbLocal, startSesEmulator } from '../functions/local/local-stack.js';
import { readAllMessages } from '../functions/local/report.js';
import { faults, mostInAnyWindow, startSesFaultProxy, windowLimiter } from '../functions/local/ses-fault-proxy.js';
import { LocalSystem, VirtualClock } from '../functions/local/simulation.js';

interface Scenario {
  readonly name: string;
  /** What the proxy's GetAccount answers, and what it throttles beyond. */
  readonly accountRate: number;
  /** `sending.maxSendRate`; null: the account's. */
  readonly override: number | null;
  readonly messages: number;
}

const scenarios: Scenario[] = [
  { name: '14/s, from GetAccount', accountRate: 14, override: null, messages: 1_600 },
  { name: '100/s, from GetAccount', accountRate: 100, override: null, messages: 3_000 },
  { name: '40/s, sending.maxSendRate (account 100/s)', accountRate: 100, override: 40, messages: 2_000 },
];

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const chosen = scenarios.filter((scenario) => !values.only || scenario.name.includes(values.only));
const periodMs = deploySettings.schedules.dispatcher.everyMinutes * 60_000;

const [ses, dynamo] = await Promise.all([startSesEmulator(), startDynamoDbLocal()]);
const proxy = await startSesFaultProxy({ target: ses.endpoint });
let failed = false;
const out = (line = '') => process.stdout.write(`${line}\n`);
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

const mostInOneSecond = (times: readonly number[]): number => {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
};

out(`Paced sends: the dispatcher handler at the SES account's rate (less its ${Math.round(SEND_RATE_HEADROOM * 100)} % headroom), SES throttling beyond the rate in each one-second window.`);
out(`A run claims what it can send in ${periodMs / 1000} s less ${RUN_GAP_MS / 1000} s (its schedule's period); runs start every ${periodMs / 1000} s until every message is sent.`);

for (const [index, scenario] of chosen.entries()) {
  const rate = scenario.override ?? scenario.accountRate;
  const prefix = `pace${index}-`;
  const clock = new VirtualClock(new Date('2027-06-12T00:00:00Z'));
  const config: RetentionConfig = { ...defaultConfig, sending: { ...defaultConfig.sending, maxSendRate: scenario.override } };
  const system = await LocalSystem.create({ dynamodbEndpoint: dynamo.endpoint, sesEndpoint: proxy.url, tablePrefix: prefix, clock, config: async () => config, pacing: true });
  const lines = Array.from({ length: scenario.messages }, (_, i) =>
    JSON.stringify({ type: 'customer', customerId: `${prefix}c${i}`, email: `${prefix}c${i}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: true }),
  );
  const preparedAt = Date.now();
  await system.importText(lines.join('\n'));
  await system.drainStreams();
  await system.runPlanner();
  await system.drainStreams();
  clock.set(new Date('2027-06-12T10:00:00Z'));
  out();
  out(`${scenario.name}: ${scenario.messages} greetings due (prepared in ${((Date.now() - preparedAt) / 1000).toFixed(1)} s)`);

  // SES for an account of this rate: GetAccount answers it, and any send beyond it in a wall-clock second is throttled.
  proxy.reset();
  proxy.setAccount({ maxSendRate: scenario.accountRate });
  const limiter = windowLimiter(scenario.accountRate, () => Math.floor(Date.now() / 1000));
  proxy.setRule(() => (limiter.take() ? undefined : faults.throttle()));

  out('  run    sends   time s   achieved/s   vs set     throttles   most in a second (wall / any window)');
  let sent = 0;
  let runs = 0;
  const started = Date.now();
  // Until a run is not stopped by its time: the rest of the due messages all went (or wait for a retry).
  for (let more = true; more && runs < 20; ) {
    const runStart = Date.now();
    const logFrom = proxy.log.length;
    const result = await system.runDispatcher();
    const runMs = Date.now() - runStart;
    runs++;
    sent += result.sent;
    more = result.held > 0;
    const entries = proxy.log.slice(logFrom);
    const sendTimes = entries.filter((entry) => entry.fault === 'pass').map((entry) => entry.at.getTime());
    const throttles = entries.filter((entry) => entry.fault === 'throttle').length;
    // The run's rate: the sends after the first over the time from the first to the last.
    const span = sendTimes.length > 1 ? Math.max(...sendTimes) - Math.min(...sendTimes) : 0;
    const achieved = sendTimes.length > 1 ? (sendTimes.length - 1) / (span / 1000) : 0;
    const deviation = achieved / rate - 1;
    const inWall = mostInOneSecond(sendTimes);
    const inAny = mostInAnyWindow(sendTimes, 1000);
    const bad = throttles > 0 || (sendTimes.length > rate * 5 && Math.abs(deviation) > 0.05);
    failed ||= bad;
    out(
      `  ${String(runs).padStart(3)}  ${String(result.sent).padStart(7)}  ${(runMs / 1000).toFixed(1).padStart(7)}  ${achieved.toFixed(2).padStart(11)}  ${pct(deviation).padStart(8)}  ${String(throttles).padStart(10)}   ${inWall} / ${inAny}${bad ? '   ✗' : ''}`,
    );
    // The schedule's next run, in real time and in the run's business time.
    const wait = runStart + periodMs - Date.now();
    if (more && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    clock.set(new Date(clock.now().getTime() + periodMs));
  }
  const elapsed = (Date.now() - started) / 1000;
  const all = proxy.log.filter((entry) => entry.fault === 'pass').map((entry) => entry.at.getTime());
  const counters = proxy.counters();
  const messages = (await readAllMessages(documentClientFor(dynamoDbClient(dynamo.endpoint)), system.tables.Messages)).filter((m) => m.campaign === 'birthday');
  const sentOnce = messages.filter((m) => m.state === 'sent').length;
  const perRecipient = new Map<string, number>();
  for (const entry of proxy.log) if (entry.fault === 'pass') perRecipient.set(entry.to[0]!, (perRecipient.get(entry.to[0]!) ?? 0) + 1);
  const twice = [...perRecipient.values()].filter((n) => n > 1).length;
  const whole = (all.length - 1) / ((Math.max(...all) - Math.min(...all)) / 1000);
  failed ||= sentOnce !== scenario.messages || twice > 0 || (counters.faults.throttle ?? 0) > 0;
  out(
    `  all: ${sentOnce}/${scenario.messages} sent, ${twice} twice, ${counters.faults.throttle ?? 0} throttles, in ${runs} runs over ${elapsed.toFixed(1)} s; ` +
      `${whole.toFixed(2)}/s across runs (${pct(whole / rate - 1)}, the schedule's gaps included); most in any second ${mostInAnyWindow(all, 1000)} (rate ${rate})`,
  );
}

await proxy.close();
await Promise.all([ses.stop(), dynamo.stop()]);
out();
out(failed ? 'FAILED: a run deviated more than 5 %, met a throttle, or a message was not sent exactly once' : 'OK: every run within 5 % of its rate, no throttle, every message sent once');
process.exit(failed ? 1 : 0);
