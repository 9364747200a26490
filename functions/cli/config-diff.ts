import type { RetentionConfig } from '../core/config.js';
import { checkBand } from '../local/band-check.js';
import type { SimulationResult } from '../local/simulation.js';

/** The settings that differ between two configurations, as `path: before → after`. */
export const changedSettings = (before: unknown, after: unknown, path = ''): string[] => {
  if (typeof before === 'object' && before !== null && typeof after === 'object' && after !== null && !Array.isArray(before)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedSettings((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${path}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`];
};

const figures = (result: SimulationResult) => {
  const { report } = result;
  const band = checkBand(report, report.config, result.floorSubjects);
  const months = (Date.parse(report.window.end) - Date.parse(report.window.start)) / (30.44 * 86_400_000);
  const rows: [string, number][] = [];
  for (const [campaign, counts] of Object.entries(report.summary.byCampaign).sort()) {
    rows.push([`${campaign} sent`, counts.sent], [`${campaign} expired`, counts.expired], [`${campaign} deferred on the way`, counts.deferred]);
  }
  rows.push(
    ['messages sent', report.summary.sent],
    ['messages per customer-month', Number((report.summary.sent / Math.max(1, result.customers) / months).toFixed(2))],
    ['cap violations', band.cap.length],
    ['floor violations', band.floor.length],
  );
  return new Map(rows);
};

/** A side-by-side of what the same cohort gets under the current and the proposed configuration. */
export const formatConfigDiff = (current: { config: RetentionConfig; result: SimulationResult }, proposed: { config: RetentionConfig; result: SimulationResult }): string => {
  const settings = changedSettings(current.config, proposed.config);
  const before = figures(current.result);
  const after = figures(proposed.result);
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const width = Math.max(...names.map((n) => n.length));
  const lines = [settings.length ? 'Proposed changes:' : 'The proposed configuration is the current one.', ...settings.map((s) => `  ${s}`), '', `${'figure'.padEnd(width)}  ${'current'.padStart(9)}  ${'proposed'.padStart(9)}  change`];
  for (const name of names) {
    const a = before.get(name) ?? 0;
    const b = after.get(name) ?? 0;
    const delta = Number((b - a).toFixed(2));
    lines.push(`${name.padEnd(width)}  ${String(a).padStart(9)}  ${String(b).padStart(9)}  ${delta === 0 ? '' : delta > 0 ? `+${delta}` : String(delta)}`);
  }
  lines.push('', 'Nothing was applied. Apply with `retention config set <path>=<value>`.');
  return lines.join('\n');
};
