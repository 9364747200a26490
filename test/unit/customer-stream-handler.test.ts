import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { HandlerRuntime } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { newlyPlanned, type PlannedMessage } from '../../functions/core/messages.js';
import { NEVER } from '../../functions/core/cadence.js';
import type { ControlStore, CustomerStore, LedgerStore, Mailer, Outbox, SuppressionStore } from '../../functions/core/ports.js';
import { createCustomerStreamHandler } from '../../functions/handlers/customer-stream.js';
import { lambdaContext } from '../../functions/local/lambda-context.js';
import fixture from '../fixtures/customer-stream-event.json' with { type: 'json' };
import { StreamFailureLog } from '../../functions/local/local-runtime.js';
import { deliverStreamRecords } from '../../functions/local/stream-poller.js';
import { STREAM_DELIVERY } from '../../functions/local/simulation.js';

/** Records what the handler asks of its stores; the adapters themselves are exercised in the integration tests. */
const recordingRuntime = (options: { failReplanFor?: string; logger?: Logger } = {}) => {
  const planned: PlannedMessage[] = [];
  const indexKeys: [string, string | undefined][] = [];
  const customers = { setBirthdayIndexKey: async (id: string, key: string | undefined) => void indexKeys.push([id, key]) } as unknown as CustomerStore;
  const outbox = {
    waitingFor: async (customerId: string) => planned.filter((message) => message.customerId === customerId).map((message) => newlyPlanned(message, new Date(0))),
    replan: async (message: PlannedMessage) => {
      if (message.customerId === options.failReplanFor) throw new Error('ProvisionedThroughputExceededException');
      planned.push(message);
      return 'planned';
    },
  } as unknown as Outbox;
  const opened: string[] = [];
  const ledger = {
    open: async (customerId: string, lastContactDate: string, floorCheckDate: string, facts: object) => {
      opened.push(customerId);
      return { customerId, lastContactDate, openedOn: lastContactDate, lastCappedDate: NEVER, floorCheckDate, ...facts };
    },
    setFloorCheck: async () => undefined,
  } as unknown as LedgerStore;
  const logger = options.logger ?? new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const runtime: HandlerRuntime = {
    logger,
    clock: () => new Date('2027-01-01T00:00:00.000Z'),
    config: async () => defaultConfig,
    stores: () => ({ customers, outbox, ledger, control: {} as ControlStore, mailer: {} as Mailer, suppressions: {} as SuppressionStore }),
    brand: 'Test',
    linkSecret: async () => 'test',
    linksBaseUrl: () => 'https://links.test',
  };
  return { runtime, planned, indexKeys, opened, logError: vi.spyOn(logger, 'error') };
};

describe('customer stream handler', () => {
  it('logs a malformed profile with its key and skips it; the rest of the batch goes through', async () => {
    // Prepare
    const { runtime, planned, opened, logError } = recordingRuntime();
    const handler = createCustomerStreamHandler(runtime);

    // Act
    const response = await handler(fixture as DynamoDBStreamEvent, lambdaContext('customerStream'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(planned.map((message) => message.messageId)).toEqual(['c-1001#birthday#2027', 'c-1003#birthday#2027']);
    expect(opened).toEqual(['c-1001', 'c-1003']); // their contact ledgers: the floor counts from now
    expect(logError).toHaveBeenCalledTimes(1);
    const [text, details] = logError.mock.calls[0]!;
    expect(text).toBe('skipped an invalid customer profile');
    expect(details).toMatchObject({
      key: { customerId: 'c-1002', recordKey: 'customer' },
      field: 'timeZone',
      reason: "customer c-1002: customer.timeZone: unknown time zone 'Europe/Bucharets'",
      sequenceNumber: '111200000000000000002',
    });
    expect(JSON.stringify(logError.mock.calls)).not.toMatch(/ion\.popescu@example\.com/);
  });

  it('sets the birthday index key of a profile written without it', async () => {
    const { runtime, indexKeys } = recordingRuntime();
    await createCustomerStreamHandler(runtime)(fixture as DynamoDBStreamEvent, lambdaContext('customerStream'));
    expect(indexKeys).toEqual([['c-1003', '01-05']]); // c-1001 already has it
  });

  it('reports only the record that failed for a transient reason, so Lambda retries just that one', async () => {
    const { runtime, planned } = recordingRuntime({ failReplanFor: 'c-1001' });
    const response = await createCustomerStreamHandler(runtime)(fixture as DynamoDBStreamEvent, lambdaContext('customerStream'));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '111100000000000000001' }]);
    expect(planned.map((message) => message.customerId)).toEqual(['c-1003']);
  });

  it('parks a record that keeps failing with the reason the handler gave, and lets the rest of the batch through', async () => {
    const failures = new StreamFailureLog();
    const { runtime, planned } = recordingRuntime({ failReplanFor: 'c-1001', logger: failures });
    const handler = createCustomerStreamHandler(runtime);
    const parked = await deliverStreamRecords((fixture as DynamoDBStreamEvent).Records, (event) => handler(event, lambdaContext('customerStream')), {
      ...STREAM_DELIVERY,
      reasonOf: (sequenceNumber) => failures.reasons.get(sequenceNumber),
    });
    expect(parked).toEqual([
      expect.objectContaining({ sequenceNumber: '111100000000000000001', attempts: STREAM_DELIVERY.retryAttempts + 1, reason: 'ProvisionedThroughputExceededException' }),
    ]);
    // The record behind it went through (Lambda redelivers it with each retry from the failed one: planning is idempotent).
    expect(planned.map((message) => message.customerId)).toContain('c-1003');
  });
});
