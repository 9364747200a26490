import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../functions/local/local-stack.js';
import { awsCallsRunDirectory, freshRunDirectory, removeRunDirectory } from './aws-calls-run.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sesEndpoint: string;
    /** Where each test file leaves the AWS calls its handlers made (aws-calls-run.ts). */
    awsCallsDirectory: string;
  }
}

export default async function setup(project: TestProject) {
  const awsCallsDirectory = awsCallsRunDirectory();
  freshRunDirectory(awsCallsDirectory);
  const stack = await startLocalStack();
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  project.provide('sesEndpoint', stack.sesEndpoint);
  project.provide('awsCallsDirectory', awsCallsDirectory);
  // Teardown comes when the whole run closes, after the `aws-calls` project has read the directory.
  return async () => {
    await stack.stop();
    removeRunDirectory(awsCallsDirectory);
  };
}
