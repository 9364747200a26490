import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { generateCohort } from '../../scripts/demo-data.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { simulate } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * A stack deployed before `byDue` was narrowed keeps its projection of every attribute
 * (`dueIndexProjection: "all"`, docs/deploy.md). The dispatcher asks the index for the fields it reads
 * by name, so such a stack sends exactly what a new one does.
 */
describe('byDue projecting every attribute, as a stack deployed before it was narrowed has it', () => {
  it('sends the same messages, at the same moments, as the narrow index', async () => {
    // Prepare: one cohort twice, once on tables made as such a stack has them
    const dynamo = dynamoDbClient(endpoints().dynamodbEndpoint);
    const narrow = uniquePrefix('due-narrow');
    const whole = uniquePrefix('due-whole');
    const wholeTables = await createTables(dynamo, whole, { dueIndexProjection: 'all' });
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: wholeTables.Messages }));
    expect(Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'byDue')?.Projection?.ProjectionType).toBe('ALL');
    // The same customer ids both times (a customer's shards and holdout group follow from the id); addresses of their own.
    const cohort = (prefix: string) =>
      generateCohort({ customers: 40, seed: 5, startDate: '2027-01-01' })
        .map((line) => line.replaceAll('"email":"', `"email":"${prefix}`))
        .join('\n');

    // Act
    const run = async (prefix: string) => {
      const { report } = await simulate({ ...endpoints(), data: cohort(prefix), start: new Date('2027-01-01T00:00:00Z'), days: 21, config: defaultConfig, tablePrefix: prefix });
      const messages = await readAllMessages(documentClientFor(dynamo), `${prefix}Messages`);
      return {
        sent: report.summary.sent,
        messages: messages.map((m) => `${m.messageId} ${m.state} ${m.sentAt ?? '-'}`).sort(),
      };
    };
    const [fromNarrow, fromWhole] = await Promise.all([run(narrow), run(whole)]);

    // Assess
    expect(fromNarrow.sent).toBeGreaterThan(15);
    expect(fromWhole).toEqual(fromNarrow);
  }, 180_000);
});
