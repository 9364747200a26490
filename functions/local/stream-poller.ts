import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * Reads a table's stream from DynamoDB Local's Streams API, the way Lambda's event source mapping
 * does: every shard from its start, new shards as they appear, records in order.
 */
export class StreamPoller {
  private readonly iterators = new Map<string, string | undefined>();
  private readonly finishedShards = new Set<string>();
  /** The sequence number of the last record read from each shard: where to resume. */
  private readonly lastRead = new Map<string, string>();

  private constructor(
    private readonly client: DynamoDBStreamsClient,
    readonly streamArn: string,
  ) {}

  static async forTable(dynamo: DynamoDBClient, streams: DynamoDBStreamsClient, tableName: string): Promise<StreamPoller> {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
    return new StreamPoller(streams, Table.LatestStreamArn);
  }

  /**
   * From now on, only what is written after this call: a benchmark's seed data is never delivered. The
   * backlog is read and dropped, not jumped over (a LATEST iterator), so each shard has a last record
   * read to resume after if its iterator is refused, as after any other read.
   */
  async skipBacklog(): Promise<void> {
    await this.readAll();
  }

  /** Everything written to the stream since the last call, oldest first. */
  async poll(): Promise<DynamoDBRecord[]> {
    return this.readAll();
  }

  private async readAll(): Promise<DynamoDBRecord[]> {
    await this.discoverShards();
    const records: DynamoDBRecord[] = [];
    for (const [shardId, iterator] of this.iterators) {
      let next = iterator;
      while (next) {
        const page = await this.getRecords(shardId, next);
        records.push(...(page.Records ?? []).map((record) => toLambdaRecord(record, this.streamArn)));
        const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
        if (last !== undefined) this.lastRead.set(shardId, last);
        const caughtUp = (page.Records ?? []).length === 0;
        next = page.NextShardIterator;
        if (caughtUp) break;
      }
      if (next === undefined) {
        this.iterators.delete(shardId);
        this.finishedShards.add(shardId);
      } else this.iterators.set(shardId, next);
    }
    return records.sort((a, b) => compareSequence(a.dynamodb?.SequenceNumber, b.dynamodb?.SequenceNumber));
  }

  /**
   * One page of a shard. An iterator DynamoDB no longer honours (expired after 15 minutes, or pointing
   * into trimmed records, as DynamoDB Local answers under load) is taken again after the last record
   * read, as Lambda's event source mapping resumes from its checkpoint: nothing is skipped or repeated.
   */
  private async getRecords(shardId: string, iterator: string) {
    try {
      return await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') throw error;
      const after = this.lastRead.get(shardId);
      const { ShardIterator } = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ...(after === undefined ? { ShardIteratorType: 'TRIM_HORIZON' } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
        }),
      );
      return this.client.send(new GetRecordsCommand({ ShardIterator: ShardIterator!, Limit: 1000 }));
    }
  }

  private async discoverShards(): Promise<void> {
    let ExclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId }));
      for (const shard of StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId!;
        if (this.iterators.has(shardId) || this.finishedShards.has(shardId)) continue;
        const { ShardIterator } = await this.client.send(
          new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        this.iterators.set(shardId, ShardIterator);
      }
      ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId);
  }
}

const compareSequence = (a = '0', b = '0'): number => (a.length === b.length ? a.localeCompare(b) : a.length - b.length);

/** Who Lambda says made a delete that DynamoDB made itself (time to live). */
export const TIME_TO_LIVE_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/**
 * A delete DynamoDB made itself: its time to live. Lambda receives one as a `REMOVE` by the service;
 * DynamoDB Local's Streams API names it `UNKNOWN_TO_SDK_VERSION`, with the old image, no new one and
 * no user identity. So an event of no known name with no new image is such a delete.
 */
const isServiceDelete = (record: StreamRecord): boolean =>
  !['INSERT', 'MODIFY', 'REMOVE'].includes(record.eventName ?? '') && record.dynamodb?.NewImage === undefined;

