import { readTextFile } from './text-file.js';
import { InvalidArgumentError, type Command } from 'commander';
import { DynamoConfigStore } from '../adapters/dynamo-config.js';
import { addDays, daysBetween, isValidLocalDate, type LocalDate } from '../core/calendar.js';
import { HOLDABLE_CAMPAIGNS, type HoldableCampaign } from '../core/measurement/holdout.js';
import { lastEventDayOf, measureLift, type LiftResult, type OutcomeResult } from '../core/measurement/lift.js';
import type { Verdict } from '../core/measurement/proportions.js';
import { readLiftFacts } from '../local/lift-report.js';
import type { SimulationReport } from '../local/report.js';
import type { TableCommandParts, TargetOptions } from './templates.js';
import { UsageError } from './usage-error.js';

/**
 * `retention lift`: held-out against treated customers on contracts renewed, a new interaction within
 * 30/90 days and complaints reopened (docs/measurement.md). From the Customers table of the local or a
 * deployed stack (a Scan) and its stored configuration, or from a simulation report's lift section.
 */


/** How far back the window reaches when only its end (or nothing) is given: the longest outcome, 90 days. */
export const DEFAULT_WINDOW_DAYS = 90;

/** What a synthetic response model says of itself in a report (another part of issue #15 writes it). */
interface ResponseModelNote {
  readonly synthetic: true;
  readonly description: string;
}

export interface LiftOutput extends LiftResult {
  /** Where the records came from. */
  readonly source: string;
  /** Stored records left out because they failed their schema. */
  readonly unreadable: number;
  /** When outcomes were made by a synthetic response model (a simulation report, or records labelled synthetic): what it says. */
  readonly responseModel: ResponseModelNote | null;
  /** Something the reader should know about the window or the data (e.g. the window reaches past a report's data). */
  readonly notes: readonly string[];
}

const parseDate = (value: string): LocalDate => {
  if (!isValidLocalDate(value)) throw new InvalidArgumentError(`'${value}' is not a date (YYYY-MM-DD)`);
  return value;
};

const parseCampaign = (value: string): HoldableCampaign => {
  if (value === 'complaintFollowUp') throw new InvalidArgumentError("'complaintFollowUp' is never held out: a customer with an open complaint is always answered, so there is nothing to compare");
  if (!(HOLDABLE_CAMPAIGNS as readonly string[]).includes(value)) throw new InvalidArgumentError(`'${value}' is not a campaign that can be held out (${HOLDABLE_CAMPAIGNS.join(', ')})`);
  return value as HoldableCampaign;
};

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const pts = (share: number) => `${share > 0 ? '+' : share < 0 ? '-' : '±'}${Math.abs(share * 100).toFixed(1)}`;

export const verdictWords = (outcome: Pick<OutcomeResult, 'fewerIsBetter'>, verdict: Verdict): string => {
  switch (verdict) {
    case 'tooSmall':
      return 'too small to tell';
    case 'noDifference':
      return 'no difference beyond chance';
    case 'higher':
      return outcome.fewerIsBetter ? 'more with messages (worse)' : 'more with messages (better)';
    case 'lower':
      return outcome.fewerIsBetter ? 'fewer with messages (better)' : 'fewer with messages (worse)';
  }
};

/** The holdout shares compared, in a few words. */
export const holdoutWords = (result: LiftResult): string => {
  const shares = Object.entries(result.holdoutPercent) as [HoldableCampaign, number][];
  const same = shares.every(([, share]) => share === shares[0]![1]);
  if (result.campaign !== null) return `${shares[0]![1]} % of customers held out of ${result.campaign}`;
  return same ? `${shares[0]![1]} % of customers held out of every campaign but complaint follow-ups` : `held out by campaign: ${shares.map(([c, share]) => `${c} ${share} %`).join(', ')}`;
};

