import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SendWorkQueue } from '../core/ports.js';
import type { SendWork } from '../core/send-work.js';
import { requiredEnv } from './runtime.js';

/** The most entries one SendMessageBatch takes. */
const SQS_BATCH = 10;

/** The send-work queue in AWS: the coordinator's parts as SQS messages, ten to a request, each entry's failure reported. */
export class SqsSendWorkQueue implements SendWorkQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(work: readonly SendWork[]): Promise<void> {
    const failed: string[] = [];
    for (let start = 0; start < work.length; start += SQS_BATCH) {
      const entries = work.slice(start, start + SQS_BATCH).map((part, index) => ({ Id: String(start + index), MessageBody: JSON.stringify(part) }));
      const result = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      for (const failure of result.Failed ?? []) failed.push(`${work[Number(failure.Id)]?.shards.join('+') ?? failure.Id}: ${failure.Code ?? 'failed'} ${failure.Message ?? ''}`.trim());
    }
    if (failed.length > 0) throw new Error(`${failed.length} of ${work.length} parts of the run were not queued (their shards wait for the next run): ${failed.join('; ')}`);
  }
}

/** The queue named by `SEND_WORK_QUEUE_URL` (set by the compute stack). */
export const sendWorkQueueFromEnv = (): SendWorkQueue => new SqsSendWorkQueue(new SQSClient({}), requiredEnv('SEND_WORK_QUEUE_URL'));
