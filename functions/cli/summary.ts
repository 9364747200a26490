import { isAbsolute, relative } from 'node:path';
import type { SimulationResult } from '../local/simulation.js';
import { checkBand, floorApplies, sentOnALaterDay } from '../local/band-check.js';
import { describeLine, parseNdjson, type RecordType } from '../core/records.js';
import { addStats, emptyStats } from '../local/dynamo-stats.js';

/** What a synthetic response model wrote, said as synthetic: made-up outcomes, never results. */
export const syntheticLine = ({ file, seed, wrote }: NonNullable<SimulationResult['report']['responseModel']>): string =>
  `SYNTHETIC outcomes from the response model ${file ?? '(given)'} (seed ${seed}; made up to test the measurement, not real results): ` +
  `${wrote.renewed} contracts renewed, ${wrote.purchases} purchases, ${wrote.complaintsOpened} complaints opened, ${wrote.complaintsResolved} resolved, ${wrote.complaintsReopened} reopened`;

/** A person's summary of a simulation: what went out, what did not and why, what was rejected, what it cost. */
export const formatSummary = (result: SimulationResult, wallSeconds: number): string => {
  const { report } = result;
  const lines: string[] = [];
  lines.push(`Simulated ${report.window.start.slice(0, 10)} → ${report.window.end.slice(0, 10)} in ${wallSeconds.toFixed(1)} s`);
  lines.push(`Imported ${result.imported} records; rejected ${result.rejected.length}${result.parked.length ? `; parked ${result.parked.length} stream records` : ''}`);
  for (const reject of result.rejected.slice(0, 20)) lines.push(`  ${describeLine(reject)}`);
  if (result.rejected.length > 20) lines.push(`  … and ${result.rejected.length - 20} more (see the report)`);
  if (result.warnings.length > 0) lines.push(`Imported with a warning: ${result.warnings.length}`);
  for (const warning of result.warnings.slice(0, 20)) lines.push(`  ${describeLine(warning)}`);
  if (result.warnings.length > 20) lines.push(`  … and ${result.warnings.length - 20} more (see the report)`);
  if (report.responseModel) lines.push(syntheticLine(report.responseModel));
  const { sent, expired, suppressed, cancelled } = report.summary;
  // Reports made before holdouts have no count of them.
  const heldOut = report.summary.heldOut ?? 0;
  lines.push(`Messages: ${sent} sent, ${expired} expired, ${suppressed} suppressed, ${cancelled} cancelled${heldOut > 0 ? `, ${heldOut} held out (measurement)` : ''}`);
  if (result.messagesDeleted > 0) {
    lines.push(`  ${result.messagesDeleted} of them were deleted on the way, retention.messagesDays (${report.config.retention.messagesDays}) after they ended: counted here, gone from the tables`);
  }
  for (const [campaign, counts] of Object.entries(report.summary.byCampaign)) {
    const deferred = report.messages.filter((m) => m.campaign === campaign && sentOnALaterDay(m, report.config.cadence)).length;
    lines.push(
      `  ${campaign.padEnd(18)} ${String(counts.sent).padStart(5)} sent (${String(deferred).padStart(4)} of them deferred by the cap) ${String(counts.expired).padStart(4)} expired ${String(counts.suppressed).padStart(4)} suppressed ${String(counts.cancelled).padStart(4)} cancelled${heldOut > 0 ? ` ${String(counts.heldOut ?? 0).padStart(4)} held out` : ''}`,
    );
  }
  const band = checkBand(report, report.config, result.floorSubjects);
  const floorSubjects = result.floorSubjects.filter((subject) => floorApplies(subject, report.config)).length;
  const heldOutOfFloor = result.floorSubjects.length - floorSubjects;
  lines.push(
    `Cadence band: ${band.cap.length} cap violations, ${band.floor.length} floor violations (over ${floorSubjects} consenting customers${heldOutOfFloor > 0 ? `; ${heldOutOfFloor} more held out of keepInTouch, without a floor` : ''}), ${band.quietHours.length} sent in quiet hours, ${band.duplicates.length} duplicates`,
  );
  for (const violation of [...band.cap, ...band.floor, ...band.quietHours, ...band.duplicates].slice(0, 10)) lines.push(`  ${violation}`);
  const sentCount = report.summary.sent;
  const months = (Date.parse(report.window.end) - Date.parse(report.window.start)) / (30.44 * 86_400_000);
  if (result.customers) lines.push(`Messages per customer per month: ${(sentCount / result.customers / months).toFixed(2)} over ${result.customers} customers`);
  const byLocale = new Map<string, number>();
  for (const message of report.messages) if (message.state === 'sent') byLocale.set(message.locale ?? '?', (byLocale.get(message.locale ?? '?') ?? 0) + 1);
  if (byLocale.size) lines.push(`Sent by language: ${[...byLocale].map(([locale, n]) => `${locale} ${n}`).join(', ')}`);
  const examples = report.messages.filter((m) => m.state === 'sent').slice(0, 3);
  for (const m of examples) lines.push(`  e.g. ${m.messageId}: "${m.subject}" at ${m.localDate} ${m.localTime} ${m.timeZone}`);
  const planner = result.stats.planner;
  const greetings = report.summary.byCampaign.birthday?.sent ?? 0;
  const birthdayReads = planner.itemsReadByOperation['Query byBirthday'] ?? 0;
  lines.push(
    `DynamoDB, planner: ${planner.itemsRead} items read in ${planner.requests} requests (${birthdayReads} birthday customers from the index = ${greetings ? (birthdayReads / greetings).toFixed(2) : '–'} per greeting sent); ${planner.readCapacity.toFixed(1)} RCU`,
  );
  // A dispatcher run is its coordinator and its senders.
  const dispatching = addStats(addStats(emptyStats(), result.stats.dispatchCoordinator), result.stats.dispatcher);
  lines.push(`DynamoDB, dispatcher runs: ${dispatching.requests} requests, ${dispatching.itemsRead} items read, ${dispatching.writeCapacity.toFixed(1)} WCU`);
  return lines.join('\n');
};

