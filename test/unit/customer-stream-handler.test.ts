import { shippedTemplates } from '../../functions/core/templates/index.js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { unmarshallOptions, type HandlerRuntime } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { DEFAULT_DUE_SHARDS, newlyPlanned, type PlannedMessage } from '../../functions/core/messages.js';
import { NEVER } from '../../functions/core/cadence.js';
import type { ConfigStore, ControlStore, CustomerStore, ErasureStore, LedgerStore, Mailer, Outbox, SuppressionStore } from '../../functions/core/ports.js';
import { createCustomerStreamHandler } from '../../functions/handlers/customer-stream.js';
import { lambdaContext } from '../../functions/local/lambda-context.js';
import streamFixture from '../fixtures/customer-stream-event.json' with { type: 'json' };
import { StreamFailureLog } from '../../functions/local/local-runtime.js';
import { deliverStreamRecords } from '../../functions/local/stream-poller.js';
import { STREAM_DELIVERY } from '../../functions/local/simulation.js';

/**
 * The realistic stream batch, each profile saying whether it consents to marketing (the greetings
 * these tests count are marketing; what a profile without it means is the consent rule's business).
 */
const fixture: DynamoDBStreamEvent = {
  Records: (streamFixture as DynamoDBStreamEvent).Records.map((record) => {
    const image = record.dynamodb?.NewImage;
    if (!image || image.marketingOptIn) return record;
    return { ...record, dynamodb: { ...record.dynamodb, NewImage: { ...image, marketingOptIn: { BOOL: true } } } };
  }),
};

/** The Customers table as these stream records leave it, read as the document client reads it: each job reads the record it is told of as it is now. */
const tableAfter = (records: readonly DynamoDBRecord[]) =>
  new Map(
    records.flatMap((record) => {
      const image = record.dynamodb?.NewImage;
      if (!image) return [];
      const item = unmarshall(image as Record<string, AttributeValue>, unmarshallOptions);
      return [[`${item.customerId}|${item.recordKey}`, item] as const];
    }),
  );

/** Records what the handler asks of its stores; the adapters themselves are exercised in the integration tests. */
const recordingRuntime = (options: { failReplanFor?: string; logger?: Logger; records?: readonly DynamoDBRecord[] } = {}) => {
  const table = tableAfter(options.records ?? fixture.Records);
  const planned: PlannedMessage[] = [];
  const indexKeys: [string, string | undefined][] = [];
  const customers = {
    getItems: async (keys: readonly { customerId: string; recordKey: string }[]) =>
      new Map(keys.flatMap(({ customerId, recordKey }) => (table.has(`${customerId}|${recordKey}`) ? [[`${customerId}|${recordKey}`, table.get(`${customerId}|${recordKey}`)] as const] : []))),
    setBirthdayIndexKey: async (id: string, key: string | undefined) => void indexKeys.push([id, key]),
    recordKeysOf: async () => [], // the fixture's customers have no other records
  } as unknown as CustomerStore;
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
    setRecordsPlannedIn: async () => undefined,
    get: async () => undefined, // new customers: no ledger before
  } as unknown as LedgerStore;
  const logger = options.logger ?? new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const runtime: HandlerRuntime = {
    logger,
    clock: () => new Date('2027-01-01T00:00:00.000Z'),
    config: async () => defaultConfig,
    templates: async () => shippedTemplates,
    stores: () => ({ customers, outbox, ledger, control: {} as ControlStore, mailer: {} as Mailer, suppressions: {} as SuppressionStore, config: {} as ConfigStore, erasures: noErasures }),
    linkSecret: async () => 'test',
    linksBaseUrl: () => 'https://links.test',
    dueShards: DEFAULT_DUE_SHARDS,
  };
  return { runtime, planned, indexKeys, opened, logError: vi.spyOn(logger, 'error') };
};

/** No customer of these tests was ever erased. */
const noErasures = { receiptsOf: async () => new Map() } as unknown as ErasureStore;

