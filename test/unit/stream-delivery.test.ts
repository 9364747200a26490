import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliverStreamRecords } from '../../functions/local/stream-poller.js';

const record = (sequence: number): DynamoDBRecord => ({
  eventID: `e-${sequence}`,
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: String(sequence).padStart(5, '0'), Keys: { id: { S: `r-${sequence}` } } },
});

describe('local stream delivery (Lambda event source mapping semantics)', () => {
  it('retries from the first failed record, parks a record that keeps failing, and delivers the ones behind it', async () => {
    // Prepare: record 3 always fails.
    const deliveries: string[][] = [];
    const handler = async (event: DynamoDBStreamEvent) => {
      deliveries.push(event.Records.map((r) => r.eventID!));
      return { batchItemFailures: event.Records.filter((r) => r.eventID === 'e-3').map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
    };

    // Act
    const parked = await deliverStreamRecords([1, 2, 3, 4, 5].map(record), handler, { batchSize: 10, retryAttempts: 2 });

    // Assess
    expect(parked).toEqual([{ eventID: 'e-3', keys: { id: { S: 'r-3' } }, sequenceNumber: '00003', attempts: 3, reason: 'the handler reported the record as failed' }]);
    expect(deliveries).toEqual([
      ['e-1', 'e-2', 'e-3', 'e-4', 'e-5'],
      ['e-3', 'e-4', 'e-5'],
      ['e-3', 'e-4', 'e-5'],
      ['e-4', 'e-5'],
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