/** How each record type is named when the demo guide counts the records the simulation wrote on their day. */
const timedNames: Record<RecordType, [one: string, many: string]> = {
  customer: ['customer profile', 'customer profiles'],
  contract: ['contract', 'contracts'],
  complaint: ['complaint', 'complaints'],
  interaction: ['interaction', 'interactions'],
  surveyResponse: ['survey answer', 'survey answers'],
  erasure: ['erasure', 'erasures'],
};

/** `399–401` for consecutive lines, else `12, 40, 41`. */
const lineList = (lines: readonly number[]): string =>
  lines.length > 1 && lines.every((line, i) => i === 0 || line === lines[i - 1]! + 1) ? `${lines[0]}–${lines.at(-1)}` : lines.join(', ');

/** A path as a person types it from here: relative when it lies below the working directory, else as given. */
export const shownPath = (path: string): string => {
  const relativePath = relative(process.cwd(), path);
  return relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
};

/**
 * What `start` says after its summary: what to look at with the CLI on the demo that just ran (now the
 * local stack), and two things a newcomer might take for faults: records with a later date, written
 * on their day, and the demo data's lines that are bad on purpose.
 */
export const formatDemoGuide = (
  result: Pick<SimulationResult, 'report' | 'rejected'>,
  run: { readonly localStack: string; readonly dataPath: string; readonly data: string; readonly shippedDemo: boolean; readonly reportPath?: string },
): string => {
  const customerId = result.report.messages.find((m) => m.state === 'sent')?.customerId ?? result.report.messages[0]?.customerId ?? '<customerId>';
  const lastDay = new Date(Date.parse(result.report.window.end) - 86_400_000).toISOString().slice(0, 10);
  const commands: [string, string][] = [
    [`npx retention explain ${customerId}`, 'everything stored about one customer: each message, its state and why'],
    [`npx retention preview ${customerId} --start ${lastDay} --data ${shownPath(run.dataPath)}`, 'what they would get next, and why'],
    [`npx retention customer export ${customerId}`, 'every item held about them, as one JSON document (what they get when they ask for their data)'],
    ['npx retention config get', 'the configuration the handlers read'],
    ...(run.reportPath === undefined ? [] : [[`npx retention lift --report ${shownPath(run.reportPath)}`, 'held-out against treated customers: did the messages retain? (docs/measurement.md)'] as [string, string]]),
    [`npx retention templates preview survey --customer ${customerId} --open`, 'an e-mail as this customer gets it, in a browser; `templates pull` for all of them as files'],
  ];
  const width = Math.max(...commands.map(([command]) => command.length));
  const lines = [
    `The local stack (${run.localStack}) now holds this demo, replacing what it held. Look at it with the CLI:`,
    ...commands.map(([command, what]) => `  ${command.padEnd(width)}  ${what}`),
  ];
  const timed = parseNdjson(run.data, new Date()).records.filter((line) => line.at !== undefined);
  if (timed.length > 0) {
    const byType = new Map<RecordType, number>();
    for (const { record } of timed) byType.set(record.type, (byType.get(record.type) ?? 0) + 1);
    const counts = [...byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${n} ${timedNames[type][n === 1 ? 0 : 1]}`);
    lines.push(
      `${timed.length} of the records are dated later ("at": ${counts.join(', ')}): the simulation wrote each on its day, as a business system would; \`npx retention import\` ignores \`at\` and writes them at once.`,
    );
  }
  if (run.shippedDemo && result.rejected.length > 0) {
    const rejected = result.rejected.length;
    lines.push(
      `The ${rejected} rejected line${rejected === 1 ? '' : 's'} (${lineList(result.rejected.map((r) => r.line))}) ${rejected === 1 ? 'is' : 'are'} bad on purpose, to show how an import reports a bad line; every other line was imported.`,
    );
  }
  return lines.join('\n');
};