/** The command's output for a person: a table, then a sentence for each outcome. */
export const formatLift = (output: LiftOutput): string => {
  const { window, groups } = output;
  const lines = [
    `Lift: held-out against treated customers, ${window.since} → ${window.until} (${daysBetween(window.since, window.until)} UTC days, until not included), ${output.campaign === null ? 'every campaign' : `campaign ${output.campaign}`}`,
    `From: ${output.source}`,
  ];
  if (output.responseModel) lines.push(`SYNTHETIC DATA: ${output.responseModel.description}`);
  lines.push(`Holdout: ${holdoutWords(output)} (measurement in the configuration)`);
  lines.push(
    `Groups: ${groups.treated} treated, ${groups.heldOut} held out${groups.mixed > 0 ? `; ${groups.mixed} held out of some campaigns only, left out` : ''}. Every customer counts, consenting or not (intent to treat).`,
  );
  for (const note of output.notes) lines.push(`Note: ${note}`);
  if (output.unreadable > 0) lines.push(`${output.unreadable} stored record${output.unreadable === 1 ? '' : 's'} failed their schema and ${output.unreadable === 1 ? 'was' : 'were'} left out.`);
  if (output.withoutProfile > 0) lines.push(`${output.withoutProfile} record${output.withoutProfile === 1 ? '' : 's'} of ids without a customer profile left out.`);
  if (output.nothingToCompare !== null) {
    lines.push('', output.nothingToCompare);
    return lines.join('\n');
  }
  lines.push(`Interval: ${output.method}`, '');
  const rows: string[][] = [['outcome', 'counted', 'treated', 'held out', 'difference', '95 % interval', 'verdict']];
  for (const outcome of output.outcomes) {
    const name = `${outcome.label}${outcome.fewerIsBetter ? ' (fewer is better)' : ''}`;
    if (!outcome.measurable) {
      rows.push([name, outcome.counted, '–', '–', '–', '–', 'not measurable yet in this window']);
      continue;
    }
    const { treated, heldOut, difference, interval, verdict } = outcome.comparison;
    rows.push([
      name,
      outcome.counted,
      `${treated.events}/${treated.n} ${treated.n ? pct(treated.rate) : '–'}`,
      `${heldOut.events}/${heldOut.n} ${heldOut.n ? pct(heldOut.rate) : '–'}`,
      `${pts(difference)} pts`,
      `${pts(interval[0])} to ${pts(interval[1])} pts`,
      verdictWords(outcome, verdict),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) lines.push(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  lines.push('');
  for (const outcome of output.outcomes) lines.push(`${outcome.label}: ${outcome.sentence}`);
  lines.push('', 'pts: percentage points, treated minus held out. Contracts are counted one by one (a customer with two counts twice); complaints too.');
  return lines.join('\n');
};

interface LiftOptions extends TargetOptions {
  since?: LocalDate;
  until?: LocalDate;
  campaign?: HoldableCampaign;
  report?: string;
  json?: boolean;
}

/**
 * The window of a stack's records that run past today, as a simulation's do (npm start leaves its 2027
 * demo on the local stack): the 90 days up to their latest event. Undefined for a live stack's, whose
 * latest event is at most today: a record written today is no sign of a simulation.
 */
export const simulationWindowOf = (lastEvent: LocalDate | undefined, today: LocalDate): { since: LocalDate; until: LocalDate } | undefined =>
  lastEvent !== undefined && lastEvent > today ? { since: addDays(lastEvent, 1 - DEFAULT_WINDOW_DAYS), until: addDays(lastEvent, 1) } : undefined;

/** The window asked for; what is not given is the report's, else until today (UTC) and since 90 days before until. */
const windowOf = (options: LiftOptions, report: { since: LocalDate; until: LocalDate } | undefined, today: LocalDate) => {
  const until = options.until ?? report?.until ?? today;
  const since = options.since ?? report?.since ?? addDays(until, -DEFAULT_WINDOW_DAYS);
  return { since, until };
};

export const registerLiftCommand = (program: Command, parts: TableCommandParts): void => {
  const { targetOptions, withDatabase, log } = parts;
  targetOptions(
    program
      .command('lift')
      .description('held-out against treated customers: contracts renewed, a new interaction within 30/90 days, complaints reopened; each difference with its 95 % interval and the group sizes (reads only)')
      .option('--since <date>', `first day of the window, UTC (default: ${DEFAULT_WINDOW_DAYS} days before --until; a report's first day)`, parseDate)
      .option('--until <date>', "the day after the window, UTC (default: today; a report's end)", parseDate)
      .option('--campaign <name>', `compare one campaign: customers held out of it against the rest (${HOLDABLE_CAMPAIGNS.join(', ')})`, parseCampaign)
      .option('--report <file>', 'from a simulation report (the JSON of simulate --out or npm start) instead of a stack\'s tables')
      .option('--json', 'print the result as JSON'),
  ).action(async (options: LiftOptions) => {
    const today = new Date().toISOString().slice(0, 10);
    let output: LiftOutput;
    if (options.report !== undefined) {
      const stackOptions = (['stack', 'outputs', 'tablePrefix'] as const).filter((name) => options[name] !== undefined);
      if (stackOptions.length > 0) throw new UsageError(`--report reads a simulation report; --${stackOptions[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for a stack's tables: give one or the other`);
      let report: SimulationReport & { responseModel?: ResponseModelNote };
      try {
        report = JSON.parse(await readTextFile(options.report));
      } catch (error) {
        throw new UsageError(`cannot read the report ${options.report}: ${(error as Error).message}`);
      }
      if (!report?.lift?.facts || !report.config?.measurement) {
        throw new UsageError(`--report ${options.report}: no lift section in it (a report made before retention lift, or not a simulation report); run the simulation again`);
      }
      const reported = { since: report.window.start.slice(0, 10), until: report.window.end.slice(0, 10) };
      const window = windowOf(options, reported, today);
      if (window.since >= window.until) throw new UsageError(`--since ${window.since} is not before --until ${window.until}`);
      const notes: string[] = [];
      if (window.since < reported.since || window.until > reported.until) {
        notes.push(`the report's simulation ran ${reported.since} → ${reported.until}; outside it the records are only what its data held, with no messages and no responses`);
      }
      const responseModel =
        report.responseModel?.synthetic === true
          ? { synthetic: true as const, description: `the outcomes were made by a synthetic response model, not by customers (${String(report.responseModel.description ?? '')})` }
          : null;
      output = {
        ...measureLift(report.lift.facts, report.config.measurement, { ...window, campaign: options.campaign }),
        source: `the simulation report ${options.report}`,
        unreadable: report.lift.unreadable ?? 0,
        responseModel,
        notes,
      };
    } else {
      if (options.since !== undefined && options.until !== undefined && options.since >= options.until) throw new UsageError(`--since ${options.since} is not before --until ${options.until}`);
      const { config, facts, unreadable, synthetic, table } = await withDatabase(options, async (db, tables) => ({
        config: await new DynamoConfigStore(db, tables.Control).get(),
        ...(await readLiftFacts(db, tables.Customers)),
        table: tables.Customers,
      }));
      // Records dated after today are a simulation's: the window ends where they do.
      const lastEvent = lastEventDayOf(facts);
      const simulated = options.until === undefined ? simulationWindowOf(lastEvent, today) : undefined;
      const window = windowOf(options, simulated, today);
      if (window.since >= window.until) throw new UsageError(`--since ${window.since} is not before --until ${window.until}`);
      output = {
        ...measureLift(facts, config.measurement, { ...window, campaign: options.campaign }),
        source: `the table ${table} (every item read with a Scan) and the stored configuration`,
        unreadable: unreadable.length,
        responseModel:
          synthetic > 0
            ? { synthetic: true, description: `${synthetic} of the records read say "synthetic": true: a simulation's response model made them up, not customers (npm start leaves its demo on the local stack)` }
            : null,
        notes: simulated
          ? [`no --until: the records' latest event is on ${lastEvent}, after today (${today}), as a simulation's are, so the window ends the day after it`]
          : window.until > today
            ? [`the window ends after today (${today}): what has not happened yet is not counted`]
            : [],
      };
      for (const { reason } of unreadable.slice(0, 5)) process.stderr.write(`retention: left out: ${reason}\n`);
    }
    log(options.json ? JSON.stringify(output, null, 2) : formatLift(output));
  });
};
