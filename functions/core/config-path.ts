import { parseConfig, type RetentionConfig } from './config.js';

/**
 * `config set cadence.minDaysBetween=10`: one setting changed by its dotted path, the whole
 * document validated again (so an impossible band is refused), nothing else touched.
 */
export const withSetting = (config: RetentionConfig, assignment: string): { config: RetentionConfig; path: string; from: unknown; to: unknown } => {
  const equals = assignment.indexOf('=');
  if (equals < 1) throw new Error(`'${assignment}' is not <path>=<value>`);
  const path = assignment.slice(0, equals).trim();
  const raw = assignment.slice(equals + 1).trim();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw; // a bare word is a string: leapDayPolicy=mar1
  }
  const document = structuredClone(config) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let node: Record<string, unknown> = document;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new Error(`unknown setting '${path}'`);
    node = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (!(last in node)) throw new Error(`unknown setting '${path}'`);
  const from = node[last];
  node[last] = value;
  return { config: parseConfig(document), path, from, to: value };
};
