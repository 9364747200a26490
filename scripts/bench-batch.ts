/**
 * What batching writes could buy on DynamoDB Local (`npm run bench:batch`): the same conditional
 * writes sent one per request and 25 per PartiQL `BatchExecuteStatement`, 8 requests at once (the
 * dispatcher's and the floor loop's concurrency), each way on fresh items. Prints writes a second
 * for each and their ratio: how much of a write's cost is the request and how much the statement.
 */
import { parseArgs } from 'node:util';
import { BatchExecuteStatementCommand, CreateTableCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient, startDynamoDbLocal } from '../functions/local/local-stack.js';
import { forEachConcurrently } from '../functions/core/concurrency.js';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } } });
const writes = Number(values.writes);
const rounds = Number(values.rounds);
const BATCH = 25; // the most BatchExecuteStatement takes
const CONCURRENCY = 8;
if (!Number.isInteger(writes) || writes < BATCH || writes % BATCH !== 0) throw new Error(`--writes must be a multiple of ${BATCH}, got '${values.writes}'`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);

const dynamo = await startDynamoDbLocal();
const db = dynamoDbClient(dynamo.endpoint);
const table = 'bench-batch';
const perSecond = async (count: number, work: () => Promise<void>) => {
  const started = performance.now();
  await work();
  return count / ((performance.now() - started) / 1000);
};
const indexes = (n: number) => Array.from({ length: n }, (_, i) => i);

try {
  await db.send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
  console.log(`${writes} writes each way, ${CONCURRENCY} requests at once, ${BATCH} statements a batch; writes a second:`);
  console.log('round  put if new: single  batched  ratio   claim (conditional update): single  batched  ratio');
  for (let round = 1; round <= rounds; round++) {
    // A put if new (the planner's), then a claim: waiting → claimed, only if waiting (the dispatcher's).
    const singlePut = await perSecond(writes, () =>
      forEachConcurrently(indexes(writes), CONCURRENCY, async (i) => {
        await db.send(new PutItemCommand({ TableName: table, Item: { id: { S: `single-${round}-${i}` }, state: { S: 'waiting' } }, ConditionExpression: 'attribute_not_exists(id)' }));
      }),
    );
    const singleClaim = await perSecond(writes, () =>
      forEachConcurrently(indexes(writes), CONCURRENCY, async (i) => {
        await db.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { id: { S: `single-${round}-${i}` } },
            UpdateExpression: 'SET #state = :claimed',
            ConditionExpression: '#state = :waiting',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':waiting': { S: 'waiting' } },
          }),
        );
      }),
    );
    const batches = indexes(writes / BATCH);
    const statements = (batch: number, statement: string) => indexes(BATCH).map((k) => ({ Statement: statement, Parameters: [{ S: `batched-${round}-${batch * BATCH + k}` }] }));
    const batchedPut = await perSecond(writes, () =>
      forEachConcurrently(batches, CONCURRENCY, async (batch) => {
        // INSERT fails a statement whose item exists: a put if new.
        await db.send(new BatchExecuteStatementCommand({ Statements: statements(batch, `INSERT INTO "${table}" VALUE {'id': ?, 'state': 'waiting'}`) }));
      }),
    );
    const batchedClaim = await perSecond(writes, () =>
      forEachConcurrently(batches, CONCURRENCY, async (batch) => {
        const { Responses } = await db.send(new BatchExecuteStatementCommand({ Statements: statements(batch, `UPDATE "${table}" SET "state" = 'claimed' WHERE id = ? AND "state" = 'waiting'`) }));
        if (Responses?.some((response) => response.Error)) throw new Error(`a batched claim failed: ${JSON.stringify(Responses.find((response) => response.Error)?.Error)}`);
      }),
    );
    const cell = (n: number, width: number) => n.toFixed(0).padStart(width);
    console.log(
      `${String(round).padStart(5)}  ${cell(singlePut, 18)}  ${cell(batchedPut, 7)}  ${(batchedPut / singlePut).toFixed(2).padStart(5)}   ${cell(singleClaim, 34)}  ${cell(batchedClaim, 7)}  ${(batchedClaim / singleClaim).toFixed(2).padStart(5)}`,
    );
  }
} finally {
  await dynamo.stop();
}
