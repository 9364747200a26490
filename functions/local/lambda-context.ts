import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { functionTimeoutSeconds } from '../core/function-timeouts.js';

/** The context Lambda would pass, for invoking handlers locally: with the function's own timeout, as deployed. */
export const lambdaContext = (functionName: string, timeoutMs = (functionTimeoutSeconds[functionName as keyof typeof functionTimeoutSeconds] ?? 60) * 1000): Context => {
  const startedAt = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
