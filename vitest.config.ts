import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const env = { RETENTION_LOG_LEVEL: process.env.RETENTION_LOG_LEVEL ?? 'SILENT' };

export default defineConfig({
  test: {
    env,
    reporters: ['default', './test/summary-reporter.ts'],
    // An integration test spends most of its time waiting (on DynamoDB Local's JVM, on the SDK's backoff),
    // not computing: one file more than there are cores keeps them busy. vitest's default (cores - 1) is
    // one file at a time on a 2-core machine, which took the suite from 6 to 10 minutes there.
    maxWorkers: availableParallelism() + 1,
    projects: [
      // The statistical ones run thousands of seeds, some in a beforeAll: on a busy 2-core machine, beside the
      // integration files, they outlast vitest's 5 s (test) and 10 s (hook) defaults, so both are raised alike.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local and one SES emulator for the whole run; tests keep apart by table prefix and addresses.
          globalSetup: ['test/integration/global-setup.ts'],
          // Records the AWS calls each file's handlers make and fails on one test/infra/aws-calls.ts does not list.
          setupFiles: ['test/integration/aws-calls.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
      {
        extends: true,
        test: {
          name: 'aws-calls',
          include: ['test/aws-calls/**/*.test.ts'],
          globalSetup: ['test/aws-calls/global-setup.ts'],
          // After the projects above: it reads what the whole integration run recorded.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
