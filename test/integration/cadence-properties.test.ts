import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deploySettings } from '../../functions/adapters/deploy-settings.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { parseNdjson } from '../../functions/core/records.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { simulate } from '../../functions/local/simulation.js';
import { cohort, cohortLines, START } from './cadence-cohorts.js';
import { cadenceViolations, noViolations, type CadenceViolations } from './cadence-invariants.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * The cadence band over simulated months of small cohorts whose customers live through everything at
 * once (`cadence-cohorts.ts`), on the real local stack, checked by `cadence-invariants.ts`.
 *
 * `npm test` runs a few cohorts; run them wide once with e.g.
 *   PROPERTY_RUNS=300 npx vitest run test/integration/cadence-properties.test.ts
 * PROPERTY_PARALLEL (default 3) cohorts are simulated at once (separate tables); PROPERTY_SEED
 * replays fast-check's run. A failing cohort's NDJSON is printed and written to a file, with the
 * `simulate` command that replays it.
 */

const RUNS = Math.max(1, Number(process.env.PROPERTY_RUNS ?? 3));
const PARALLEL = Math.max(1, Math.min(RUNS, Number(process.env.PROPERTY_PARALLEL ?? 3)));
const SEED = process.env.PROPERTY_SEED === undefined ? undefined : Number(process.env.PROPERTY_SEED);

const failureDir = () => mkdtempSync(join(tmpdir(), 'cadence-counterexample-'));

const describeFailure = (lines: string[], days: number, violations: CadenceViolations, file: string): string =>
  [
    `A cohort of ${days} days broke the band:`,
    ...Object.entries(violations).flatMap(([kind, list]) => (list as string[]).map((v) => `  ${kind}: ${v}`)),
    `Replay: node bin/retention.mjs simulate --data ${file} --start ${START} --days ${days}`,
    'NDJSON:',
    ...lines,
  ].join('\n');

describe('the cadence band over simulated months (property, real local stack)', () => {
  it(
    'holds the cap, the floor and quiet hours, sends no id twice, parks nothing, and sends every consenting birthday on its day',
    { timeout: Math.ceil(RUNS / PARALLEL) * 600_000 + 60_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(cohort, { minLength: PARALLEL, maxLength: PARALLEL }), async (cohorts) => {
          // Prepare: each cohort in tables of its own, simulated side by side.
          const runs = await Promise.all(
            cohorts.map(async (input) => {
              const lines = cohortLines(input);
              const data = lines.join('\n');
              const prefix = uniquePrefix('prop');

              // Act
              const result = await simulate({ ...endpoints(), data, start: new Date(`${START}T00:00:00Z`), days: input.days, config: defaultConfig, tablePrefix: prefix });
              const stored = await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), result.tables.Messages);
              const parsed = parseNdjson(data, new Date(`${START}T00:00:00Z`));
              expect(parsed.rejected).toEqual([]);
              return { lines, days: input.days, violations: cadenceViolations(parsed.records, result, stored, defaultConfig, deploySettings.schedules.dispatcher.everyMinutes) };
            }),
          );

          // Assess
          const failures = runs.filter((run) => !noViolations(run.violations));
          if (failures.length > 0) {
            const dir = failureDir();
            const reports = failures.map((run, n) => {
              const file = join(dir, `cohort-${n + 1}.ndjson`);
              writeFileSync(file, `${run.lines.join('\n')}\n`);
              return describeFailure(run.lines, run.days, run.violations, file);
            });
            throw new Error(reports.join('\n\n'));
          }
        }),
        { numRuns: Math.ceil(RUNS / PARALLEL), endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
    },
  );
});
