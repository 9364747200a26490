import { afterAll, beforeAll, inject, type RunnerTask, type RunnerTestFile, type RunnerTestSuite } from 'vitest';
import { clearRecordedAwsCalls, recordedAwsCalls } from '../../functions/local/aws-calls.js';
import { unlistedCalls, writeRecordedFile } from './aws-calls-run.js';

/**
 * Runs around every integration test file: what the file's handlers called (functions/local/aws-calls.ts)
 * must all be in the reviewed list, test/infra/aws-calls.ts, whose every entry the infra tests find
 * granted. The file's calls are also handed to the check after the run (test/aws-calls/).
 */

const allPassed = (task: RunnerTask): boolean => (task.type === 'suite' ? task.tasks.every(allPassed) : task.result?.state === 'pass');

beforeAll(() => clearRecordedAwsCalls());

// The first argument is the fixtures (none used here); the second the file.
afterAll(({}, suite: Readonly<RunnerTestSuite | RunnerTestFile>) => {
  const calls = recordedAwsCalls();
  writeRecordedFile(inject('awsCallsDirectory'), suite.file.filepath, allPassed(suite.file), calls);
  const unlisted = unlistedCalls(calls);
  if (unlisted.length > 0) {
    throw new Error(
      `AWS calls this file's handlers made that test/infra/aws-calls.ts does not list (so no test holds the IAM grant to them):\n  ${unlisted.join('\n  ')}\n` +
        'List them there (the infra tests then require the grant in infra/compute-stack.ts), or stop making them.',
    );
  }
});
