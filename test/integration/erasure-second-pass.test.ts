import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { DynamoErasureStore } from '../../functions/adapters/dynamo-erasure.js';
import { DynamoOutbox } from '../../functions/adapters/dynamo-outbox.js';
import { deployedDueShards } from '../../functions/adapters/deploy-settings.js';
import { defaultConfig } from '../../functions/core/config.js';
import { plannedMessage } from '../../functions/core/messages.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import type { TableNames } from '../../functions/adapters/tables.js';
import { erasureKeyOf, SECOND_PASS_AFTER_MINUTES } from '../../functions/core/erasure.js';
import { eraseCustomer, SECOND_PASSES_PER_RUN, sweepErasures } from '../../functions/core/jobs/erase-customer.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

let db: DynamoDBDocumentClient;
let tables: TableNames;
let erasures: DynamoErasureStore;

beforeAll(async () => {
  const dynamo = dynamoDbClient(endpoints().dynamodbEndpoint);
  tables = await createTables(dynamo, uniquePrefix('second-pass'));
  db = documentClientFor(dynamo);
  erasures = new DynamoErasureStore(db, tables);
});

const erasedAt = new Date('2027-03-12T08:00:00Z');
const afterTheWait = new Date(erasedAt.getTime() + (SECOND_PASS_AFTER_MINUTES + 1) * 60_000);
const receiptOf = async (customerId: string) => (await db.send(new GetCommand({ TableName: tables.Control, Key: { key: `erasure#${erasureKeyOf(customerId)}` } }))).Item;
const contract = (customerId: string) => ({ type: 'contract' as const, contractId: 'k-1', customerId, endsOn: '2027-05-20', plan: 'Familia', autoRenew: false, status: 'active' as const });

