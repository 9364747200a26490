import { QueryCommand, ScanCommand, type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * Every page of a query, one after another, each with the key the next one starts from (absent after
 * the last): with scanPages, the one place that follows `LastEvaluatedKey`.
 */
export async function* queryPagesWithKeys(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncIterable<{ items: Record<string, unknown>[]; next?: Record<string, unknown> }> {
  let ExclusiveStartKey = input.ExclusiveStartKey;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield { items: page.Items ?? [], next: page.LastEvaluatedKey };
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** Every page of a query, one after another. */
export async function* queryPages(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncIterable<Record<string, unknown>[]> {
  for await (const page of queryPagesWithKeys(client, input)) yield page.items;
}

/** All items of a query. */
export const queryAll = async (client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(client, input)) items.push(...page);
  return items;
};

/** Every page of a scan, one after another (`retention lift` reads the Customers table so, keeping only what it needs of each page). */
export async function* scanPages(client: DynamoDBDocumentClient, input: ScanCommandInput): AsyncIterable<Record<string, unknown>[]> {
  let ExclusiveStartKey = input.ExclusiveStartKey;
  do {
    const page = await client.send(new ScanCommand({ ...input, ExclusiveStartKey }));
    yield page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** All items of a scan: only for the local stack's small tables (reports, `explain` locally), never a deployed one's. */
export const scanAll = async (client: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for await (const page of scanPages(client, input)) items.push(...page);
  return items;
};
