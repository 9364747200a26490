import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { answerSurvey } from '../core/jobs/answer-survey.js';
import { SURVEY_ANSWER_PATH } from '../core/links.js';
import { notFoundPage, surveyAnswerPage, type Page } from '../core/pages.js';
import { withMiddlewares } from './middleware.js';

/**
 * The one-click link endpoint (API Gateway HTTP API in AWS; a loopback server in the local runner):
 * `GET /survey?t=<token>` records a survey answer and shows a thank-you page, or an error page that
 * says why nothing happened. Tokens are never logged.
 */
export const createLinksHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const acceptLanguage = event.headers?.['accept-language'];
    if (event.requestContext.http.method !== 'GET' || event.rawPath !== SURVEY_ANSWER_PATH) return respond(notFoundPage(runtime.brand, acceptLanguage));
    const outcome = await answerSurvey(runtime.stores().customers, event.queryStringParameters?.t ?? '', await runtime.linkSecret(), runtime.clock());
    runtime.logger.info('survey link clicked', { outcome: outcome.kind });
    return respond(surveyAnswerPage(outcome, runtime.brand, acceptLanguage));
  });

const respond = (page: Page): APIGatewayProxyStructuredResultV2 => ({
  statusCode: page.status,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The token is in the URL: it must not travel on in a Referer or land in a search index.
    'referrer-policy': 'no-referrer',
    'x-robots-tag': 'noindex',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  },
  body: page.html,
});

export const handler = createLinksHandler(lambdaRuntime());