describe('customer stream handler', () => {
  it('logs a malformed profile with its key and skips it; the rest of the batch goes through', async () => {
    // Prepare
    const { runtime, planned, opened, logError } = recordingRuntime();
    const handler = createCustomerStreamHandler(runtime);

    // Act
    const response = await handler(fixture, lambdaContext('customerStream'));

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
    await createCustomerStreamHandler(runtime)(fixture, lambdaContext('customerStream'));
    expect(indexKeys).toEqual([['c-1003', '01-05']]); // c-1001 already has it
  });

  it('stops at a record that fails for a transient reason: it and every record after it are reported failed, none of them applied', async () => {
    // Prepare: c-1003's profile, then c-1001's (its planning is throttled), then c-1002's (invalid), then a removal.
    const [first, second, third, fourth] = (fixture).Records;
    const event = inSequence([third!, first!, second!, fourth!]);
    const warnings = new StreamFailureLog();
    const { runtime, planned, opened, logError } = recordingRuntime({ failReplanFor: 'c-1001', logger: warnings });

    // Act
    const response = await createCustomerStreamHandler(runtime)(event, lambdaContext('customerStream'));

    // Assess: Lambda checkpoints before c-1001 and delivers c-1001 and everything behind it again.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '00000000000000000002' }, { itemIdentifier: '00000000000000000003' }, { itemIdentifier: '00000000000000000004' }]);
    expect(planned.map((message) => message.customerId)).toEqual(['c-1003']);
    expect(opened).toEqual(['c-1003', 'c-1001']); // c-1001's ledger opened before its planning failed; opening is idempotent
    expect(logError).not.toHaveBeenCalled(); // c-1002 was not looked at: it is judged when it comes again
    expect(warnings.reasons).toEqual(new Map([['00000000000000000002', 'ProvisionedThroughputExceededException']]));
  });

  it('fails the invocation when the first record fails, so Lambda bisects the batch down to that record', async () => {
    const { runtime, planned } = recordingRuntime({ failReplanFor: 'c-1001' });
    await expect(createCustomerStreamHandler(runtime)(fixture, lambdaContext('customerStream'))).rejects.toThrow(/All records failed/);
    expect(planned).toEqual([]);
  });

  it('parks a record that keeps failing with the reason the handler gave; the records behind it are applied once, after it', async () => {
    // Prepare
    const failures = new StreamFailureLog();
    const { runtime, planned, logError } = recordingRuntime({ failReplanFor: 'c-1001', logger: failures });
    const handler = createCustomerStreamHandler(runtime);

    // Act
    const parked = await deliverStreamRecords((fixture).Records, (event) => handler(event, lambdaContext('customerStream')), {
      ...STREAM_DELIVERY,
      reasonOf: (sequenceNumber) => failures.reasons.get(sequenceNumber),
    });

    // Assess: delivered with the whole batch, with its first half, then alone until the retries ran out.
    expect(parked).toEqual([
      expect.objectContaining({ sequenceNumber: '111100000000000000001', attempts: 2 + STREAM_DELIVERY.retryAttempts + 1, reason: 'ProvisionedThroughputExceededException' }),
    ]);
    expect(planned.map((message) => message.customerId)).toEqual(['c-1003']);
    expect(logError).toHaveBeenCalledTimes(1); // c-1002, once
  });

  it('logs a record holding a number JavaScript cannot read exactly with its key, field and value, and skips it; the rest of the batch goes through', async () => {
    // Prepare: a survey answer whose score is beyond 2^53 (a plain unmarshall makes it a BigInt) and a
    // complaint with a fraction beyond it (a plain unmarshall throws), between two good profiles.
    const [first, , third] = (fixture).Records;
    const image = (customerId: string, recordKey: string, fields: Record<string, unknown>) =>
      ({ eventName: 'INSERT', dynamodb: { Keys: { customerId: { S: customerId }, recordKey: { S: recordKey } }, NewImage: { customerId: { S: customerId }, recordKey: { S: recordKey }, ...fields } } }) as DynamoDBRecord;
    const event = inSequence([
      first!,
      image('c-1001', 'surveyResponse#o-7', { type: { S: 'surveyResponse' }, surveyId: { S: 'o-7' }, score: { N: '12345678901234567890' } }),
      image('c-1001', 'complaint#q-7', { type: { S: 'complaint' }, complaintId: { S: 'q-7' }, openedAt: { S: '2026-12-30T10:00:00Z' }, details: { M: { refund: { N: '9007199254740993.25' } } } }),
      third!,
    ]);
    const { runtime, planned, logError } = recordingRuntime({ records: [...fixture.Records, ...event.Records] });

    // Act
    const response = await createCustomerStreamHandler(runtime)(event, lambdaContext('customerStream'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(planned.map((message) => message.customerId)).toEqual(['c-1001', 'c-1003']);
    expect(logError.mock.calls).toEqual([
      [
        'skipped an invalid survey answer',
        {
          key: { customerId: 'c-1001', recordKey: 'surveyResponse#o-7' },
          sequenceNumber: '00000000000000000002',
          field: 'score',
          reason: "surveyResponse o-7: surveyResponse.score: number '12345678901234567890' cannot be read exactly (beyond ±9007199254740991)",
        },
      ],
      [
        'skipped an invalid complaint',
        {
          key: { customerId: 'c-1001', recordKey: 'complaint#q-7' },
          sequenceNumber: '00000000000000000003',
          field: 'details.refund',
          reason: "complaint q-7: complaint.details.refund: number '9007199254740993.25' cannot be read exactly (beyond ±9007199254740991)",
        },
      ],
    ]);
  });
});

/** The records as one batch, numbered in this order as the stream would have them. */
const inSequence = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({
  Records: records.map((record, index) => ({ ...record, dynamodb: { ...record.dynamodb, SequenceNumber: String(index + 1).padStart(20, '0') } })),
});
