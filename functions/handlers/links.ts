import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { linkSecretFromEnv } from '../adapters/link-secret.js';
import { followLink, type LinkOutcome } from '../core/jobs/follow-link.js';
import { linkPage, pageHeaders, type Page } from '../core/pages.js';
import { writeCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/** A form body larger than this is no click of ours. */
const MAX_FORM_BYTES = 2_048;

/**
 * The one-click link endpoint (API Gateway HTTP API in AWS; a loopback server in the local runner):
 * survey answers, one-click unsubscribe (RFC 8058) and the preference page. Every request is answered
 * with a page that says what happened, or why nothing did. Tokens are never logged. Its figure:
 * `LinkActions` by `action` (linkActionOf), one per request.
 */
export const createLinksHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const form = formOf(event);
    const request = { method: event.requestContext.http.method, path: event.rawPath, token: event.queryStringParameters?.t ?? '', form: form ?? {} };
    const outcome = form === undefined ? { kind: 'badRequest' as const, locale: 'en' } : await followLink(runtime.stores().customers, request, await runtime.linkSecret(), runtime.clock());
    runtime.logger.info('link followed', { path: request.path, method: request.method, outcome: outcome.kind });
    writeCounts(runtime, { action: linkActionOf(outcome) }, { LinkActions: 1 });
    const { brand } = await runtime.config();
    return respond(linkPage(outcome, brand, event.headers?.['accept-language']), request.method);
  });

/**
 * What a request to the link endpoint did, as the `action` of `LinkActions`: `surveyAnswer` (an answer
 * recorded, changed or sent again), `unsubscribe`, `preferences` (saved), `view` (a page shown that
 * changes nothing: a GET of a survey, unsubscribe or preference link), `expired` (a genuine link past
 * its time), `gone` (a genuine link of a customer no longer on record: erased), `rejected` (unknown path,
 * forged or misplaced token, malformed form).
 */
export type LinkMetricAction = 'surveyAnswer' | 'unsubscribe' | 'preferences' | 'view' | 'expired' | 'gone' | 'rejected';

export const linkActionOf = (outcome: LinkOutcome): LinkMetricAction => {
  switch (outcome.kind) {
    case 'surveyAnswer':
      return 'surveyAnswer';
    case 'unsubscribed':
      return 'unsubscribe';
    case 'preferences':
      return outcome.saved ? 'preferences' : 'view';
    case 'confirmSurveyAnswer':
    case 'confirmUnsubscribe':
      return 'view';
    case 'expired':
      return 'expired';
    case 'gone':
      return 'gone';
    case 'notFound':
    case 'invalid':
    case 'badRequest':
      return 'rejected';
  }
};

/** The fields of a form POST; undefined for a body that is too large. */
const formOf = (event: APIGatewayProxyEventV2): Record<string, string> | undefined => {
  if (!event.body) return {};
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(body) > MAX_FORM_BYTES) return undefined;
  return Object.fromEntries(new URLSearchParams(body));
};

/** Every answer is a page with the same headers (`pageHeaders`), error pages included; a HEAD gets the headers alone. */
const respond = (page: Page, method: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: page.status,
  headers: { ...pageHeaders },
  body: method === 'HEAD' ? '' : page.html,
});

export const handler = createLinksHandler(lambdaRuntime({ linkSecret: linkSecretFromEnv }));
