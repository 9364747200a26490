import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { messagesTable } from '../../functions/adapters/tables.js';
import { createTables, dynamoDbClient, startDynamoDbLocal } from '../../functions/local/local-stack.js';
import { endpoints, eventually, uniquePrefix } from './helpers.js';

/** Java processes running DynamoDB Local on this port. */
const javaOnPort = (port: string): string[] => {
  try {
    return execFileSync('pgrep', ['-f', `^java .*DynamoDBLocal.jar -port ${port} `]).toString().trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

describe('the local stack', () => {
  it('leaves no Java process behind when stopped', async () => {
    const dynamo = await startDynamoDbLocal();
    const port = new URL(dynamo.endpoint).port;
    expect(javaOnPort(port)).toHaveLength(1);
    await dynamo.stop();
    expect(await eventually(async () => javaOnPort(port), (pids) => pids.length === 0)).toEqual([]);
  });

  it('leaves no Java process behind when its parent is killed outright', async () => {
    // A parent that starts DynamoDB Local, prints the endpoint, then gets SIGKILL (no chance to clean up).
    const script = "const { startDynamoDbLocal } = await import('./functions/local/local-stack.ts'); const d = await startDynamoDbLocal(); console.log(d.endpoint);";
    const parent = spawn('node', ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const endpoint = await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
      const port = new URL(endpoint).port;
      expect(javaOnPort(port)).toHaveLength(1);
      parent.kill('SIGKILL');
      expect(await eventually(async () => javaOnPort(port), (pids) => pids.length === 0, 15_000)).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('gives a table kept from an older version the indexes added since, as a stack update would', async () => {
    const client = dynamoDbClient(endpoints().dynamodbEndpoint);
    const prefix = uniquePrefix('older');
    // The Messages table as it was before byCustomer: its two sparse indexes only.
    const [byDue, waitingByCustomer] = messagesTable.indexes;
    await client.send(
      new CreateTableCommand({
        TableName: `${prefix}Messages`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['messageId', 'dueShard', 'sendAfter', 'waitingCustomerId', 'dueAt'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: 'messageId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [byDue, waitingByCustomer].map((index) => ({
          IndexName: index.indexName,
          KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }, { AttributeName: index.sortKey, KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );

    const tables = await createTables(client, prefix);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.Messages }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(messagesTable.indexes.map((index) => index.indexName).sort());
    expect(Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'byCustomer')?.Projection?.ProjectionType).toBe('KEYS_ONLY');
  });
});
