import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { pageHeaders } from '../core/pages.js';

/**
 * Serves the one-click link handler on loopback the way API Gateway's HTTP API invokes it in AWS:
 * each request becomes a payload-2.0 event, the handler's result becomes the response, its headers
 * (`pageHeaders`: content security policy, no framing, no referrer) as they are. Only when the
 * handler fails does this server answer itself, with the same headers.
 */

export type LinksHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export const httpApiEvent = (request: IncomingMessage, body: string): APIGatewayProxyEventV2 => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : value]));
  const query = Object.fromEntries(url.searchParams);
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(body ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: String(headers.host ?? 'localhost'),
      domainPrefix: 'local',
      requestId: `local-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      http: { method, path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: String(headers['user-agent'] ?? '') },
    },
  } as APIGatewayProxyEventV2;
};

export interface LinkServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port` 0 picks a free one). */
export const serveLinks = (handler: LinksHandler, port: number): Promise<LinkServer> =>
  new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        handler(httpApiEvent(request, Buffer.concat(chunks).toString('utf8')))
          .then((result) => {
            response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
            response.end(result.body ?? '');
          })
          .catch((error: Error) => {
            response.writeHead(500, { ...pageHeaders, 'content-type': 'text/plain; charset=utf-8' });
            response.end(`internal error: ${error.message}`);
          });
      });
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${bound}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
