import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { deploySettings } from '../../functions/adapters/deploy-settings.js';
import { tableDefinitions, type TableDefinition } from '../../functions/adapters/tables.js';
import { STREAM_DELIVERY } from '../../functions/local/simulation.js';
import { buildApp } from '../../infra/app.js';

const newApp = () => new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('the CDK app', () => {
  let data: Template;
  let compute: Template;
  let built: ReturnType<typeof buildApp>;
  const acknowledgements: { id: string; reason: string }[] = [];

  beforeAll(() => {
    const acknowledge = vi.spyOn(Object.getPrototypeOf(Validations.of(new App())), 'acknowledge');
    built = buildApp(deploySettings, newApp());
    for (const [ack] of acknowledge.mock.calls as [{ id: string; reason: string }][]) acknowledgements.push(ack);
    acknowledge.mockRestore();
    data = Template.fromStack(built.data);
    compute = Template.fromStack(built.compute);
  });

  /** Every IAM statement of the compute stack, with the role it belongs to. */
  const statements = (): { role: string; statement: Statement }[] =>
    Object.values(compute.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ role: JSON.stringify(policy.Properties.Roles), statement })),
    );
  const statementsOf = (functionId: string) => statements().filter(({ role }) => role.includes(`${functionId}Role`)).map(({ statement }) => statement);
  const canDo = (functionId: string, action: string, resourcePattern: RegExp) =>
    statementsOf(functionId).some((statement) => actionsOf(statement).includes(action) && resourcePattern.test(JSON.stringify(statement.Resource)));

  describe('data stack', () => {
    it.each((tableDefinitions as readonly TableDefinition[]).map((t) => [t.logicalName, t]))('builds the %s table from tables.ts', (_, definition) => {
      const key = (name: string, type: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: type });
      data.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          KeySchema: [key(definition.partitionKey, 'HASH'), ...(definition.sortKey ? [key(definition.sortKey, 'RANGE')] : [])],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
          ...(definition.stream ? { StreamSpecification: { StreamViewType: definition.stream } } : {}),
          ...(definition.indexes.length
            ? {
                GlobalSecondaryIndexes: definition.indexes.map((index) =>
                  Match.objectLike({
                    IndexName: index.indexName,
                    KeySchema: [key(index.partitionKey, 'HASH'), ...(index.sortKey ? [key(index.sortKey, 'RANGE')] : [])],
                    Projection: { ProjectionType: index.projection },
                  }),
                ),
              }
            : {}),
        }),
      });
    });

    it('has exactly the tables of tables.ts', () => {
      data.resourceCountIs('AWS::DynamoDB::Table', tableDefinitions.length);
    });
  });

  describe('compute stack', () => {
    it('runs the planner daily at the configured time and zone, and the dispatcher at its rate, with the scheduled time as input', () => {
      const { hour, minute, timeZone } = deploySettings.schedules.planner;
      compute.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `cron(${minute} ${hour} * * ? *)`,
        ScheduleExpressionTimezone: timeZone,
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Planner'), 'Arn'] }, Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }) }),
      });
      compute.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `rate(${deploySettings.schedules.dispatcher.everyMinutes} minute)`,
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dispatcher'), 'Arn'] }, DeadLetterConfig: Match.anyValue() }),
      });
    });

    it('feeds customer profiles from the stream with partial batch failures, bounded retries and a dead-letter queue', () => {
      compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: Match.stringLikeRegexp('^CustomerStream') },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: STREAM_DELIVERY.retryAttempts, // the local runner replays the same budget
        BatchSize: STREAM_DELIVERY.batchSize,
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StreamDeadLetterQueue'), 'Arn'] } } },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { recordKey: { S: ['customer'] } } } }) }] },
      });
    });

    it('gives every function the table names and mail settings, on the latest Node.js, ARM, traced', () => {
      const functions = compute.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
      expect(Object.keys(functions)).toHaveLength(3);
      for (const fn of Object.values(functions)) {
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
        expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
          expect.arrayContaining([...tableDefinitions.map((t) => t.envVar), 'SENDER_ADDRESS', 'SES_CONFIGURATION_SET']),
        );
      }
    });

    it('grants nothing with a wildcard action, and no DynamoDB action on every resource but ListStreams', () => {
      for (const { statement } of statements()) {
        for (const action of actionsOf(statement)) {
          expect(action).not.toBe('*');
          expect(action).not.toMatch(/:\*$/);
          if (action.startsWith('dynamodb:') && action !== 'dynamodb:ListStreams') expect(statement.Resource).not.toBe('*');
        }
      }
    });

    it('lets each function do only what its handler does', () => {
      expect(canDo('Dispatcher', 'ses:SendEmail', /SendingDomain|identity/)).toBe(true);
      expect(canDo('Planner', 'ses:SendEmail', /./)).toBe(false);
      expect(canDo('CustomerStream', 'ses:SendEmail', /./)).toBe(false);
      expect(canDo('Planner', 'dynamodb:Query', /index\/byBirthday/)).toBe(true);
      expect(canDo('Planner', 'dynamodb:Query', /index\/byDue/)).toBe(false);
      expect(canDo('Planner', 'dynamodb:Scan', /./)).toBe(false);
      expect(canDo('Dispatcher', 'dynamodb:Query', /index\/byDue/)).toBe(true);
      expect(canDo('Dispatcher', 'dynamodb:PutItem', /./)).toBe(false);
      expect(canDo('Dispatcher', 'dynamodb:DeleteItem', /./)).toBe(false);
      expect(canDo('CustomerStream', 'dynamodb:DeleteItem', /./)).toBe(false);
      expect(canDo('CustomerStream', 'dynamodb:Scan', /./)).toBe(false);
      // Every function reads the runtime configuration; only the planner writes its watermarks there.
      for (const fn of ['Planner', 'Dispatcher', 'CustomerStream']) expect(canDo(fn, 'dynamodb:GetItem', /Control/)).toBe(true);
      expect(canDo('Dispatcher', 'dynamodb:UpdateItem', /Control/)).toBe(false);
    });
  });

  describe('cdk-nag AWS Solutions checks', () => {
    it('pass: synthesis raises no unacknowledged finding', () => {
      expect(() => built.app.synth({ force: true })).not.toThrow();
    });

    it('would fail the synthesis on a finding nobody acknowledged', () => {
      const { app, data: stack } = buildApp(deploySettings, newApp());
      new sqs.Queue(stack, 'QueueWithoutDlqOrSsl'); // AwsSolutions-SQS3 and -SQS4
      // The report is thrown whole ("Validation failed") or as its first finding, depending on the output mode.
      expect(() => app.synth()).toThrow(/Validation failed|ERROR The SQS queue/);
    });

    it('acknowledge each accepted finding with a reason', () => {
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const { id, reason } of acknowledgements) {
        expect(id).toMatch(/^AwsSolutions-/);
        expect(reason.length).toBeGreaterThan(30);
      }
    });
  });
});
