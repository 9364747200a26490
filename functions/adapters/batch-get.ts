import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Waits a little longer each time DynamoDB hands work back unprocessed. */
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
