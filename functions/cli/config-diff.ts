import type { RetentionConfig } from '../core/config.js';
import type { CohortSample } from '../core/sample.js';
import { count, customerFiguresOf, designOf, monthsOf, pairedDifference, perCustomerMonth, scaledDifference, scaledFrom, scaleToCohort, totalOf, type CustomerFigures, type ScaledFigure } from '../local/customer-figures.js';
import type { SimulationResult } from '../local/simulation.js';

/** The settings that differ between two configurations, as `path: before → after`. */
export const changedSettings = (before: unknown, after: unknown, path = ''): string[] => {
  if (typeof before === 'object' && before !== null && typeof after === 'object' && after !== null && !Array.isArray(before)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedSettings((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${path}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`];
};

/** Rows printed even when 0 under both configurations. */
const ALWAYS = new Set(['messages sent', 'cap violations', 'floor violations']);

/** One run of a `config diff`: its configuration and what the simulation did under it. */
export interface DiffSide {
  readonly config: RetentionConfig;
  readonly result: SimulationResult;
}

/** Each figure's name, in order, with its per-customer counts under both configurations; rows 0 under both are left out. */
const rowsOf = (before: CustomerFigures, after: CustomerFigures) => {
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const shown = names.filter((name) => ALWAYS.has(name) || totalOf(before.get(name)) !== 0 || totalOf(after.get(name)) !== 0);
  return { shown, zero: names.filter((name) => !shown.includes(name)) };
};

/** `+12`, `-3`, `0` (never `-0.00`: a change that rounds to nothing has no sign). */
const signed = (value: number, digits = 0) => {
  const shown = count(Math.abs(value), digits);
  return Number(shown.replaceAll(',', '')) === 0 ? shown : `${value > 0 ? '+' : '-'}${shown}`;
};

/** What a `config diff` found, for the JSON a script reads: each figure under both configurations and the change. */
export interface ConfigDiffFigures {
  readonly settings: string[];
  /** Present when the runs were on a sample: n, N, the key, and each figure scaled with its interval. */
  readonly sample?: { readonly n: number; readonly N: number; readonly key: string; readonly method: string };
  readonly figures: Record<string, { readonly current: ScaledFigure; readonly proposed: ScaledFigure; readonly change: ScaledFigure }>;
}

/** Every figure under both configurations and its change: counted whole, or scaled from a sample with intervals (customer-figures.ts). */
export const configDiffFigures = (current: DiffSide, proposed: DiffSide, sample?: CohortSample): ConfigDiffFigures => {
  const before = customerFiguresOf(current.result);
  const after = customerFiguresOf(proposed.result);
  const settings = changedSettings(current.config, proposed.config);
  const { shown } = rowsOf(before, after);
  const figures: Record<string, ConfigDiffFigures['figures'][string]> = {};
  if (sample) {
    const a = scaleToCohort(before, sample, current.result.report.window);
    const b = scaleToCohort(after, sample, proposed.result.report.window);
    for (const name of shown) figures[name] = { current: a.figures[name]!, proposed: b.figures[name]!, change: scaledDifference(before.get(name), after.get(name), sample) };
    figures['messages per customer-month'] = {
      current: a.messagesPerCustomerMonth,
      proposed: b.messagesPerCustomerMonth,
      change: perCustomerMonth(pairedDifference(before.get('messages sent'), after.get('messages sent'), sample), designOf(sample), current.result.report.window),
    };
    return { settings, sample: { n: a.n, N: a.N, key: a.key, method: a.method }, figures };
  }
  const exact = (value: number): ScaledFigure => ({ sample: value, estimate: value, interval: [value, value] });
  for (const name of shown) {
    const [x, y] = [totalOf(before.get(name)), totalOf(after.get(name))];
    figures[name] = { current: exact(x), proposed: exact(y), change: exact(y - x) };
  }
  const perMonth = (figures: CustomerFigures, result: SimulationResult) => Number((totalOf(figures.get('messages sent')) / Math.max(1, result.customers) / monthsOf(result.report.window)).toFixed(2));
  const [x, y] = [perMonth(before, current.result), perMonth(after, proposed.result)];
  figures['messages per customer-month'] = { current: exact(x), proposed: exact(y), change: exact(Number((y - x).toFixed(2))) };
  return { settings, figures };
};

/**
 * A side-by-side of what the same cohort gets under the current and the proposed configuration. On a
 * sample, each figure is the whole cohort's estimate with its 95 % interval, and the change's interval
 * is paired per customer (the same customers ran under both).
 */
export const formatConfigDiff = (current: DiffSide, proposed: DiffSide, sample?: CohortSample): string => {
  const diff = configDiffFigures(current, proposed, sample);
  const names = Object.keys(diff.figures);
  const width = Math.max(...names.map((n) => n.length));
  const lines = [diff.settings.length ? 'Proposed changes:' : 'The proposed configuration is the current one.', ...diff.settings.map((s) => `  ${s}`), ''];
  const digitsOf = (name: string) => (name === 'messages per customer-month' ? 2 : 0);
  if (!diff.sample) {
    lines.push(`${'figure'.padEnd(width)}  ${'current'.padStart(9)}  ${'proposed'.padStart(9)}  change`);
    for (const name of names) {
      const { current: a, proposed: b, change } = diff.figures[name]!;
      lines.push(`${name.padEnd(width)}  ${String(a.estimate).padStart(9)}  ${String(b.estimate).padStart(9)}  ${change.estimate === 0 ? '' : change.estimate > 0 ? `+${change.estimate}` : String(change.estimate)}`);
    }
  } else {
    lines.push(
      `Whole-cohort estimates, ${scaledFrom(diff.sample)} (the same stable sample under both; key ${diff.sample.key}), each with its 95 % interval;`,
      'the change\'s interval is paired per customer (each sampled customer under both configurations), so it is narrower than the two columns\' intervals suggest.',
      '',
    );
    const cell = (figure: ScaledFigure, digits: number, sign = false) =>
      `${sign ? signed(figure.estimate, digits) : count(figure.estimate, digits)} (${sign ? signed(figure.interval[0], digits) : count(figure.interval[0], digits)} to ${sign ? signed(figure.interval[1], digits) : count(figure.interval[1], digits)})`;
    const rows = names.map((name) => {
      const { current: a, proposed: b, change } = diff.figures[name]!;
      const digits = digitsOf(name);
      return [name, cell(a, digits), cell(b, digits), cell(change, digits, true)] as const;
    });
    const [w1, w2] = [Math.max(7, ...rows.map((r) => r[1].length)), Math.max(8, ...rows.map((r) => r[2].length))];
    lines.push(`${'figure'.padEnd(width)}  ${'current'.padEnd(w1)}  ${'proposed'.padEnd(w2)}  change`);
    for (const [name, a, b, change] of rows) lines.push(`${name.padEnd(width)}  ${a.padEnd(w1)}  ${b.padEnd(w2)}  ${change}`);
  }
  lines.push('', 'Nothing was applied. Apply with `retention config set <path>=<value>`.');
  return lines.join('\n');
};
