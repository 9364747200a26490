import { configSchema, parseConfig, type RetentionConfig } from './config.js';

/**
 * `config set cadence.minDaysBetween=10`: one setting changed by its dotted path, the whole
 * document validated again (so an impossible band is refused), nothing else touched. The value is
 * JSON, or a bare word taken as a string (`leapDayPolicy=mar1`).
 */
export const withSetting = (document: unknown, assignment: string): SettingChange => {
  const equals = assignment.indexOf('=');
  if (equals < 1) throw new Error(`'${assignment}' is not <path>=<value>`);
  const path = assignment.slice(0, equals).trim();
  const raw = assignment.slice(equals + 1).trim();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return withSettingValue(document, path, value);
};

export interface SettingChange {
  readonly config: RetentionConfig;
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

/**
 * Maps whose keys the document need not hold yet (a campaign's own holdout share): a setting under one
 * may be new, and the validation that follows says whether it may be there.
 */
const OPEN_MAPS = ['measurement.campaigns'];
const insideOpenMap = (keys: readonly string[]): boolean => OPEN_MAPS.some((map) => `${keys.join('.')}.`.startsWith(`${map}.`));

/**
 * One setting of a configuration document set to `value`, and the result validated whole. The document
 * may be one that no longer passes (stored before a rule it breaks was added): changing the setting the
 * rule names is how it is mended. A valid one is completed with the shipped values of settings added since.
 */
export const withSettingValue = (document: unknown, path: string, value: unknown): SettingChange => {
  const parsed = configSchema.safeParse(document);
  const copy = structuredClone(parsed.success ? parsed.data : document) as Record<string, unknown>;
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
  return { config: parseConfig(copy), path, from, to: value };
};
