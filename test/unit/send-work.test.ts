import { SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsSendWorkQueue } from '../../functions/adapters/sqs-send-work.js';
import { InvalidRecordError } from '../../functions/core/errors.js';
import { allDueShards } from '../../functions/core/messages.js';
import { ONE_SENDER_RATE, parseSendWork, RUN_GAP_MS, sendersFor, sendWorkOf } from '../../functions/core/send-work.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

describe('the parts of a dispatcher run', () => {
  it.each([
    [1, 1],
    [14, 1],
    [ONE_SENDER_RATE, 1],
    [ONE_SENDER_RATE + 1, 2],
    [500, 3],
    [10_000, allDueShards(deployedDueShards).length],
    [Infinity, allDueShards(deployedDueShards).length],
  ])('at %s a second, has %s senders: one per ONE_SENDER_RATE, at most one per shard, one per shard unpaced', (perSecond, senders) => {
    expect(sendersFor({ perSecond, source: 'account' }, deployedDueShards)).toBe(senders);
  });

  it.each([1, 2, 3, 4])('deals every shard to exactly one of %s senders, each sharing the rate, claiming until RUN_GAP_MS before the next run', (senders) => {
    // Act
    const work = sendWorkOf(new Date('2027-06-12T09:00:00Z'), 1, senders, deployedDueShards);
    // Assess
    expect(work).toHaveLength(senders);
    expect(work.flatMap((part) => part.shards).sort()).toEqual(allDueShards(deployedDueShards).sort());
    for (const part of work) {
      expect(part.shards.length).toBeGreaterThan(0);
      expect(part).toMatchObject({ senders, scheduledTime: '2027-06-12T09:00:00.000Z' });
      expect(Date.parse(part.claimUntil)).toBe(Date.parse('2027-06-12T09:01:00Z') - RUN_GAP_MS);
    }
  });

  it('reads back what it queued', () => {
    const [part] = sendWorkOf(new Date('2027-06-12T09:00:00Z'), 5, 2, deployedDueShards);
    expect(parseSendWork(JSON.stringify(part), 'send-work message m-1', deployedDueShards)).toEqual(part);
  });

  const part = { shards: ['due#0'], senders: 4, scheduledTime: '2027-06-12T09:00:00Z', claimUntil: '2027-06-12T09:00:58Z' };
  it.each([
    ['not JSON', '{shards', 'body', 'the body is not JSON'],
    ['an unknown shard', JSON.stringify({ ...part, shards: ['due#0', 'due#99'] }), 'shards', 'got ["due#0","due#99"]'],
    ['no shards', JSON.stringify({ ...part, shards: [] }), 'shards', 'got []'],
    ['no senders', JSON.stringify({ ...part, senders: 0 }), 'senders', 'got 0'],
    ['a claimUntil that is no instant', JSON.stringify({ ...part, claimUntil: 'soon' }), 'claimUntil', 'got "soon"'],
    ['no scheduledTime', JSON.stringify({ ...part, scheduledTime: undefined }), 'scheduledTime', 'got nothing'],
  ])('refuses %s, naming the queue message, the field and the value', (_, body, field, says) => {
    // Act
    let error: unknown;
    try {
      parseSendWork(body, 'send-work message m-7', deployedDueShards);
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error).toMatchObject({ record: 'send-work message m-7', field });
    expect((error as Error).message).toContain('send-work message m-7');
    expect((error as Error).message).toContain(says);
  });
});

/** An SQS client that answers SendMessageBatch itself: each request's input is kept, and `failIds` entries fail. */
const answeringClient = (failIds: readonly string[] = []) => {
  const requests: SendMessageBatchCommandInput[] = [];
  const client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  client.middlewareStack.add(
    () => async (args) => {
      const input = args.input as SendMessageBatchCommandInput;
      requests.push(input);
      const entries = input.Entries ?? [];
      return {
        output: {
          $metadata: {},
          Successful: entries.filter((entry) => !failIds.includes(entry.Id!)).map((entry) => ({ Id: entry.Id, MessageId: `sqs-${entry.Id}`, MD5OfMessageBody: '' })),
          Failed: entries.filter((entry) => failIds.includes(entry.Id!)).map((entry) => ({ Id: entry.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' })),
        },
      } as never;
    },
    { step: 'initialize', name: 'answerSendMessageBatch' },
  );
  return { client, requests };
};

describe('the send-work queue on SQS', () => {
  const work = Array.from({ length: 23 }, (_, i) => ({ shards: [`due#${i % 4}`], senders: 23, scheduledTime: '2027-06-12T09:00:00.000Z', claimUntil: '2027-06-12T09:00:58.000Z' }));

  it('queues every part as its JSON, ten to a request (the most SendMessageBatch takes)', async () => {
    // Prepare
    const { client, requests } = answeringClient();
    // Act
    await new SqsSendWorkQueue(client, 'https://sqs.eu-west-1.amazonaws.com/123456789012/send-work').enqueue(work);
    // Assess
    expect(requests.map((request) => request.Entries!.length)).toEqual([10, 10, 3]);
    expect(requests.every((request) => request.QueueUrl === 'https://sqs.eu-west-1.amazonaws.com/123456789012/send-work')).toBe(true);
    expect(requests.flatMap((request) => request.Entries!.map((entry) => JSON.parse(entry.MessageBody!)))).toEqual(work);
  });

  it('fails naming the parts SQS did not take, after queuing the rest', async () => {
    // Prepare: the second and the twelfth entries fail
    const { client, requests } = answeringClient(['1', '11']);
    // Act
    const queued = new SqsSendWorkQueue(client, 'https://sqs.eu-west-1.amazonaws.com/123456789012/send-work').enqueue(work);
    // Assess
    await expect(queued).rejects.toThrow(/2 of 23 parts of the run were not queued .*due#1: InternalError try again; due#3: InternalError try again/);
    expect(requests).toHaveLength(3);
  });
});
