import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { StreamPoller, TIME_TO_LIVE_IDENTITY } from '../../functions/local/stream-poller.js';

/** A stream of one shard holding records 1…n, whose first iterator after record 2 is refused once, as DynamoDB Local does under load. */
const fakeStream = (refusal: string) => {
  const records = [1, 2, 3, 4].map((n) => ({ eventID: `e${n}`, eventName: 'INSERT', dynamodb: { SequenceNumber: String(100 + n), Keys: {}, NewImage: {} } }));
  const asked: string[] = [];
  let written = 2;
  let refused = false;
  let refuseNext = false;
  const streams = {
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamCommand) return { StreamDescription: { Shards: [{ ShardId: 's-1' }] } };
      if (command instanceof GetShardIteratorCommand) {
        const { ShardIteratorType, SequenceNumber } = command.input;
        asked.push(`${ShardIteratorType}${SequenceNumber ? ` ${SequenceNumber}` : ''}`);
        return { ShardIterator: ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? `at:${Number(SequenceNumber) - 100}` : ShardIteratorType === 'LATEST' ? `at:${written}` : 'at:0' };
      }
      if (command instanceof GetRecordsCommand) {
        const from = Number(command.input.ShardIterator!.slice(3));
        if ((from === 2 && !refused) || refuseNext) {
          refused = true;
          refuseNext = false;
          throw Object.assign(new Error('The operation attempted to read past the oldest stream record in a shard.'), { name: refusal });
        }
        return { Records: records.slice(from, written), NextShardIterator: `at:${Math.max(from, written)}` };
      }
      throw new Error('unexpected command');
    },
  } as unknown as DynamoDBStreamsClient;
  const dynamo = { send: async () => ({ Table: { LatestStreamArn: 'arn:stream' } }) } as unknown as DynamoDBClient;
  return { dynamo, streams, asked, write: (n: number) => void (written = n), refuseNext: () => void (refuseNext = true) };
};

describe('the local stream poller', () => {
  it.each(['TrimmedDataAccessException', 'ExpiredIteratorException'])('resumes after the last record read when an iterator is refused (%s): nothing skipped, nothing twice', async (refusal) => {
    // Prepare
    const stream = fakeStream(refusal);
    const poller = await StreamPoller.forTable(stream.dynamo, stream.streams, 'Customers');

    // Act
    const first = await poller.poll();
    stream.write(4);
    const second = await poller.poll();

    // Assess
    expect(first.map((r) => r.eventID)).toEqual(['e1', 'e2']);
    expect(second.map((r) => r.eventID)).toEqual(['e3', 'e4']);
    expect(stream.asked).toEqual(['TRIM_HORIZON', 'AFTER_SEQUENCE_NUMBER 102']);
  });

  it('skips the backlog for good: an iterator refused before anything new was read resumes after the backlog, not from the start', async () => {
    // Prepare: records 1 and 2 are the backlog (a benchmark's seed); 3 and 4 are written after the skip.
    const stream = fakeStream('ExpiredIteratorException');
    const poller = await StreamPoller.forTable(stream.dynamo, stream.streams, 'Customers');
    await poller.skipBacklog();
    stream.write(4);
    stream.refuseNext();

    // Act
    const delivered = await poller.poll();

    // Assess
    expect(delivered.map((r) => r.eventID)).toEqual(['e3', 'e4']);
  });

  it('lets any other failure through', async () => {
    const stream = fakeStream('ResourceNotFoundException');
    const poller = await StreamPoller.forTable(stream.dynamo, stream.streams, 'Customers');
    await expect(poller.poll()).rejects.toThrow(/oldest stream record/);
    expect(stream.asked).toEqual(['TRIM_HORIZON']);
  });

  it('hands a time-to-live delete on as Lambda gets one: a REMOVE by the DynamoDB service, not DynamoDB Local\'s UNKNOWN_TO_SDK_VERSION', async () => {
    // Prepare: what DynamoDB Local's stream holds after it deleted an expired item (seen on its 2026-01-16 release).
    const records = [
      { eventID: 'w', eventName: 'INSERT', dynamodb: { SequenceNumber: '101', Keys: { id: { S: 'k' } }, NewImage: { id: { S: 'k' }, expiresAt: { N: '1' } } } },
      { eventID: 'ttl', eventName: 'UNKNOWN_TO_SDK_VERSION', dynamodb: { SequenceNumber: '102', Keys: { id: { S: 'k' } }, OldImage: { id: { S: 'k' }, expiresAt: { N: '1' } } } },
      { eventID: 'rm', eventName: 'REMOVE', userIdentity: undefined, dynamodb: { SequenceNumber: '103', Keys: { id: { S: 'j' } }, OldImage: { id: { S: 'j' } } } },
    ];
    const streams = {
      send: async (command: unknown) => {
        if (command instanceof DescribeStreamCommand) return { StreamDescription: { Shards: [{ ShardId: 's-1' }] } };
        if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'at:0' };
        if (command instanceof GetRecordsCommand) return command.input.ShardIterator === 'at:0' ? { Records: records, NextShardIterator: 'at:3' } : { Records: [], NextShardIterator: 'at:3' };
        throw new Error('unexpected command');
      },
    } as unknown as DynamoDBStreamsClient;
    const dynamo = { send: async () => ({ Table: { LatestStreamArn: 'arn:stream' } }) } as unknown as DynamoDBClient;
    const poller = await StreamPoller.forTable(dynamo, streams, 'Messages');

    // Act
    const delivered = await poller.poll();

    // Assess
    expect(delivered.map((r) => [r.eventID, r.eventName, r.userIdentity])).toEqual([
      ['w', 'INSERT', undefined],
      ['ttl', 'REMOVE', TIME_TO_LIVE_IDENTITY],
      ['rm', 'REMOVE', undefined],
    ]);
    expect(delivered[1]!.dynamodb?.OldImage).toEqual({ id: { S: 'k' }, expiresAt: { N: '1' } });
  });
});
