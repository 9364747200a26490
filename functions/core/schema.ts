/**
 * The validator every schema is written with: zod's small build (`zod/mini`), with its English
 * messages. It checks exactly what the full build checks, with the same messages, and takes ~30 KB of
 * a Lambda bundle where the full build took ~90 KB: the full build gives every schema its own copy of
 * each method, which also made building the schemas a visible part of a cold start. Import it as
 * `import * as z from './schema.js'` (a namespace, so the bundle keeps only what is used).
 */
import { config, int, maximum, minimum, number } from 'zod/mini';
import { en } from 'zod/v4/locales';

export * from 'zod/mini';

// Without a locale zod/mini says only "Invalid input"; the reasons quote zod's English for the checks they do not word themselves.
config(en());

/** Ours, not zod's: a whole number from `min` (to `max`); `error`, when given, is the reason for each way it can fail. */
export const wholeNumber = (min: number, max?: number, error?: string) => {
  const params = error === undefined ? {} : { error };
  return number(params).check(int(params), minimum(min, params), ...(max === undefined ? [] : [maximum(max, params)]));
};
