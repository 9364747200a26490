import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import { describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import type { CollectedMetrics } from '../../functions/local/local-runtime.js';
import { LocalSystem, VirtualClock, type HandlerName } from '../../functions/local/simulation.js';
import { allDueShards, dueShardOf } from '../../functions/core/messages.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';
import type { DynamoOutbox } from '../../functions/adapters/dynamo-outbox.js';

/** The EMF documents a handler of the system wrote since the last look. */
const written = (system: LocalSystem, name: HandlerName): EmfOutput[] => (system.runtime(name).metrics as CollectedMetrics).take();

/**
 * The value of `metric` over the documents with exactly these dimensions (beyond `service`), as CloudWatch
 * adds them up: one per sender of the run at most; undefined if none was written.
 */
const valueOf = (documents: EmfOutput[], metric: string, dimensions: Record<string, string>): unknown => {
  const keys = ['service', ...Object.keys(dimensions)].sort();
  const matching = documents.filter((doc) => {
    const directive = doc._aws.CloudWatchMetrics[0]!;
    return directive.Metrics.some((m) => m.Name === metric) && directive.Dimensions.length === 1 && [...directive.Dimensions[0]].sort().join() === keys.join() && Object.entries(dimensions).every(([key, value]) => doc[key] === value);
  });
  expect(matching.length, `${metric} ${JSON.stringify(dimensions)} written once by each sender at most`).toBeLessThanOrEqual(allDueShards(deployedDueShards).length);
  return matching.length === 0 ? undefined : matching.reduce((sum, doc) => sum + (doc[metric] as number), 0);
};

describe('metrics (embedded metric format) on the real local stack', () => {
  it('a dispatcher run writes Messages by outcome and by campaign and outcome, in the namespace Retention; nothing reaches stdout', async () => {
    // Prepare
    const prefix = uniquePrefix('metrics');
    const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
    const ids = ['a', 'b', 'c'].map((id) => `${prefix}${id}`);
    await system.importText(ids.map((id) => JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: true })).join('\n'));
    await system.drainStreams();
    await system.runPlanner();
    const stream = written(system, 'customerStream');
    const planner = written(system, 'planner');
    clock.set(new Date('2027-06-12T09:00:00Z'));
    const stdout = vi.spyOn(process.stdout, 'write');

    // Act
    const totals = await system.runDispatcher();

    // Assess
    const lines = stdout.mock.calls.map(([chunk]) => String(chunk));
    stdout.mockRestore();
    expect(lines.filter((line) => line.includes('CloudWatchMetrics'))).toEqual([]);
    expect(totals.sent).toBe(3);
    expect((await emailsTo((to) => to.startsWith(prefix))).length).toBe(3);
    const dispatcher = written(system, 'dispatcher');
    expect(valueOf(dispatcher, 'Messages', { outcome: 'sent' })).toBe(3);
    expect(valueOf(dispatcher, 'Messages', { campaign: 'birthday', outcome: 'sent' })).toBe(3);
    // Every outcome in total, zeros too (the alarms on failed and unconfirmed always have data); by campaign only what happened.
    for (const outcome of ['deferred', 'retrying', 'held', 'paused', 'expired', 'suppressed', 'cancelled', 'heldOut', 'taken', 'erased', 'failed', 'unconfirmed']) {
      expect(valueOf(dispatcher, 'Messages', { outcome })).toBe(0);
      expect(valueOf(dispatcher, 'Messages', { campaign: 'birthday', outcome })).toBeUndefined();
    }
    expect(valueOf(dispatcher, 'AccountFaults', {})).toBe(0);
    expect(valueOf(dispatcher, 'DispatchStepsFailed', {})).toBe(0);
    // Each sender: every outcome, and AccountFaults with DispatchStepsFailed (one document); the birthday's sends by the senders that had one.
    const sendersWithSends = new Set(ids.map((id) => dueShardOf(id, deployedDueShards))).size;
    expect(dispatcher).toHaveLength((13 + 1) * allDueShards(deployedDueShards).length + sendersWithSends);
    for (const doc of dispatcher) {
      expect(doc._aws.CloudWatchMetrics[0]!.Namespace).toBe('Retention');
      expect(doc.service).toBe('retention');
      expect(doc._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Unit)).toEqual(doc.AccountFaults === undefined ? ['Count'] : ['Count', 'Count']);
    }
    const sentByCampaign = dispatcher.find((doc) => doc.campaign === 'birthday')!;
    expect(sentByCampaign._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'campaign', 'outcome']]);
    expect(JSON.parse(JSON.stringify(sentByCampaign))).toMatchObject({ service: 'retention', campaign: 'birthday', outcome: 'sent', Messages: expect.any(Number) });

    // The planner and the stream handler wrote theirs too.
    expect(valueOf(planner, 'PlannerRuns', {})).toBe(1);
    for (const campaign of ['birthday', 'renewal', 'keepInTouch']) expect(typeof valueOf(planner, 'MessagesPlanned', { campaign })).toBe('number');
    expect(stream.length).toBeGreaterThan(0);
    expect(stream.every((doc) => doc.StreamRecordsFailed === 0 && doc.StreamRecordsSkipped === 0)).toBe(true);
  });

  it('messages the customer stream ends for good are counted once, in Messages by outcome and by campaign and outcome', async () => {
    // Prepare
    // Every stream batch is delivered twice, as Lambda may: the second delivery ends nothing again.
    const prefix = uniquePrefix('metrics-ended');
    const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, streamDeliveries: 2 });
    const customerId = `${prefix}a`;
    const contract = (status: string) => JSON.stringify({ type: 'contract', contractId: 'k-1', customerId, endsOn: '2027-07-01', status });
    await system.importText([JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'UTC', marketingOptIn: true }), contract('active')].join('\n'));
    await system.drainStreams();
    const outbox = system.runtime('customerStream').stores().outbox as DynamoOutbox;
    const reminders = (await outbox.waitingFor(customerId)).filter((m) => m.campaign === 'renewal');
    expect(reminders.length).toBeGreaterThan(0);
    written(system, 'customerStream');

    // Act
    await system.importText(contract('cancelled'));
    await system.drainStreams();

    // Assess
    const ended = (await outbox.allFor(customerId)).filter((m) => m.campaign === 'renewal' && m.state === 'cancelled');
    expect(ended.map((m) => m.messageId).sort()).toEqual(reminders.map((m) => m.messageId).sort());
    const stream = written(system, 'customerStream');
    expect(valueOf(stream, 'Messages', { outcome: 'cancelled' })).toBe(ended.length);
    expect(valueOf(stream, 'Messages', { campaign: 'renewal', outcome: 'cancelled' })).toBe(ended.length);
    // Nothing else ended, and nothing was written that the dispatcher's silence alarm counts.
    expect(stream.filter((doc) => 'Messages' in doc).map((doc) => doc.outcome)).toEqual(['cancelled', 'cancelled']);
  });
});
