import { describe, expect, inject, it } from 'vitest';
import { integrationTestFiles, readRecordedFiles, unlistedCalls, unmadeCalls } from '../integration/aws-calls-run.js';

/**
 * Runs after the integration tests (vitest.config.ts orders this project after them). Each integration
 * test file already failed on a call missing from test/infra/aws-calls.ts; this checks the other way
 * round, which only the whole run can: every call listed there (and so granted) is made by some handler.
 */
describe('the AWS calls the integration tests recorded', () => {
  const recordings = () => readRecordedFiles(inject('awsCallsDirectory')).filter((recording) => recording.writtenAt >= inject('runStartedAt'));

  it('include every call test/infra/aws-calls.ts lists, so no grant outlives the code that needed it', (context) => {
    const fresh = recordings();
    const whole = integrationTestFiles().filter((file) => !fresh.some((recording) => recording.file === file && recording.complete));
    // Only a run of every integration test, all passing, shows everything the handlers call.
    if (whole.length > 0) context.skip(`not every integration test ran and passed in this run (${whole.join(', ')}): nothing to compare`);
    expect(unmadeCalls(fresh), 'listed in test/infra/aws-calls.ts, but no handler made them: remove them there and their grants').toEqual([]);
  });

  it('include nothing test/infra/aws-calls.ts does not list', () => {
    expect(recordings().flatMap((recording) => unlistedCalls(recording.calls))).toEqual([]);
  });
});
