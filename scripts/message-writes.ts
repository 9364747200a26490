/**
 * What one message's life writes (`npx tsx scripts/message-writes.ts`): a birthday greeting planned,
 * claimed, its cap taken, handed over, sent and its contact recorded, through the real adapters on
 * DynamoDB Local, each write asked for its consumed capacity per table and index
 * (`ReturnConsumedCapacity: INDEXES`). The accounting in docs/scale.md comes from its output.
 * `--due-index-projection all`: on tables as a stack deployed with that setting has them (docs/deploy.md).
 */
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkedDueIndexProjection, deployedDueShards } from '../functions/adapters/deploy-settings.js';
import { documentClientFor } from '../functions/adapters/runtime.js';
import { DynamoOutbox } from '../functions/adapters/dynamo-outbox.js';
import { DynamoLedgerStore } from '../functions/adapters/dynamo-ledger.js';
import { floorOf } from '../functions/core/cadence.js';
import { defaultConfig } from '../functions/core/config.js';
import { plannedMessage } from '../functions/core/messages.js';
import { createTables, dynamoDbClient, startDynamoDbLocal } from '../functions/local/local-stack.js';
import { commandNameOf } from '../functions/local/aws-calls.js';

interface Capacity {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly Table?: { CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

const rows: { step: string; operation: string; table: string; units: Record<string, number>; total: number }[] = [];
let step = '';

const recordCapacity = (client: DynamoDBClient, prefix: string) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      const output = (await next(args)).output as unknown as { ConsumedCapacity?: Capacity | Capacity[] };
      const list = Array.isArray(output.ConsumedCapacity) ? output.ConsumedCapacity : output.ConsumedCapacity ? [output.ConsumedCapacity] : [];
      for (const capacity of list) {
        const units: Record<string, number> = { table: capacity.Table?.CapacityUnits ?? 0 };
        for (const [index, used] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) units[index] = used.CapacityUnits ?? 0;
        rows.push({ step, operation: commandNameOf(context), table: String(capacity.TableName).replace(prefix, ''), units, total: capacity.CapacityUnits ?? 0 });
      }
      return { output } as never;
    },
    { step: 'initialize', name: 'recordCapacity' },
  );
};

const { values } = parseArgs({ options: { 'due-index-projection': { type: 'string' } } });
let dueIndexProjection: 'all' | undefined;
try {
  dueIndexProjection = checkedDueIndexProjection(values['due-index-projection'], '--due-index-projection');
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const dynamo = await startDynamoDbLocal();
try {
  const client = dynamoDbClient(dynamo.endpoint);
  const prefix = 'writes-';
  const tables = await createTables(client, prefix, { dueIndexProjection });
  recordCapacity(client, prefix);
  const db = documentClientFor(client);
  const outbox = new DynamoOutbox(db, tables.Messages, async () => defaultConfig, deployedDueShards);
  const ledger = new DynamoLedgerStore(db, tables.Ledger, deployedDueShards);
  const config = defaultConfig;
  const customer = { customerId: 'c-000042', timeZone: 'Europe/Berlin' };
  const now = new Date('2027-06-15T07:00:00Z');
  const today = '2027-06-15';
  const settings = config.campaigns.birthday;
  const message = plannedMessage(customer, 'birthday', settings, '2027', { dueAt: now, deadline: new Date('2027-06-15T22:00:00Z') });

  step = 'ledger opened (the profile arrived)';
  await ledger.open(customer.customerId, '2027-05-20', floorOf('2027-05-20', config.cadence).checkOn, { timeZone: customer.timeZone, marketingOptIn: true });
  const before = rows.length;
  step = 'planned';
  await outbox.plan(message, new Date('2027-05-16T00:00:00Z'));
  step = 'claimed';
  await outbox.claim(message.messageId, 'claim-0123456789abcdef', now, new Date(now.getTime() + 600_000));
  step = 'cap taken';
  await ledger.reserveCap(customer.customerId, message.messageId, today, '2027-06-08');
  step = 'handed over';
  await outbox.markHandedOver(message.messageId, 'claim-0123456789abcdef', now);
  step = 'sent';
  await outbox.markSent(message.messageId, 'claim-0123456789abcdef', { sentAt: now, subject: 'Happy birthday, Ana!', locale: 'de', sesMessageId: '0102018f6c1b2a3c-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-000000' });
  step = 'contact recorded';
  await ledger.recordContact(customer.customerId, today, floorOf(today, config.cadence).checkOn);

  const life = rows.slice(before);
  const width = Math.max(...life.map((row) => row.step.length));
  console.log(`${'write'.padEnd(width)}  ${'request'.padEnd(10)}  ${'table'.padEnd(9)}  WCU  of which`);
  for (const row of life) {
    console.log(`${row.step.padEnd(width)}  ${row.operation.padEnd(10)}  ${row.table.padEnd(9)}  ${String(row.total).padStart(3)}  ${Object.entries(row.units).map(([name, units]) => `${name} ${units}`).join(', ')}`);
  }
  console.log(`${'total'.padEnd(width)}  ${''.padEnd(10)}  ${''.padEnd(9)}  ${String(life.reduce((sum, row) => sum + row.total, 0)).padStart(3)}`);
} finally {
  await dynamo.stop();
}
