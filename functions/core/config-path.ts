import { configSchema, parseConfig, unknownSettingsOf, withoutSettings, withShippedSettings, type RetentionConfig } from './config.js';

/** `cadence.minDaysBetween=10` as a path and a value: JSON, or a bare word taken as a string (`leapDayPolicy=mar1`). */
const parseAssignment = (assignment: string): { path: string; value: unknown } => {
  const equals = assignment.indexOf('=');
  if (equals < 1) throw new Error(`'${assignment}' is not <path>=<value>`);
  const path = assignment.slice(0, equals).trim();
  const raw = assignment.slice(equals + 1).trim();
  try {
    return { path, value: JSON.parse(raw) };
  } catch {
    return { path, value: raw };
  }
};

/**
 * Settings changed by their dotted paths (`config set cadence.minDaysBetween=10 …`, `config diff --set`),
 * the whole document validated once, nothing else touched: an impossible band is refused, and a
 * combination valid as a whole (the cap and the floor raised together) is taken in any order, though a
 * step of it alone would be refused.
 */
export const withSettings = (document: unknown, assignments: readonly string[]): SettingsChange =>
  withSettingValues(document, assignments.map(parseAssignment));

export interface SettingChange {
  readonly config: RetentionConfig;
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface SettingsChange {
  readonly config: RetentionConfig;
  readonly changes: readonly { readonly path: string; readonly from: unknown; readonly to: unknown }[];
}

/**
 * Maps whose keys the document need not hold yet (a campaign's own holdout share): a setting under one
 * may be new, and the validation that follows says whether it may be there.
 */
const OPEN_MAPS = ['measurement.campaigns'];
const insideOpenMap = (keys: readonly string[]): boolean => OPEN_MAPS.some((map) => `${keys.join('.')}.`.startsWith(`${map}.`));

/** Sets one setting of `copy` in place; says what it was. Throws for a path that is no setting. */
const setIn = (copy: Record<string, unknown>, path: string, value: unknown): unknown => {
  const keys = path.split('.');
  // Only the document's own settings: never a key that reaches an object's prototype.
  if (keys.some((key) => key === '__proto__' || key === 'constructor' || key === 'prototype')) throw new Error(`unknown setting '${path}'`);
  let node: Record<string, unknown> = copy;
  for (const [depth, key] of keys.slice(0, -1).entries()) {
    if (!Object.hasOwn(node, key) && insideOpenMap(keys.slice(0, depth))) node[key] = {};
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new Error(`unknown setting '${path}'`);
    node = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (!Object.hasOwn(node, last) && !insideOpenMap(keys.slice(0, -1))) throw new Error(`unknown setting '${path}'`);
  const from = node[last];
  node[last] = value;
  return from;
};

/**
 * Settings of a configuration document set to their values, and the result validated whole. The document
 * may be one that no longer passes (stored before a rule it breaks was added, or missing a section):
 * changing the setting the rule names is how it is mended, and what it lacks is taken from the shipped
 * values first. A valid one is completed with the shipped values of settings added since.
 */
const withSettingValues = (document: unknown, settings: readonly { readonly path: string; readonly value: unknown }[]): SettingsChange => {
  // Settings this version does not know (a newer one stored them) are not its to change; the store keeps them as they are.
  const known = withoutSettings(document, unknownSettingsOf(document));
  const parsed = configSchema.safeParse(known);
  const copy = structuredClone(parsed.success ? parsed.data : withShippedSettings(known)) as Record<string, unknown>;
  const changes = settings.map(({ path, value }) => ({ path, from: setIn(copy, path, value), to: value }));
  return { config: parseConfig(copy), changes };
};

/** One setting of a configuration document set to `value`, and the result validated whole (see withSettingValues). */
export const withSettingValue = (document: unknown, path: string, value: unknown): SettingChange => {
  const { config, changes } = withSettingValues(document, [{ path, value }]);
  return { config, ...changes[0]! };
};
