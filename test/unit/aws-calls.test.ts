import { describe, expect, it } from 'vitest';
import { asInvocationOf, clearRecordedAwsCalls, dynamoDbCallsOf, recordedAwsCalls, recordIfInvoked, sesCallsOf, UNRECOGNISED } from '../../functions/local/aws-calls.js';

const tables = { Customers: 'p-Customers', Messages: 'p-Messages', Ledger: 'p-Ledger', Control: 'p-Control', Suppressions: 'p-Suppressions' };

describe('the AWS calls recorded for IAM', () => {
  it('name each DynamoDB request by action and logical table, with the index a query reads', () => {
    // Act
    const calls = [
      dynamoDbCallsOf('UpdateItem', { TableName: 'p-Ledger' }, tables),
      dynamoDbCallsOf('Query', { TableName: 'p-Messages', IndexName: 'byDue' }, tables),
      dynamoDbCallsOf('BatchGetItem', { RequestItems: { 'p-Customers': {}, 'p-Suppressions': {} } }, tables),
      dynamoDbCallsOf('TransactWriteItems', { TransactItems: [{ Put: { TableName: 'p-Messages' } }, { ConditionCheck: { TableName: 'p-Ledger' } }] }, tables),
      dynamoDbCallsOf('BatchExecuteStatement', { Statements: [{ Statement: 'UPDATE "p-Ledger" SET a = 1 WHERE customerId = ?' }, { Statement: 'SELECT * FROM "p-Messages"."byDue"' }] }, tables),
    ];
    // Assess
    expect(calls).toEqual([
      ['dynamodb:UpdateItem Ledger'],
      ['dynamodb:Query Messages/index/byDue'],
      ['dynamodb:BatchGetItem Customers', 'dynamodb:BatchGetItem Suppressions'],
      ['dynamodb:PutItem Messages', 'dynamodb:ConditionCheckItem Ledger'],
      ['dynamodb:PartiQLUpdate Ledger', 'dynamodb:PartiQLSelect Messages/index/byDue'],
    ]);
  });

  it('make a request they cannot read, or a table not the runtime\'s, a call nothing grants', () => {
    expect(dynamoDbCallsOf('DescribeLimits', {}, tables)).toEqual([`dynamodb:DescribeLimits ${UNRECOGNISED}`]);
    expect(dynamoDbCallsOf('GetItem', { TableName: 'elsewhere' }, tables)[0]).toMatch(/not one of this runtime's/);
    expect(sesCallsOf('SendBulkEmail', {})).toEqual([`ses:SendBulkEmail ${UNRECOGNISED}`]);
  });

  it('name SendEmail on the sending identity and, when named, the configuration set', () => {
    expect(sesCallsOf('SendEmail', { ConfigurationSetName: 'retention' })).toEqual(['ses:SendEmail identity', 'ses:SendEmail configuration-set']);
    expect(sesCallsOf('SendEmail', {})).toEqual(['ses:SendEmail identity']);
  });

  it('are kept only while the function is invoked, and refuse a client of another function', async () => {
    // Prepare
    clearRecordedAwsCalls();
    const handler = asInvocationOf('links', async () => recordIfInvoked('links', () => ['dynamodb:PutItem Customers']));
    // Act
    recordIfInvoked('links', () => ['dynamodb:GetItem Control']); // a test setting the scene
    await handler();
    // Assess
    expect(recordedAwsCalls()).toEqual({ links: ['dynamodb:PutItem Customers'] });
    await expect(asInvocationOf('planner', async () => recordIfInvoked('links', () => ['dynamodb:PutItem Customers']))()).rejects.toThrow(/client of the links function was called during an invocation of the planner/);
  });
});
