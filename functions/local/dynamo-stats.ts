import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { commandNameOf } from './aws-calls.js';

/** What a handler asked of DynamoDB: requests, items read and capacity consumed, by operation. */
export interface DynamoStats {
  requests: number;
  itemsRead: number;
  readCapacity: number;
  writeCapacity: number;
  byOperation: Record<string, number>;
  itemsReadByOperation: Record<string, number>;
}

export const emptyStats = (): DynamoStats => ({ requests: 0, itemsRead: 0, readCapacity: 0, writeCapacity: 0, byOperation: {}, itemsReadByOperation: {} });

/** Adds `from`'s counts to `into`'s (a dispatcher run's: its coordinator's and its senders'); `into`, for chaining. */
export const addStats = (into: DynamoStats, from: DynamoStats): DynamoStats => {
  into.requests += from.requests;
  into.itemsRead += from.itemsRead;
  into.readCapacity += from.readCapacity;
  into.writeCapacity += from.writeCapacity;
  for (const [operation, n] of Object.entries(from.byOperation)) into.byOperation[operation] = (into.byOperation[operation] ?? 0) + n;
  for (const [operation, n] of Object.entries(from.itemsReadByOperation)) into.itemsReadByOperation[operation] = (into.itemsReadByOperation[operation] ?? 0) + n;
  return into;
};

const capacityUnits = (consumed: unknown): number => {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { CapacityUnits?: number }[];
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
};

const readOperations = /^(GetItem|BatchGetItem|Query|Scan|TransactGetItems)\b/;

/**
 * Counts every request a client makes: items read from each response (`ScannedCount` for queries,
 * the items returned by gets) and the capacity DynamoDB says it consumed (`ReturnConsumedCapacity`).
 */
export const countDynamoRequests = (client: DynamoDBClient, stats: DynamoStats): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const output = result.output as unknown as Record<string, unknown>;
      // Queries are told apart by index: which read is which job's is the point of counting.
      const command = commandNameOf(context);
      const operation = typeof input.IndexName === 'string' ? `${command} ${input.IndexName}` : command;
      stats.requests++;
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      let itemsRead = 0;
      if (typeof output.ScannedCount === 'number') itemsRead = output.ScannedCount;
      else if (output.Item) itemsRead = 1;
      else if (output.Responses && typeof output.Responses === 'object') {
        for (const items of Object.values(output.Responses as Record<string, unknown[]>)) itemsRead += items.length;
      }
      stats.itemsRead += itemsRead;
      if (itemsRead > 0) stats.itemsReadByOperation[operation] = (stats.itemsReadByOperation[operation] ?? 0) + itemsRead;
      const units = capacityUnits(output.ConsumedCapacity);
      if (readOperations.test(operation)) stats.readCapacity += units;
      else stats.writeCapacity += units;
      return result;
    },
    { step: 'initialize', name: 'countDynamoRequests' },
  );
};
