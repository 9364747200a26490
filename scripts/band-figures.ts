/**
 * The band's figures for one or more simulation reports (`npm run figures`): one row per report.
 *
 *   npm run figures -- <report.json> [<report2.json> …] --data <file.ndjson> [--json]
 *
 * Each report is the JSON written by `retention simulate --out`; `--data` is the NDJSON it was run on
 * (needed for the customers, when late joiners joined, consent and birthdays). Per report:
 * - messages per customer-month over all customers (a late joiner counts from its `at`);
 * - the same over customers who were sent nothing but keepInTouch (and how many they are);
 * - keepInTouch's share of everything sent;
 * - the busiest UTC day over the average day (sent messages per day of `sentAt`), and its date;
 * - cap and floor violations (`checkBand`, floor subjects by `floorSubjectsOf`, the simulator's rule);
 * - birthdays of consenting customers not sent on their local day (up to five listed).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { parseNdjson } from '../functions/core/records.js';
import { bandFigures, type BandFigures } from '../functions/local/band-figures.js';
import type { SimulationReport } from '../functions/local/report.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
});
const usage = 'usage: npm run figures -- <report.json> [<report2.json> …] --data <file.ndjson> [--json]';
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (positionals.length === 0 || !values.data) {
  console.error(usage);
  process.exit(2);
}

const reports: { name: string; report: SimulationReport }[] = [];
for (const path of positionals) reports.push({ name: path, report: JSON.parse(await readFile(path, 'utf8')) as SimulationReport });
// `now` only fills a missing createdAt, which no figure uses.
const { records: lines, rejected } = parseNdjson(await readFile(values.data, 'utf8'), new Date(reports[0]!.report.window.start), { defaultMarketingOptIn: reports[0]!.report.config.consent.defaultMarketingOptIn });
const rows = reports.map(({ name, report }) => ({ report: name, ...bandFigures(report, lines) }));

if (values.json) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const columns: [string, (row: BandFigures & { report: string }) => string][] = [
    ['report', (r) => basename(r.report)],
    ['window', (r) => `${r.window.start.slice(0, 10)} +${r.window.days}d`],
    ['customers', (r) => String(r.customers)],
    ['sent', (r) => String(r.sent)],
    ['msg/cust-month', (r) => r.perCustomerMonth.toFixed(2)],
    ['kIT-only: cust', (r) => String(r.keepInTouchOnly.customers)],
    ['msg/cust-month', (r) => r.keepInTouchOnly.perCustomerMonth.toFixed(2)],
    ['kIT share', (r) => pct(r.keepInTouchShare)],
    ['peak/avg day', (r) => `${r.days.peakToAverage.toFixed(2)} (${r.days.peak} on ${r.days.peakDate ?? '–'}, avg ${r.days.average.toFixed(1)})`],
    ['cap viol.', (r) => String(r.band.cap.length)],
    ['floor viol. (subjects)', (r) => `${r.band.floor.length} (${r.band.floorSubjects})`],
    ['birthdays missed/expected', (r) => `${r.birthdays.missed}/${r.birthdays.expected}`],
  ];
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  const format = (line: string[]) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(format(cells[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of cells.slice(1)) console.log(format(line));
  console.log(`\nData: ${values.data} (${lines.length} valid records, ${rejected.length} rejected)`);
  for (const row of rows) {
    const details = [
      ...row.band.cap.slice(0, 5).map((v) => `cap: ${v}`),
      ...row.band.floor.slice(0, 5).map((v) => `floor: ${v}`),
      ...row.band.quietHours.slice(0, 5).map((v) => `quiet hours: ${v}`),
      ...row.band.duplicates.slice(0, 5).map((v) => `duplicate: ${v}`),
      ...row.birthdays.missedExamples.map((v) => `birthday missed: ${v}`),
    ];
    const notes = [
      `${row.sentNothing} customers were sent nothing`,
      ...(row.birthdays.changedCustomers ? [`${row.birthdays.changedCustomers} customers whose birthday or consent changed were not checked for birthdays`] : []),
      ...(row.band.quietHours.length || row.band.duplicates.length ? [`${row.band.quietHours.length} sent in quiet hours, ${row.band.duplicates.length} duplicates`] : []),
    ];
    console.log(`\n${basename(row.report)}: ${notes.join('; ')}`);
    for (const line of details) console.log(`  ${line}`);
  }
}
