import type { SimulationResult } from '../local/simulation.js';
import { checkBand, sentOnALaterDay } from '../local/band-check.js';

/** A person's summary of a simulation: what went out, what did not and why, what was rejected, what it cost. */
export const formatSummary = (result: SimulationResult, wallSeconds: number): string => {
  const { report } = result;
  const lines: string[] = [];
  lines.push(`Simulated ${report.window.start.slice(0, 10)} → ${report.window.end.slice(0, 10)} in ${wallSeconds.toFixed(1)} s`);
  lines.push(`Imported ${result.imported} records; rejected ${result.rejected.length}${result.parked.length ? `; parked ${result.parked.length} stream records` : ''}`);
  for (const reject of result.rejected.slice(0, 20)) lines.push(`  line ${reject.line}: ${reject.reason}`);
  if (result.rejected.length > 20) lines.push(`  … and ${result.rejected.length - 20} more (see the report)`);
  if (result.warnings.length > 0) lines.push(`Imported with a warning: ${result.warnings.length}`);
  for (const warning of result.warnings.slice(0, 20)) lines.push(`  line ${warning.line}: ${warning.reason}`);
  if (result.warnings.length > 20) lines.push(`  … and ${result.warnings.length - 20} more (see the report)`);
  const { sent, expired, suppressed, cancelled } = report.summary;
  lines.push(`Messages: ${sent} sent, ${expired} expired, ${suppressed} suppressed, ${cancelled} cancelled`);
  for (const [campaign, counts] of Object.entries(report.summary.byCampaign)) {
    const deferred = report.messages.filter((m) => m.campaign === campaign && sentOnALaterDay(m, report.config.cadence)).length;
    lines.push(
      `  ${campaign.padEnd(18)} ${String(counts.sent).padStart(5)} sent (${String(deferred).padStart(4)} of them deferred by the cap) ${String(counts.expired).padStart(4)} expired ${String(counts.suppressed).padStart(4)} suppressed ${String(counts.cancelled).padStart(4)} cancelled`,
    );
  }
  const band = checkBand(report, report.config, result.floorSubjects);
  lines.push(
    `Cadence band: ${band.cap.length} cap violations, ${band.floor.length} floor violations (over ${result.floorSubjects.length} consenting customers), ${band.quietHours.length} sent in quiet hours, ${band.duplicates.length} duplicates`,
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
  lines.push(`DynamoDB, dispatcher: ${result.stats.dispatcher.requests} requests, ${result.stats.dispatcher.itemsRead} items read, ${result.stats.dispatcher.writeCapacity.toFixed(1)} WCU`);
  return lines.join('\n');
};
