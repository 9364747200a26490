import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { serveLinks } from '../../functions/local/link-server.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, type VirtualClock } from '../../functions/local/simulation.js';
import { PLANNER_END_MARGIN_MS } from '../../functions/handlers/planner.js';

/** A prefix no other test uses: for table names, customer ids and addresses. */
export const uniquePrefix = (name: string): string => `${name}-${randomUUID().slice(0, 8)}-`;

export const endpoints = () => ({ dynamodbEndpoint: inject('dynamodbEndpoint'), sesEndpoint: inject('sesEndpoint') });

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

/** The e-mails the SES emulator holds for these recipients. */
export const emailsTo = async (recipients: (address: string) => boolean): Promise<StoredEmail[]> => {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const store = (await response.json()) as { emails: StoredEmail[] };
  return store.emails.filter((email) => email.destination.to.some(recipients));
};

/** Polls until `check` holds, at most `timeoutMs`; for flows that finish on their own time. */
export const eventually = async <T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * A local system whose e-mails' links point at a loopback server running its link handler (as API
 * Gateway would), with the default configuration stored; and its Customers table, to look at.
 */
export const systemWithLinks = async (tablePrefix: string, clock: VirtualClock) => {
  let system: LocalSystem | undefined;
  const server = await serveLinks((event) => system!.handleLink(event), 0);
  system = await LocalSystem.create({ ...endpoints(), tablePrefix, clock, links: { baseUrl: server.url, secret: randomBytes(32).toString('base64url') } });
  await system.configStore.put(defaultConfig, clock.now());
  const customers = new DynamoCustomerStore(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Customers);
  return { system, server, customers };
};

/** A message's state and reason as stored now. */
export const stateOf = async (system: LocalSystem, messageId: string) => {
  const message = (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages)).find((m) => m.messageId === messageId);
  return [message?.state, message?.reason];
};

/**
 * Scheduled planner runs with less than the margin of their time left (each stops after a date, or a
 * page of one), each retried as Lambda would, until one finishes (at most `scheduled` of them): the
 * errors of those that did not.
 */
export const runHurriedUntilDone = async (system: LocalSystem, scheduled: number): Promise<Error[]> => {
  const errors: Error[] = [];
  for (let run = 0; run < scheduled; run++) {
    try {
      await system.runPlanner({ timeoutMs: PLANNER_END_MARGIN_MS - 1 });
      return errors;
    } catch (error) {
      errors.push(error as Error);
    }
  }
  return errors;
};

/** Moves the clock to `instant`, delivers what the stream holds, and runs the dispatcher once. */
export const dispatchAt = async (system: LocalSystem, clock: VirtualClock, instant: string) => {
  clock.set(new Date(instant));
  await system.drainStreams();
  await system.runDispatcher();
};

/** The CLI as a user runs it, on the test's tables (a local stack's prefix, or a deployed stack's options); resolves to its exit code and output, failing or not. */
export const cli = async (target: string | readonly string[], ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const where = typeof target === 'string' ? ['--table-prefix', target] : target;
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/retention.mjs', ...args, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, ...where], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};