describe('the second passes of erasures', () => {
  it('are each their own item: an erasure is recorded however many wait, and those an earlier version listed in one item are swept too', async () => {
    // Prepare: on a system of its own (its coordinator makes the sweep, as in AWS), the one item an earlier
    // version listed every pending pass in, as full as DynamoDB lets an item be (400 KB: its key, and
    // 64-character hashes), one of them the pass of a customer erased by that version, whose receipt
    // holds the id and for whom a late writer left a contract after the first pass.
    const clock = new VirtualClock(erasedAt);
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: uniquePrefix('second-pass-old'), clock, config: async () => defaultConfig });
    const control = system.tables.Control;
    const customers = new DynamoCustomerStore(db, system.tables.Customers);
    const receipt = async (customerId: string) => (await db.send(new GetCommand({ TableName: control, Key: { key: `erasure#${erasureKeyOf(customerId)}` } }))).Item;
    const oldKey = 'erasures#pending';
    const fullList = Math.floor((400 * 1024 - 'key'.length - oldKey.length - 'hashes'.length) / 64);
    const hashes = new Set(Array.from({ length: fullList - 1 }, (_, index) => createHash('sha256').update(`long ago ${index}`).digest('hex')));
    hashes.add(erasureKeyOf('c-old'));
    await db.send(new PutCommand({ TableName: control, Item: { key: oldKey, hashes } }));
    await db.send(
      new PutCommand({
        TableName: control,
        Item: { key: `erasure#${erasureKeyOf('c-old')}`, customerHash: erasureKeyOf('c-old'), erasedAt: erasedAt.toISOString(), requestedAt: erasedAt.toISOString(), requestedBy: 'record', customerId: 'c-old', sweepAfter: new Date(erasedAt.getTime() + SECOND_PASS_AFTER_MINUTES * 60_000).toISOString() },
      }),
    );
    await customers.putRecords([contract('c-old'), contract('c-new')]);

    // Act: one more erasure, then the dispatcher runs once its pass is due.
    const erased = await eraseCustomer(new DynamoErasureStore(db, system.tables), 'c-new', erasedAt, { requestedBy: 'record', secondPass: 'later' });
    await customers.putRecords([contract('c-new')]); // a late writer, after the first pass
    clock.set(afterTheWait);
    await system.runDispatcher();

    // Assess: both passes made, what the late writers left deleted, no id kept, and the old list emptied.
    expect(erased.secondPassAfter).toBeDefined();
    for (const customerId of ['c-old', 'c-new']) {
      expect(await receipt(customerId)).not.toHaveProperty('customerId');
      expect(await customers.recordsOfType(customerId, 'contract')).toEqual([]);
    }
    await system.runDispatcher(); // the next run finds the old list's hashes done (or never erased here) and drops them
    expect((await db.send(new GetCommand({ TableName: control, Key: { key: oldKey } }))).Item?.hashes).toBeUndefined();
    expect(await new DynamoErasureStore(db, system.tables).dueSecondPasses(afterTheWait, SECOND_PASSES_PER_RUN)).toEqual([]);
  });

  it('a run makes the oldest due passes, as many as fit in it, and leaves the rest to the next run', async () => {
    // Prepare: one more erasure than a run makes, a second apart; and one whose pass is not due yet.
    const ids = Array.from({ length: SECOND_PASSES_PER_RUN + 1 }, (_, index) => `c-bulk-${String(index).padStart(3, '0')}`);
    for (const [index, customerId] of ids.entries()) {
      await eraseCustomer(erasures, customerId, new Date(erasedAt.getTime() + index * 1000), { requestedBy: 'record', secondPass: 'later' });
    }
    await eraseCustomer(erasures, 'c-later', afterTheWait, { requestedBy: 'record', secondPass: 'later' });
    const now = new Date(afterTheWait.getTime() + 5 * 60_000);

    // Act
    const first = await sweepErasures(erasures, now);
    const second = await sweepErasures(erasures, now);

    // Assess
    expect(first.swept).toEqual(ids.slice(0, SECOND_PASSES_PER_RUN).map(erasureKeyOf));
    expect(second.swept).toEqual([erasureKeyOf(ids.at(-1)!)]);
    expect(await receiptOf('c-later')).toMatchObject({ customerId: 'c-later', secondPass: 'pending' });
  });

  it('deletes nothing of a customer registered again before their pass: it only clears the pass', async () => {
    // Prepare: erased, then back within the wait, with a profile created after the erasure and a contract.
    await eraseCustomer(erasures, 'c-back', erasedAt, { requestedBy: 'record', secondPass: 'later' });
    const customers = new DynamoCustomerStore(db, tables.Customers);
    await customers.putRecords([
      { type: 'customer', customerId: 'c-back', email: 'back@example.com', timeZone: 'Europe/Madrid', locale: 'es', tier: 'standard', loyaltyPoints: 0, marketingOptIn: true, createdAt: '2027-03-12T08:10:00Z' },
      contract('c-back'),
    ]);

    // Act
    const swept = await sweepErasures(erasures, afterTheWait);

    // Assess: their records stay; the pass is cleared, the id gone from the receipt.
    expect((await customers.getProfiles(['c-back'])).get('c-back')).toMatchObject({ createdAt: '2027-03-12T08:10:00Z' });
    expect(await customers.recordsOfType('c-back', 'contract')).toHaveLength(1);
    expect(swept.deleted.customers).toBe(0);
    expect(swept.registeredAgain).toEqual([erasureKeyOf('c-back')]);
    expect(await receiptOf('c-back')).not.toHaveProperty('customerId');
    expect(await erasures.dueSecondPasses(afterTheWait, SECOND_PASSES_PER_RUN)).toEqual([]);
  });
});

describe('a message claimed when its customer is erased', () => {
  it('is told apart at its hand-over mark: gone, where a claim that lapsed still fails', async () => {
    // Prepare: two claimed messages; one's item deleted (its customer erased), the other's claim taken over since.
    const outbox = new DynamoOutbox(db, tables.Messages, async () => defaultConfig, deployedDueShards);
    const claimedAt = new Date('2027-04-10T07:00:00Z');
    const leaseUntil = new Date(claimedAt.getTime() + 600_000);
    const [erased, lapsed] = await Promise.all(
      ['c-hand-erased', 'c-hand-lapsed'].map(async (customerId) => {
        const message = plannedMessage({ customerId, timeZone: 'UTC' }, 'keepInTouch', defaultConfig.campaigns.keepInTouch, '2027-04-10', { dueAt: claimedAt, deadline: new Date('2027-04-11T07:00:00Z') });
        await outbox.plan(message, claimedAt);
        expect(await outbox.claim(message.messageId, 'claim-1', claimedAt, leaseUntil)).toBe('claimed');
        return message.messageId;
      }),
    );
    await db.send(new DeleteCommand({ TableName: tables.Messages, Key: { messageId: erased } }));

    // Act, Assess
    expect(await outbox.markHandedOver(erased!, 'claim-1', claimedAt)).toBe('gone');
    await expect(outbox.markHandedOver(lapsed!, 'claim-2', claimedAt)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect((await db.send(new GetCommand({ TableName: tables.Messages, Key: { messageId: lapsed } }))).Item).not.toHaveProperty('handedOverAt');
  });
});

