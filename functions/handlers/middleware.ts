import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { HandlerRuntime } from '../adapters/runtime.js';

/** Our middlewares, in one place: every handler logs with its Lambda context and clears state between invocations. */
export const withMiddlewares = <TEvent, TResult>(runtime: HandlerRuntime, handler: (event: TEvent, context: Context) => Promise<TResult>) =>
  middy<TEvent, TResult>().use(injectLambdaContext(runtime.logger, { resetKeys: true })).handler(handler);
