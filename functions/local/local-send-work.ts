import type { SQSEvent } from 'aws-lambda';
import type { SendWorkQueue } from '../core/ports.js';
import type { SendWork } from '../core/send-work.js';
import { recordIfInvoked } from './aws-calls.js';

/**
 * The send-work queue in the local runner: the parts, as the bodies SQS would carry, kept until the
 * runner hands them to the senders (simulation.ts runDispatcher). There is no SQS here, so the call
 * the SQS adapter makes (sqs-send-work.ts) is recorded by hand.
 */
export class LocalSendWorkQueue implements SendWorkQueue {
  private queued: string[] = [];
  async enqueue(work: readonly SendWork[]): Promise<void> {
    recordIfInvoked('dispatchCoordinator', () => ['sqs:SendMessage SendWorkQueue']);
    this.queued.push(...work.map((part) => JSON.stringify(part)));
  }
  /** What was queued since the last call. */
  take(): string[] {
    const taken = this.queued;
    this.queued = [];
    return taken;
  }
}

/** One queued body as the SQS event source hands it to a function. */
export const sqsEventOf = (body: string, messageId: string): SQSEvent => ({
  Records: [
    {
      messageId,
      receiptHandle: `${messageId}-receipt`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:send-work',
      awsRegion: 'local',
    },
  ],
});
