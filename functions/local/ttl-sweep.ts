import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../adapters/conditions.js';
import { scanAll } from '../adapters/query-pages.js';
import { tableDefinitions, type TableDefinition, type TableName, type TableNames } from '../adapters/tables.js';

/**
 * DynamoDB's time to live, played on the local runner's clock. In AWS, DynamoDB deletes an item some
 * time after the instant in its table's time-to-live attribute (`tables.ts`, `timeToLiveAttribute`:
 * the Messages table's `expiresAt`). DynamoDB Local would do it too, but on the wall clock, within
 * seconds, where the local runner keeps a virtual one: a simulation of past dates would lose its
 * ended messages the moment they end, and one of future dates would never lose any. So the local
 * stack leaves its time to live off (local-stack.ts) and the runner calls this on its own clock.
 *
 * Like DynamoDB it deletes only an item whose attribute is a number of epoch seconds that has passed,
 * and checks again as it deletes (a conditional delete), so an item that lost its expiry meanwhile
 * stays. It returns what it deleted, as DynamoDB's stream would show it: the runner keeps those for
 * its report.
 */
export type SweptItems = Partial<Record<TableName, Record<string, unknown>[]>>;

/** An item whose time-to-live attribute is a number of epoch seconds no later than `:now`. */
const EXPIRED = 'attribute_type(#expiry, :number) AND #expiry <= :now';

export const sweepExpired = async (client: DynamoDBDocumentClient, tables: TableNames, now: Date): Promise<SweptItems> => {
  const swept: SweptItems = {};
  for (const table of tableDefinitions as readonly TableDefinition[]) {
    if (table.timeToLiveAttribute === undefined) continue;
    const tableName = tables[table.logicalName as TableName];
    const names = { '#expiry': table.timeToLiveAttribute };
    const values = { ':now': Math.floor(now.getTime() / 1000), ':number': 'N' };
    const keyNames = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
    // Only the keys: the whole item comes back with its delete.
    const keys = await scanAll(client, {
      TableName: tableName,
      FilterExpression: EXPIRED,
      ProjectionExpression: keyNames.map((_, i) => `#key${i}`).join(', '),
      ExpressionAttributeNames: { ...names, ...Object.fromEntries(keyNames.map((name, i) => [`#key${i}`, name])) },
      ExpressionAttributeValues: values,
    });
    const deleted: Record<string, unknown>[] = [];
    for (const key of keys) {
      try {
        const { Attributes } = await client.send(
          new DeleteCommand({ TableName: tableName, Key: key, ConditionExpression: EXPIRED, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: 'ALL_OLD' }),
        );
        if (Attributes) deleted.push(Attributes);
      } catch (error) {
        // It lost its expiry, or went, meanwhile: DynamoDB too checks again before it deletes.
        if (!isConditionFailure(error)) throw error;
      }
    }
    if (deleted.length > 0) swept[table.logicalName as TableName] = deleted;
  }
  return swept;
};
