import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateCohort } from './demo-data.js';

// npx tsx scripts/generate-demo-data.ts [--customers 200] [--seed 42] [--start 2027-01-01] [--out data/demo.ndjson] [--no-invalid]
const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '200' },
    seed: { type: 'string', default: '42' },
    start: { type: 'string', default: '2027-01-01' },
    out: { type: 'string', default: 'data/demo.ndjson' },
    'no-invalid': { type: 'boolean', default: false },
  },
});
const lines = generateCohort({ customers: Number(values.customers), seed: Number(values.seed), startDate: values.start, invalidLines: !values['no-invalid'] });
await writeFile(values.out, `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length} lines to ${values.out}`);
