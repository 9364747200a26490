import type { TestProject } from 'vitest/node';
import { awsCallsRunDirectory } from '../integration/aws-calls-run.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** When this vitest run started: recordings older than this are another run's. */
    runStartedAt: number;
  }
}

/** Runs in vitest's main process before any test, as the integration project's global setup does: both name the same directory. */
export default function setup(project: TestProject) {
  project.provide('awsCallsDirectory', awsCallsRunDirectory());
  project.provide('runStartedAt', Date.now());
}
