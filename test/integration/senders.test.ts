import { describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { allDueShards, dueShardOf } from '../../functions/core/messages.js';
import { sendWorkOf } from '../../functions/core/send-work.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';

/**
 * A dispatcher run as in AWS (docs/scale.md, "Senders"): the coordinator queues one part per sender (unpaced,
 * as here, one per `byDue` shard) and a sender runs each, through the real handlers on DynamoDB Local and the SES emulator.
 */
const setUp = async (name: string, customers: number, extra: (id: string) => object[] = () => [], dueShards = deployedDueShards) => {
  const prefix = uniquePrefix(name);
  const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, dueShards });
  const ids = Array.from({ length: customers }, (_, i) => `${prefix}${i}`);
  const records = ids.flatMap((id) => [{ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: '1990-06-12', marketingOptIn: true }, ...extra(id)]);
  await system.importText(records.map((record) => JSON.stringify(record)).join('\n'));
  await system.drainStreams();
  await system.runPlanner();
  clock.set(new Date('2027-06-12T09:00:00Z'));
  const messages = async () => (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages)).filter((m) => m.customerId.startsWith(prefix));
  const emails = () => emailsTo((to) => to.startsWith(prefix));
  return { system, clock, ids, messages, emails, prefix };
};

describe('a dispatcher run: a coordinator and its senders', () => {
  it('unpaced, hands one part per shard to a sender; each sends its shard, and together they send every due message once', async () => {
    // Prepare
    const { system, ids, messages, emails } = await setUp('parts', 12);
    // Act
    const outcomes = await system.runDispatcher();
    // Assess
    expect(system.invocations.dispatchCoordinator).toBe(1);
    expect(system.invocations.dispatcher).toBe(allDueShards(deployedDueShards).length);
    expect(outcomes).toMatchObject({ sent: 12, taken: 0, failed: 0 });
    const sent = await messages();
    expect(sent.map((m) => m.state)).toEqual(Array(12).fill('sent'));
    expect(new Set((await emails()).map((email) => email.destination.to[0])).size).toBe(12);
    // The shards are by customer, and the customers spread over them.
    expect(new Set(ids.map((id) => dueShardOf(id, deployedDueShards))).size).toBeGreaterThan(1);
  });

  it("keeps each waiting message in its customer's shard, so one customer's messages due together meet in one sender (highest priority first)", async () => {
    // Prepare: each customer with a birthday greeting and a renewal reminder waiting
    const { messages } = await setUp('one-shard', 6, (id) => [{ type: 'contract', customerId: id, contractId: `${id}-k`, endsOn: '2027-07-12', plan: 'basic', autoRenew: false, status: 'active' }]);
    // Act
    const waiting = (await messages()).filter((m) => m.state === 'planned' || m.state === 'deferred');
    // Assess
    expect(new Set(waiting.map((m) => m.campaign))).toEqual(new Set(['birthday', 'renewal']));
    for (const message of waiting) expect((message as unknown as { dueShard: string }).dueShard).toBe(dueShardOf(message.customerId, deployedDueShards));
  });

  it('a part delivered twice (SQS delivers at least once) sends nothing twice', async () => {
    // Prepare
    const { system, clock, emails } = await setUp('twice', 8);
    const parts = sendWorkOf(clock.now(), 1, allDueShards(deployedDueShards).length, deployedDueShards).map((part) => JSON.stringify(part));
    // Act: every part twice, all at once
    const outcomes = await system.deliverSendWork([...parts, ...parts]);
    // Assess
    expect(outcomes.sent).toBe(8);
    expect((await emails()).length).toBe(8);
    expect(system.failedSendWork).toEqual([]);
  });

  it('a body that is not a part fails its sender, naming the field and value, and is kept as the dead-letter queue would; the other parts go', async () => {
    // Prepare
    const { system, clock, emails } = await setUp('poison', 8);
    const parts = sendWorkOf(clock.now(), 1, allDueShards(deployedDueShards).length, deployedDueShards).map((part) => JSON.stringify(part));
    const poison = JSON.stringify({ shards: ['due#99'], senders: 4, scheduledTime: clock.now().toISOString(), claimUntil: clock.now().toISOString() });
    // Act
    const outcomes = await system.deliverSendWork([parts[0]!, poison, ...parts.slice(1)]);
    // Assess
    expect(outcomes.sent).toBe(8);
    expect((await emails()).length).toBe(8);
    expect(system.failedSendWork).toEqual([{ body: poison, error: expect.stringMatching(/^send-work message local-\d+: shards must be a list of some of due#0, .* got \["due#99"\]$/) }]);
  });

  it('after dueShards is raised (4 to 8), the new senders send every message waiting from before, each once, and nothing waits in a shard no sender reads', async () => {
    // Prepare: greetings planned by a stack with 4 shards; the same tables then run with 8
    const { clock, ids, messages, emails, prefix } = await setUp('raised', 24, undefined, 4);
    const waiting = await messages();
    expect(new Set(waiting.map((m) => (m as unknown as { dueShard: string }).dueShard))).toEqual(new Set(allDueShards(4)));
    expect(ids.some((id) => dueShardOf(id, 8) !== dueShardOf(id, 4))).toBe(true);
    const raised = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, dueShards: 8 });
    // Act
    const outcomes = await raised.runDispatcher();
    // Assess
    expect(raised.invocations.dispatcher).toBe(8);
    expect(outcomes).toMatchObject({ sent: 24, failed: 0 });
    expect((await messages()).map((m) => m.state)).toEqual(Array(24).fill('sent'));
    expect((await emails()).length).toBe(24);
  });
});