/** The Streams API record in the shape Lambda hands to a function (a time-to-live delete as Lambda gets it from AWS). */
const toLambdaRecord = (record: StreamRecord, eventSourceARN: string): DynamoDBRecord => {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  const serviceDelete = isServiceDelete(record);
  const identity = serviceDelete ? TIME_TO_LIVE_IDENTITY : record.userIdentity && { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return {
    eventID: record.eventID,
    eventName: serviceDelete ? 'REMOVE' : (record.eventName as DynamoDBRecord['eventName']),
    ...(identity ? { userIdentity: identity } : {}),
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) } : {}),
    },
  };
};

export interface ParkedRecord {
  readonly eventID?: string;
  readonly keys: unknown;
  readonly sequenceNumber?: string;
  /** How many times the record was delivered to the handler, the last batch's retries included. */
  readonly attempts: number;
  readonly reason: string;
}

export interface DeliveryOptions {
  readonly batchSize: number;
  /** How many times a failed batch is retried before it is parked (Lambda's `retryAttempts`). */
  readonly retryAttempts: number;
  /** Lambda's `bisectBatchOnError`: a batch whose invocation fails is split in two, which uses up no retry. */
  readonly bisectBatchOnError?: boolean;
  /** Why the handler failed a record, when it said so (in its log). */
  readonly reasonOf?: (sequenceNumber: string) => string | undefined;
}

interface Batch {
  readonly records: readonly DynamoDBRecord[];
  /** Failed invocations of this batch that counted as retries. */
  readonly failures: number;
}

/**
 * Delivers stream records to a handler with the semantics of Lambda's event source mapping with
 * `reportBatchItemFailures` (and, when asked, `bisectBatchOnError`), one shard in order:
 * - a batch answered with failures is checkpointed before the lowest failed record, and the rest of
 *   that batch, from that record on, is delivered again (a retry);
 * - a batch whose invocation fails (the handler throws, as ours does when every record failed) is
 *   split in two with bisection, the halves delivered in order, without using up a retry; a batch of
 *   one is retried;
 * - a batch still failing after `retryAttempts` retries is parked whole (Lambda's on-failure
 *   destination, which gets the batch's range) and the records behind it go on.
 * Nothing behind a failed record is delivered before that record is either through or parked.
 */
export const deliverStreamRecords = async (
  records: readonly DynamoDBRecord[],
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>,
  options: DeliveryOptions,
): Promise<ParkedRecord[]> => {
  const parked: ParkedRecord[] = [];
  const deliveries = new Map<DynamoDBRecord, number>();
  const rest = [...records];
  const queue: Batch[] = []; // batches to deliver again (retries, halves), before anything from `rest`
  while (queue.length > 0 || rest.length > 0) {
    const batch = queue.shift() ?? { records: rest.splice(0, options.batchSize), failures: 0 };
    for (const record of batch.records) deliveries.set(record, (deliveries.get(record) ?? 0) + 1);

    let firstFailed: number;
    let failed = new Set<string>();
    let reason: string;
    let invocationFailed = false;
    try {
      const response = await handler({ Records: [...batch.records] });
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      firstFailed = batch.records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      reason = 'the handler reported the record as failed';
    } catch (error) {
      invocationFailed = true;
      firstFailed = 0;
      reason = `the handler failed: ${(error as Error).message}`;
    }
    if (firstFailed === -1) continue; // checkpointed past the batch

    let next: Batch;
    if (invocationFailed && options.bisectBatchOnError && batch.records.length > 1) {
      const half = Math.ceil(batch.records.length / 2);
      queue.unshift({ records: batch.records.slice(0, half), failures: batch.failures }, { records: batch.records.slice(half), failures: batch.failures });
      continue;
    } else if (firstFailed > 0) {
      next = { records: batch.records.slice(firstFailed), failures: 1 }; // checkpointed before the failed record
    } else {
      next = { records: batch.records, failures: batch.failures + 1 };
    }
    if (next.failures <= options.retryAttempts) {
      queue.unshift(next);
      continue;
    }
    for (const record of next.records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      const told = sequenceNumber === undefined ? undefined : options.reasonOf?.(sequenceNumber);
      const own = invocationFailed || failed.has(sequenceNumber ?? '') ? reason : `in the batch of ${next.records[0]!.dynamodb?.SequenceNumber}, which kept failing`;
      parked.push({ eventID: record.eventID, keys: record.dynamodb?.Keys, sequenceNumber, attempts: deliveries.get(record) ?? 0, reason: told ?? own });
    }
  }
  return parked;
};
