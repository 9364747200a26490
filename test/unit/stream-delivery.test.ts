import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliverStreamRecords } from '../../functions/local/stream-poller.js';

const record = (sequence: number): DynamoDBRecord => ({
  eventID: `e-${sequence}`,
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: String(sequence).padStart(5, '0'), Keys: { id: { S: `r-${sequence}` } } },
});

/**
 * A handler like ours: applies records in order, stops at the first that fails and reports it and
 * every record after it; when that leaves nothing applied, the invocation fails (Powertools' full
 * batch failure).
 */
const inOrderHandler = (fails: (eventID: string) => boolean) => {
  const applied: string[] = [];
  const deliveries: string[][] = [];
  const handler = async (event: DynamoDBStreamEvent) => {
    deliveries.push(event.Records.map((r) => r.eventID!));
    const failed = event.Records.findIndex((r) => fails(r.eventID!));
    const through = failed === -1 ? event.Records : event.Records.slice(0, failed);
    applied.push(...through.map((r) => r.eventID!));
    if (failed === 0) throw new Error('All records failed processing.');
    return { batchItemFailures: event.Records.slice(through.length).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
  };
  return { handler, applied, deliveries };
};

describe('local stream delivery (Lambda event source mapping semantics)', () => {
  it('retries from the failed record; bisects a failing invocation down to that record; parks it alone after the retries; then delivers the ones behind it', async () => {
    // Prepare: record 3 always fails.
    const { handler, applied, deliveries } = inOrderHandler((id) => id === 'e-3');

    // Act
    const parked = await deliverStreamRecords([1, 2, 3, 4, 5].map(record), handler, { batchSize: 10, retryAttempts: 2, bisectBatchOnError: true });

    // Assess
    expect(deliveries).toEqual([
      ['e-1', 'e-2', 'e-3', 'e-4', 'e-5'], // 3 fails: checkpoint before it
      ['e-3', 'e-4', 'e-5'], // retry 1: the invocation fails, so the batch is split (no retry used)
      ['e-3', 'e-4'],
      ['e-3'], // retry 2
      ['e-3'], // out of retries: parked
      ['e-4'],
      ['e-5'],
    ]);
    expect(parked).toEqual([{ eventID: 'e-3', keys: { id: { S: 'r-3' } }, sequenceNumber: '00003', attempts: 5, reason: 'the handler failed: All records failed processing.' }]);
    // Nothing behind the failed record was applied before it was parked, and nothing was applied twice.
    expect(applied).toEqual(['e-1', 'e-2', 'e-4', 'e-5']);
  });

  it('applies a later version only after the earlier one that failed once went through', async () => {
    // Prepare: record 2 fails on its first delivery; record 3 is a later version of the same item.
    let failedOnce = false;
    const { handler, applied } = inOrderHandler((id) => id === 'e-2' && !failedOnce && (failedOnce = true));

    // Act
    const parked = await deliverStreamRecords([1, 2, 3].map(record), handler, { batchSize: 10, retryAttempts: 3, bisectBatchOnError: true });

    // Assess
    expect(parked).toEqual([]);
    expect(applied).toEqual(['e-1', 'e-2', 'e-3']);
  });

  it('parks the whole rest of the batch when a handler reports its first record failed without failing the invocation (Lambda cannot bisect that)', async () => {
    // Prepare: a handler that fails record 3 and claims the records after it went through.
    const deliveries: string[][] = [];
    const handler = async (event: DynamoDBStreamEvent) => {
      deliveries.push(event.Records.map((r) => r.eventID!));
      return { batchItemFailures: event.Records.filter((r) => r.eventID === 'e-3').map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
    };

    // Act
    const parked = await deliverStreamRecords([1, 2, 3, 4, 5].map(record), handler, { batchSize: 10, retryAttempts: 2, bisectBatchOnError: true });

    // Assess: what Lambda's on-failure destination gets is the batch's range, 3 to 5.
    expect(deliveries).toEqual([
      ['e-1', 'e-2', 'e-3', 'e-4', 'e-5'],
      ['e-3', 'e-4', 'e-5'],
      ['e-3', 'e-4', 'e-5'],
    ]);
    expect(parked).toEqual([
      { eventID: 'e-3', keys: { id: { S: 'r-3' } }, sequenceNumber: '00003', attempts: 3, reason: 'the handler reported the record as failed' },
      { eventID: 'e-4', keys: { id: { S: 'r-4' } }, sequenceNumber: '00004', attempts: 3, reason: 'in the batch of 00003, which kept failing' },
      { eventID: 'e-5', keys: { id: { S: 'r-5' } }, sequenceNumber: '00005', attempts: 3, reason: 'in the batch of 00003, which kept failing' },
    ]);
  });

  it('treats a handler that throws as a failure of the whole batch, with the error as the reason', async () => {
    let calls = 0;
    const handler = async (event: DynamoDBStreamEvent) => {
      calls++;
      if (event.Records[0]!.eventID === 'e-1') throw new Error('boom');
      return { batchItemFailures: [] };
    };
    const parked = await deliverStreamRecords([1, 2].map(record), handler, { batchSize: 1, retryAttempts: 1 });
    expect(parked).toMatchObject([{ eventID: 'e-1', attempts: 2, reason: 'the handler failed: boom' }]);
    expect(calls).toBe(3);
  });

  it('takes the reason the handler logged for a record over the generic one', async () => {
    const handler = async () => {
      throw new Error('All records failed processing.');
    };
    const parked = await deliverStreamRecords([record(1)], handler, { batchSize: 10, retryAttempts: 0, reasonOf: (sequence) => (sequence === '00001' ? 'ThrottlingException' : undefined) });
    expect(parked).toMatchObject([{ eventID: 'e-1', attempts: 1, reason: 'ThrottlingException' }]);
  });

  it('recovers a record that fails once and then succeeds, parking nothing', async () => {
    let failedOnce = false;
    const handler = async (event: DynamoDBStreamEvent) => {
      if (!failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: event.Records[1]!.dynamodb!.SequenceNumber! }] };
      }
      return { batchItemFailures: [] };
    };
    expect(await deliverStreamRecords([1, 2, 3].map(record), handler, { batchSize: 10, retryAttempts: 3 })).toEqual([]);
  });
});
