import { BatchGetCommand, BatchWriteCommand, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Waits a little longer each time DynamoDB hands work back (unprocessed keys, a throttled transaction). */
export const backoff = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));

/**
 * Every item of these keys that exists, 100 keys a request; keys DynamoDB hands back unprocessed
 * under load are asked for again. `consistent`: strongly consistent reads.
 */
export const batchGetAll = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: { readonly consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let batch: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; batch && batch.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const response = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: batch, ...(options.consistent ? { ConsistentRead: true } : {}) } } }));
      items.push(...(response.Responses?.[tableName] ?? []));
      batch = response.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return items;
};

type WriteRequest = { readonly PutRequest: { readonly Item: Record<string, unknown> } } | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/** Writes (puts or deletes) 25 a request; what DynamoDB hands back unprocessed under load is written again. */
export const batchWriteAll = async (client: DynamoDBDocumentClient, tableName: string, writes: readonly WriteRequest[]): Promise<void> => {
  for (let i = 0; i < writes.length; i += 25) {
    let requests: object[] | undefined = writes.slice(i, i + 25) as object[];
    for (let attempt = 0; requests && requests.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const response: BatchWriteCommandOutput = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
      requests = response.UnprocessedItems?.[tableName];
    }
  }
};
