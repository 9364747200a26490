import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../functions/local/local-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startLocalStack();
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  project.provide('sesEndpoint', stack.sesEndpoint);
  return async () => {
    await stack.stop();
  };
}
