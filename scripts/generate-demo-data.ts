/**
 * Writes a deterministic demo cohort as NDJSON (see scripts/demo-data.ts).
 *
 *   npx tsx scripts/generate-demo-data.ts [--customers 200] [--seed 42] [--start 2027-01-01] [--out data/demo.ndjson] [--no-invalid]
 *
 * The three invalid lines are appended unless --no-invalid. A relative --out is taken from the
 * current directory; without --out the file is the repo's data/demo.ndjson.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCohort } from './demo-data.js';

const usage = 'usage: npx tsx scripts/generate-demo-data.ts [--customers 200] [--seed 42] [--start 2027-01-01] [--out data/demo.ndjson] [--no-invalid]';

const integer = (name: string, text: string) => {
  if (!/^-?\d+$/.test(text)) throw new Error(`--${name} must be an integer, got '${text}'`);
  return Number(text);
};

const main = async () => {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '200' },
      seed: { type: 'string', default: '42' },
      start: { type: 'string', default: '2027-01-01' },
      out: { type: 'string' },
      'no-invalid': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(usage);
  const out = values.out !== undefined ? resolve(values.out) : fileURLToPath(new URL('../data/demo.ndjson', import.meta.url));
  const lines = generateCohort({
    customers: integer('customers', values.customers),
    seed: integer('seed', values.seed),
    startDate: values.start,
    invalidLines: !values['no-invalid'],
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${lines.join('\n')}\n`);
  console.log(`wrote ${lines.length} lines to ${out}`);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(usage);
  process.exitCode = 1;
});
