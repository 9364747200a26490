import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './ses-fault-proxy.js';

/**
 * A fault-injecting HTTP proxy between a DynamoDB client and DynamoDB Local, for what DynamoDB Local
 * never does: every request is shown to a rule the caller sets at run time, which lets it pass,
 * throttles it (answers as DynamoDB does when a partition is over its capacity, without passing it
 * on), or loses its answer (passes it on, so the write happens, then closes the connection without
 * answering, as a network does: the SDK retries it, and the retry meets what the first attempt did).
 * `delayMs` holds every request that long before passing it on: a network round trip's wait, which
 * DynamoDB Local (on the same machine) does not have (`npm run bench:floor`).
 *
 * Loopback only; `port` 0 (the default) picks a free port.
 */

/** A request as the rule sees it: the operation (`UpdateItem`, `Query`…) and its JSON body as sent (attribute values in DynamoDB's wire form). */
export interface DynamoRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export type DynamoFault = 'throttle' | 'loseAnswer';

/** Decides each request's fault; undefined lets it pass. */
export type DynamoFaultRule = (request: DynamoRequest) => DynamoFault | undefined;

export interface DynamoFaultProxy {
  readonly url: string;
  setRule(rule: DynamoFaultRule): void;
  /** Each request that met a fault, in order. */
  readonly faulted: { readonly operation: string; readonly fault: DynamoFault }[];
  close(): Promise<void>;
}

/**
 * DynamoDB's answer to a throttled request: a transaction is cancelled, naming the throttled item
 * (here its last) among its items' reasons, which the SDK does not retry; any other request is
 * refused as over its capacity, which the SDK retries.
 */
const throttledAnswer = (operation: string, body: Record<string, unknown>) => {
  if (operation !== 'TransactWriteItems') {
    return { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded.' };
  }
  const items = Array.isArray(body.TransactItems) ? body.TransactItems.length : 1;
  const reasons = Array.from({ length: items }, (_, index) => (index === items - 1 ? 'ThrottlingError' : 'None'));
  return {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
    CancellationReasons: reasons.map((Code) => (Code === 'None' ? { Code } : { Code, Message: 'Throughput exceeds the current capacity of your table or index.' })),
  };
};

export const startDynamoFaultProxy = async (options: { readonly target: string; readonly port?: number; readonly delayMs?: number }): Promise<DynamoFaultProxy> => {
  const { hostname, port } = new URL(options.target);
  let rule: DynamoFaultRule = () => undefined;
  const faulted: { operation: string; fault: DynamoFault }[] = [];
  const server: Server = createServer(async (incoming, answer) => {
    const raw = await readBody(incoming);
    if (options.delayMs) await new Promise((waited) => setTimeout(waited, options.delayMs));
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').at(-1) ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      // Not JSON: no rule can match on its body; it passes as it came.
    }
    const fault = rule({ operation, body });
    if (fault) faulted.push({ operation, fault });
    if (fault === 'throttle') {
      answer.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${faulted.length}` });
      answer.end(JSON.stringify(throttledAnswer(operation, body)));
      return;
    }
    const forwarded = httpRequest({ hostname, port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (response) => {
      if (fault === 'loseAnswer') {
        // Done, and never told: the answer is read and dropped, and the caller's connection closed.
        response.resume();
        response.on('end', () => answer.socket?.destroy());
        return;
      }
      answer.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(answer);
    });
    forwarded.on('error', (error) => answer.destroy(error));
    forwarded.end(raw);
  });
  await new Promise<void>((listening) => server.listen(options.port ?? 0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setRule: (next) => {
      rule = next;
    },
    faulted,
    close: () => new Promise<void>((closed) => (server.closeAllConnections(), server.close(() => closed()))),
  };
};
