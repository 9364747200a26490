import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AwsCall, FunctionName } from '../../functions/local/aws-calls.js';
import { awsCalls } from '../infra/aws-calls.js';

/**
 * How the AWS calls the integration tests record reach the check that runs after them: each test file
 * writes what its handlers called to a directory of this vitest run (named by the main process, which
 * runs every global setup), and the `aws-calls` project, ordered after the integration project
 * (vitest.config.ts), reads them all.
 */

const repository = fileURLToPath(new URL('../../', import.meta.url));

/** The directory of one vitest run (`mainPid`: the process that runs the global setups), git-ignored. */
export const awsCallsRunDirectory = (mainPid = process.pid): string => join(repository, '.retention', 'aws-calls', `run-${mainPid}`);

export const freshRunDirectory = (directory: string): void => {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
};

export const removeRunDirectory = (directory: string): void => rmSync(directory, { recursive: true, force: true });

/** What one integration test file's handlers called. */
export interface RecordedFile {
  /** Relative to the repository. */
  readonly file: string;
  /** Every test of the file ran and passed: its calls are the whole of what it exercises. */
  readonly complete: boolean;
  readonly writtenAt: number;
  readonly calls: Partial<Record<FunctionName, AwsCall[]>>;
}

export const writeRecordedFile = (directory: string, filepath: string, complete: boolean, calls: RecordedFile['calls']): void => {
  const file = relative(repository, filepath);
  const record: RecordedFile = { file, complete, writtenAt: Date.now(), calls };
  writeFileSync(join(directory, `${file.replace(/[\\/]/g, '__')}.json`), JSON.stringify(record, null, 2));
};

export const readRecordedFiles = (directory: string): RecordedFile[] => {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as RecordedFile);
};

/** Every integration test file, relative to the repository. */
export const integrationTestFiles = (): string[] =>
  (readdirSync(join(repository, 'test', 'integration'), { recursive: true }) as string[])
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join('test', 'integration', name))
    .sort();

/** Calls recorded but not in the reviewed list, as `function: call`. */
export const unlistedCalls = (calls: RecordedFile['calls']): string[] =>
  Object.entries(calls).flatMap(([functionName, made]) =>
    (made ?? []).filter((call) => !awsCalls[functionName as FunctionName]?.includes(call)).map((call) => `${functionName}: ${call}`),
  );

/** Calls in the reviewed list that none of these recordings made, as `function: call`. */
export const unmadeCalls = (recordings: readonly RecordedFile[]): string[] =>
  Object.entries(awsCalls).flatMap(([functionName, listed]) =>
    listed.filter((call) => !recordings.some((recording) => recording.calls[functionName as FunctionName]?.includes(call))).map((call) => `${functionName}: ${call}`),
  );
