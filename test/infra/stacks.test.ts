import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import packageJson from '../../package.json' with { type: 'json' };
import { deployedDueShards, deploySettings, senderAddress } from '../../functions/adapters/deploy-settings.js';
import { tableDefinitions, type IndexDefinition, type TableDefinition, type TableName } from '../../functions/adapters/tables.js';
import { MAIL_EVENT_DELIVERY, STREAM_DELIVERY } from '../../functions/local/simulation.js';
import { functionTimeoutSeconds, PLANNER_RETRIES } from '../../functions/core/function-timeouts.js';
import { allDueShards, DUE_MESSAGE_FIELDS } from '../../functions/core/messages.js';
import { buildApp } from '../../infra/app.js';
import { DataStack } from '../../infra/data-stack.js';
import { lambdaHandlers } from '../../scripts/lambda-bundle.js';
import { lintTemplates } from '../../scripts/lint-cfn.js';
import type { FunctionName } from '../../functions/local/aws-calls.js';
import { awsCalls } from './aws-calls.js';
import { IamCheck, type CfnTemplate } from './iam-policy.js';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const definitions = tableDefinitions as readonly TableDefinition[];
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const resourcesOf = (statement: Statement): unknown[] => [statement.Resource].flat();

const functionNames = ['planner', 'dispatchCoordinator', 'dispatcher', 'customerStream', 'links', 'mailEvents', 'pauseMarketing'] as const satisfies readonly FunctionName[];

const expectedProjection = (projection: IndexDefinition['projection']) =>
  typeof projection === 'string' ? { ProjectionType: projection } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection] };

describe('the CDK app', () => {
  let built: ReturnType<typeof buildApp>;
  let data: Template;
  let compute: Template;
  /** Logical id of each table in the data stack. */
  let tableIds: Record<TableName, string>;

  /** Where the app is synthesized, its functions' bundles with it. */
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-'));

  beforeAll(() => {
    built = buildApp(deploySettings, new App({ context: cdkJson.context, outdir }));
    data = Template.fromStack(built.data);
    compute = Template.fromStack(built.compute);
    tableIds = Object.fromEntries(
      Object.entries(built.data.tables).map(([name, table]) => [name, built.data.getLogicalId(table.node.defaultChild as CfnElement)]),
    ) as Record<TableName, string>;
  });

  const logicalIdOf = (construct: IConstruct) => built.compute.getLogicalId(construct.node.defaultChild as CfnElement);

  /** Every IAM statement on a function's own role. */
  const statementsOf = (fn: FunctionName): Statement[] => {
    const roleId = logicalIdOf(built.compute[fn].role!);
    return Object.values(compute.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };

  /** A resource of a statement, named after the table it reaches through the data stack's exports: `Messages/index/byDue`. */
  const tableResourceName = (resource: unknown): string => {
    if (resource === '*') return '*';
    const text = JSON.stringify(resource);
    const table = (Object.keys(tableIds) as TableName[]).find((name) => text.includes(`${tableIds[name]}Arn`) || text.includes(`${tableIds[name]}StreamArn`));
    if (!table) return text;
    if (text.includes(`${tableIds[table]}StreamArn`)) return `${table}/stream`;
    const index = /\/index\/([\w-]+)/.exec(text)?.[1];
    return index ? `${table}/index/${index}` : table;
  };

  const dynamoDbAccessOf = (fn: FunctionName): string[] =>
    statementsOf(fn).flatMap((statement) =>
      actionsOf(statement)
        .filter((action) => action.startsWith('dynamodb:'))
        .flatMap((action) => resourcesOf(statement).map((resource) => `${action.slice('dynamodb:'.length)} ${tableResourceName(resource)}`)),
    );

  const canSendEmail = (fn: FunctionName) => statementsOf(fn).some((statement) => actionsOf(statement).includes('ses:SendEmail'));

  describe('data stack', () => {
    const key = (name: string, type: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: type });
    const keySchema = (partitionKey: string, sortKey?: string) => [key(partitionKey, 'HASH'), ...(sortKey ? [key(sortKey, 'RANGE')] : [])];

    it.each(definitions.map((definition) => [definition.logicalName, definition] as const))('builds the %s table from tables.ts', (_, definition) => {
      data.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          KeySchema: keySchema(definition.partitionKey, definition.sortKey),
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
          StreamSpecification: definition.stream ? { StreamViewType: definition.stream } : Match.absent(),
          TimeToLiveSpecification: definition.timeToLiveAttribute ? { AttributeName: definition.timeToLiveAttribute, Enabled: true } : Match.absent(),
          GlobalSecondaryIndexes: definition.indexes.length
            ? definition.indexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: expectedProjection(index.projection),
              }))
            : Match.absent(),
        }),
      });
    });

    it('has DynamoDB delete ended messages by their expiresAt (time to live)', () => {
      data.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'messageId', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    });

    it('has exactly the tables of tables.ts, and names each in an output', () => {
      data.resourceCountIs('AWS::DynamoDB::Table', definitions.length);
      for (const { logicalName } of tableDefinitions) data.hasOutput(`${logicalName}TableName`, { Value: { Ref: tableIds[logicalName] } });
    });

    it('keeps every attribute in byDue for a stack deployed before it was narrowed (dueIndexProjection), and changes nothing else', () => {
      // Act: the data stack alone, with and without the setting
      const indexesOf = (settings: typeof deploySettings) =>
        Object.values(Template.fromStack(new DataStack(new App(), 'RetentionData', { settings })).findResources('AWS::DynamoDB::Table')).map((table) => table.Properties.GlobalSecondaryIndexes);
      const narrow = indexesOf(deploySettings);
      const whole = indexesOf({ ...deploySettings, dueIndexProjection: 'all' });

      // Assess: byDue as it was before (every attribute), the rest as deployed today
      const byDue = (indexes: { IndexName: string }[][]) => indexes.flat().filter((index) => index?.IndexName === 'byDue');
      expect(byDue(whole)).toEqual([{ IndexName: 'byDue', KeySchema: keySchema('dueShard', 'sendAfter'), Projection: { ProjectionType: 'ALL' } }]);
      expect(byDue(narrow)).toEqual([expect.objectContaining({ Projection: expectedProjection(DUE_MESSAGE_FIELDS) })]);
      const withoutByDue = (indexes: { IndexName: string }[][]) => indexes.map((table) => table?.filter((index) => index.IndexName !== 'byDue'));
      expect(withoutByDue(whole)).toEqual(withoutByDue(narrow));
      // Any other value is refused at synthesis, naming the setting and the value.
      expect(() => indexesOf({ ...deploySettings, dueIndexProjection: 'ALL' as 'all' })).toThrow(`cdk.json retention.dueIndexProjection: 'ALL' is not "all"`);
    });

    it('refuses a dueShards that is not a whole number from 1 to 99 at synthesis, naming the setting and the value', () => {
      for (const dueShards of [0, 2.5, 100, '8' as unknown as number]) {
        expect(() => buildApp({ ...deploySettings, dueShards }, new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }))).toThrow(
          `cdk.json context retention.dueShards: ${JSON.stringify(dueShards)} is not a whole number from 1 to 99`,
        );
      }
    });

    it('refuses a dispatcher schedule that is not a whole number of minutes from 1 to 60 at synthesis, naming the setting and the value', () => {
      for (const everyMinutes of [0, 2.5, 61, '5' as unknown as number]) {
        expect(() => buildApp({ ...deploySettings, schedules: { ...deploySettings.schedules, dispatcher: { everyMinutes } } }, new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }))).toThrow(
          `cdk.json context retention.schedules.dispatcher.everyMinutes: ${JSON.stringify(everyMinutes)} is not a whole number of minutes from 1 to 60`,
        );
      }
    });

    it('refuses a sender address that is not one at synthesis, naming the setting and the value (SES would blame each customer’s address for it)', () => {
      const synth = (settings: Partial<typeof deploySettings>) => () => buildApp({ ...deploySettings, ...settings }, new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }));
      for (const senderLocalPart of ['Larkspur Coffee', 'hello@', '.hello', 'hi..there', '', 'x'.repeat(65)]) {
        expect(synth({ senderLocalPart })).toThrow(`cdk.json context retention.senderLocalPart: ${JSON.stringify(senderLocalPart)} is not the part of an address before the @`);
      }
      for (const mailDomain of ['example', 'mail example.com', '-mail.example.com', 'mail.example.com.', 'https://example.com']) {
        expect(synth({ mailDomain })).toThrow(`cdk.json context retention.mailDomain: ${JSON.stringify(mailDomain)} is not a domain name`);
      }
      expect(senderAddress({ senderLocalPart: "o'brien+news.desk", mailDomain: 'mail.larkspur-coffee.co.uk' })).toBe("o'brien+news.desk@mail.larkspur-coffee.co.uk");
    });
  });

  describe('functions', () => {
    it.each(functionNames)('runs the %s on the newest Node.js, ARM, traced, logging to its own group, with every setting it reads', (fn) => {
      const environment: Record<string, unknown> = {
        POWERTOOLS_SERVICE_NAME: 'retention',
        NODE_OPTIONS: '--enable-source-maps',
        SENDER_ADDRESS: senderAddress(deploySettings),
        SES_CONFIGURATION_SET: { Ref: Match.stringLikeRegexp('^ConfigurationSet') },
        // Every function's stores write or read the partitions (runtime.ts dueShardsFromEnv).
        DUE_SHARDS: String(deployedDueShards),
      };
      for (const { envVar, logicalName } of tableDefinitions) environment[envVar] = { 'Fn::ImportValue': Match.stringLikeRegexp(tableIds[logicalName]) };
      const logGroupId = logicalIdOf(built.compute[fn].logGroup);
      const matching = compute.findResources('AWS::Lambda::Function', {
        Properties: {
          Handler: 'index.handler',
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          MemorySize: 512,
          LoggingConfig: { LogGroup: { Ref: logGroupId } },
          Environment: { Variables: environment },
        },
      });
      expect(Object.keys(matching)).toContain(logicalIdOf(built.compute[fn]));
      expect(compute.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    });

    it('bundles every function with the credentials of its environment only (infra/lambda-bundling.ts), not the SDK\'s SSO and shared-file providers', () => {
      const bundles = readdirSync(outdir)
        .filter((name) => name.startsWith('asset.'))
        .map((name) => join(outdir, name, 'index.mjs'));
      expect(bundles).toHaveLength(lambdaHandlers().length);
      // `sso_session` is read from shared config files by the SSO provider of the SDK's default chain.
      for (const bundle of bundles) expect(readFileSync(bundle, 'utf8')).not.toContain('sso_session');
    });

    it('is tested on the Node its functions run on: the `node` devDependency, first on the PATH of every npm script', () => {
      const major = process.versions.node.split('.')[0];
      const why = `these tests run on Node ${process.version} (${process.execPath}); run them through npm (npm test, npx vitest) so the \`node\` devDependency's Node runs them, and if node_modules/node/bin/node is missing (its preinstall did not run), npm ci again with install scripts allowed`;
      for (const fn of functionNames) expect(built.compute[fn].runtime.name, why).toBe(`nodejs${major}.x`);
      expect(packageJson.devDependencies.node.split('.')[0], 'the `node` devDependency and the functions\' runtime are the same major').toBe(major);
    });

    it('gives the functions roles of their own, with no managed policy (no AWSLambdaBasicExecutionRole)', () => {
      for (const role of Object.values(compute.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('least privilege', () => {
    const iam = () => new IamCheck([{ name: 'data', template: data.toJSON() as CfnTemplate }, { name: 'compute', template: compute.toJSON() as CfnTemplate }]);

    // Both ways, on the synthesized policies: every call the function's code makes (test/infra/aws-calls.ts,
    // which the integration tests hold to what the handlers really call) and every call Lambda makes for it
    // (logs, traces, stream reads, dead letters) is allowed; every granted action on every granted resource is one of them.
    it.each(functionNames)('lets the %s make exactly the calls its code and Lambda make for it', (fn) => {
      const check = iam();
      const functionId = logicalIdOf(built.compute[fn]);
      const needs = [...check.codeNeeds('compute', functionId, awsCalls[fn]), ...check.platformNeeds('compute', functionId)];
      expect(check.verdict('compute', check.roleOf('compute', functionId), needs)).toEqual({ notAllowed: [], unused: [] });
    });

    it('lets each schedule invoke its function and park what fails, and nothing else', () => {
      const check = iam();
      for (const role of built.compute.scheduleRoles.values()) {
        const roleId = logicalIdOf(role);
        const needs = check.scheduleNeeds('compute', roleId);
        expect(needs.map((need) => need.action).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
        expect(check.verdict('compute', roleId, needs)).toEqual({ notAllowed: [], unused: [] });
      }
    });

    it('checks every role in the stacks: the functions\' and the schedules\'', () => {
      const checked = [...functionNames.map((fn) => logicalIdOf(built.compute[fn].role!)), ...[...built.compute.scheduleRoles.values()].map(logicalIdOf)];
      expect(Object.keys(compute.findResources('AWS::IAM::Role')).sort()).toEqual(checked.sort());
      expect(Object.keys(data.findResources('AWS::IAM::Role'))).toEqual([]);
    });

    it('would have caught the stream function opening the ledger with a PutItem grant (issue #11)', () => {
      // The grant as it was: GetItem and PutItem on Ledger, while ledger.open is an UpdateItem.
      const template = structuredClone(compute.toJSON()) as CfnTemplate;
      const roleId = logicalIdOf(built.compute.customerStream.role!);
      const isLedger = (resource: unknown) => JSON.stringify(resource).includes(`${tableIds.Ledger}Arn`) && !JSON.stringify(resource).includes('/index/');
      const policy = Object.values(template.Resources).find(
        (resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]),
      )!;
      const statements = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
      const ledger = statements.flatMap(resourcesOf).find(isLedger);
      const others = statements.map((statement) => ({ ...statement, Resource: resourcesOf(statement).filter((resource) => !isLedger(resource)) }));
      (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement = [
        ...others.filter((statement) => resourcesOf(statement).length > 0),
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: ledger },
      ];
      const check = new IamCheck([{ name: 'data', template: data.toJSON() as CfnTemplate }, { name: 'compute', template }]);
      const functionId = logicalIdOf(built.compute.customerStream);
      const needs = [...check.codeNeeds('compute', functionId, awsCalls.customerStream), ...check.platformNeeds('compute', functionId)];
      const ledgerArn = 'arn:aws:dynamodb:REGION:ACCOUNT:table/Ledger';
      expect(check.verdict('compute', roleId, needs)).toEqual({ notAllowed: [`dynamodb:DeleteItem ${ledgerArn} (its code)`, `dynamodb:UpdateItem ${ledgerArn} (its code)`], unused: [`dynamodb:PutItem ${ledgerArn}`] });
    });

    it('grants no wildcard action anywhere, and no DynamoDB action on every resource but the stream mapping’s ListStreams', () => {
      const statements = Object.values(compute.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
      for (const statement of statements) {
        for (const action of actionsOf(statement)) {
          expect(action).not.toBe('*');
          expect(action).not.toMatch(/:\*$/);
          if (action.startsWith('dynamodb:') && action !== 'dynamodb:ListStreams') expect(resourcesOf(statement)).not.toContain('*');
        }
      }
    });

    it('lets only the dispatcher send e-mail, from the sending domain through the configuration set', () => {
      expect(canSendEmail('dispatcher')).toBe(true);
      expect(canSendEmail('planner')).toBe(false);
      expect(canSendEmail('customerStream')).toBe(false);
      expect(canSendEmail('links')).toBe(false);
      expect(canSendEmail('mailEvents')).toBe(false);
      const sendEmail = statementsOf('dispatcher').find((statement) => actionsOf(statement).includes('ses:SendEmail'))!;
      const resources = resourcesOf(sendEmail).map((resource) => JSON.stringify(resource));
      expect(resources).toHaveLength(2);
      expect(resources.some((resource) => resource.includes(':identity/') && resource.includes('SendingDomain'))).toBe(true);
      expect(resources.some((resource) => resource.includes(':configuration-set/') && resource.includes('ConfigurationSet'))).toBe(true);
    });

    it('keeps each function off what it does not use', () => {
      const access = (fn: FunctionName) => dynamoDbAccessOf(fn).join('\n');
      expect(access('planner')).not.toMatch(/byDue/);
      expect(access('dispatcher')).not.toMatch(/byBirthday|byRenewal|byFloorCheck|PutItem (Customers|Ledger)/);
      for (const fn of functionNames) expect(access(fn)).not.toMatch(/Scan/);
      // Only erasure deletes (the customer stream, and the dispatch coordinator's second pass): a customer's items, never the Control or Suppressions items.
      for (const fn of functionNames.filter((name) => name !== 'customerStream' && name !== 'dispatchCoordinator')) expect(access(fn)).not.toMatch(/DeleteItem|BatchWriteItem/);
      for (const fn of ['customerStream', 'dispatchCoordinator'] as const) expect(access(fn)).not.toMatch(/(DeleteItem|BatchWriteItem) (Control|Suppressions)/);
    });
  });

  describe('triggers', () => {
    it('runs the planner daily at the configured time and zone, with the scheduled time as input and a dead-letter queue, and a failed run again', () => {
      const { hour, minute, timeZone } = deploySettings.schedules.planner;
      compute.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `cron(${minute} ${hour} * * ? *)`,
        ScheduleExpressionTimezone: timeZone,
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(built.compute.planner), 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [logicalIdOf(built.compute.scheduleRoles.get(built.compute.planner)!), 'Arn'] },
          Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(built.compute.scheduleDeadLetterQueue), 'Arn'] } },
        }),
      });
      // A run that failed or stopped with dates left runs again, as the local runner replays it.
      compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: logicalIdOf(built.compute.planner) }, MaximumRetryAttempts: PLANNER_RETRIES });
    });

    it('runs the dispatch coordinator at the configured rate, telling it the period its senders claim within', () => {
      const { everyMinutes } = deploySettings.schedules.dispatcher;
      compute.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `rate(${everyMinutes} ${everyMinutes === 1 ? 'minute' : 'minutes'})`,
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(built.compute.dispatchCoordinator), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(built.compute.scheduleDeadLetterQueue), 'Arn'] } },
        }),
      });
      compute.resourceCountIs('AWS::Scheduler::Schedule', 2);
      const variables = compute.toJSON().Resources[logicalIdOf(built.compute.dispatchCoordinator)].Properties.Environment.Variables;
      expect(variables.DISPATCH_EVERY_MINUTES).toBe(String(everyMinutes));
      expect(variables.SEND_WORK_QUEUE_URL).toEqual({ Ref: logicalIdOf(built.compute.sendWorkQueue) });
    });

    it('hands each part of a run to a sender: one part per invocation, as many senders at once as a run has parts, failures parked', () => {
      compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(built.compute.dispatcher) },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(built.compute.sendWorkQueue), 'Arn'] },
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: Math.max(2, allDueShards(deployedDueShards).length) },
      });
      const queue = compute.toJSON().Resources[logicalIdOf(built.compute.sendWorkQueue)].Properties;
      // Not delivered again while its sender may still run (six times the sender's timeout, as Lambda advises).
      expect(queue.VisibilityTimeout).toBe(6 * functionTimeoutSeconds.dispatcher);
      expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(built.compute.sendWorkDeadLetterQueue), 'Arn'] }, maxReceiveCount: 3 });
      // A part failing on every receive is still kept for the receive that parks it: past its last allowed one.
      expect(queue.MessageRetentionPeriod).toBeGreaterThan(queue.VisibilityTimeout * queue.RedrivePolicy.maxReceiveCount);
      expect(queue.SqsManagedSseEnabled).toBe(true);
    });

    it('lets only EventBridge Scheduler, for this account, assume the schedules\' roles', () => {
      expect(built.compute.scheduleRoles.size).toBe(2);
      for (const role of built.compute.scheduleRoles.values()) {
        expect(compute.toJSON().Resources[logicalIdOf(role)].Properties.AssumeRolePolicyDocument.Statement).toEqual([
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            // The confused-deputy guard: a schedule of another account cannot have Scheduler act with this role.
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]);
      }
    });

    it('feeds the business records only from the stream, with partial batch failures, bounded retries and a dead-letter queue', () => {
      // Two event sources: this one, and the send-work queue's (the senders).
      compute.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(built.compute.customerStream) },
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp(`${tableIds.Customers}StreamArn`) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: STREAM_DELIVERY.retryAttempts, // the local runner replays with the same budget
        BatchSize: STREAM_DELIVERY.batchSize,
        MaximumRecordAgeInSeconds: Match.anyValue(),
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(built.compute.streamDeadLetterQueue), 'Arn'] } } },
        FilterCriteria: {
          Filters: [
            {
              Pattern: JSON.stringify({
                dynamodb: { Keys: { recordKey: { S: ['customer', 'preferences', { prefix: 'contract#' }, { prefix: 'complaint#' }, { prefix: 'interaction#' }, { prefix: 'surveyResponse#' }, { prefix: 'erasure#' }] } } },
              }),
            },
          ],
        },
      });
    });

    it('keeps dead letters encrypted, over TLS only, for 14 days', () => {
      for (const queue of [built.compute.streamDeadLetterQueue, built.compute.scheduleDeadLetterQueue, built.compute.sendWorkDeadLetterQueue, built.compute.mailEventsDeadLetterQueue, built.compute.pauseMarketingDeadLetterQueue]) {
        expect(compute.toJSON().Resources[logicalIdOf(queue)].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
        compute.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalIdOf(queue) }],
          PolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
          }),
        });
      }
    });
  });

  describe('one-click links', () => {
    const secretId = () => Object.keys(data.findResources('AWS::SecretsManager::Secret'))[0]!;
    const readsSecret = (fn: FunctionName) =>
      statementsOf(fn).some((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(secretId()));

    it('keeps a generated signing key with the data, retained', () => {
      data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) }) });
    });

    it('lets only the dispatcher (signing) and the link handler (verifying) read it', () => {
      expect(readsSecret('dispatcher')).toBe(true);
      expect(readsSecret('links')).toBe(true);
      expect(readsSecret('planner')).toBe(false);
      expect(readsSecret('customerStream')).toBe(false);
    });

    it('routes every request of an HTTP API to the link handler, throttled and access-logged, and signs links for its URL', () => {
      compute.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
      compute.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(built.compute.links), 'Arn'] } });
      compute.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
        AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      });
      const environmentOf = (fn: FunctionName) => compute.toJSON().Resources[logicalIdOf(built.compute[fn])].Properties.Environment.Variables;
      expect(JSON.stringify(environmentOf('dispatcher').LINKS_BASE_URL)).toContain(logicalIdOf(built.compute.linksApi));
      // Both read the key by its ARN (functions/adapters/runtime.ts); the link handler needs no base URL.
      for (const fn of ['dispatcher', 'links'] as const) expect(JSON.stringify(environmentOf(fn).LINK_SECRET_ARN)).toContain('LinkSecret');
      compute.hasOutput('LinksBaseUrl', Match.anyValue());
      // Without linksDomain, the API's own address and no custom domain.
      expect(compute.findResources('AWS::ApiGatewayV2::DomainName')).toEqual({});
    });

    it('puts links on the business\'s own host name when linksDomain is set, keeping the execute-api address open for links already mailed', () => {
      const linksDomain = { domainName: 'links.larkspur-coffee.example', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789' };
      // Not bundled: only the template is read here (the app as deployed is synthesized above).
      const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
      const custom = buildApp({ ...deploySettings, linksDomain }, app);
      const template = Template.fromStack(custom.compute);
      const domainId = Object.keys(template.findResources('AWS::ApiGatewayV2::DomainName', { Properties: { DomainName: linksDomain.domainName } }))[0]!;
      expect(domainId).toBeDefined();
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: linksDomain.domainName,
        DomainNameConfigurations: [Match.objectLike({ CertificateArn: linksDomain.certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' })],
      });
      const apiId = custom.compute.getLogicalId(custom.compute.linksApi.node.defaultChild as CfnElement);
      template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiId: { Ref: apiId }, DomainName: { Ref: domainId }, Stage: Match.anyValue() });
      const variables = template.toJSON().Resources[custom.compute.getLogicalId(custom.compute.dispatcher.node.defaultChild as CfnElement)].Properties.Environment.Variables;
      expect(variables.LINKS_BASE_URL).toBe(`https://${linksDomain.domainName}/`);
      template.hasOutput('LinksBaseUrl', { Value: `https://${linksDomain.domainName}/` });
      template.hasOutput('LinksDomainTarget', { Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
      template.hasOutput('LinksDomainHostedZoneId', { Value: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] } });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', Match.not(Match.objectLike({ DisableExecuteApiEndpoint: true })));
      app.synth();
      const { ok, output } = lintTemplates(app.outdir);
      expect(output.split('\n').filter((line) => /:E\d{4}:/.test(line))).toEqual([]);
      expect(ok).toBe(true);
    });

    it('refuses a linksDomain that is not a host name and a certificate ARN at synthesis, naming the setting and the value', () => {
      const synth = (linksDomain: unknown) => () =>
        buildApp({ ...deploySettings, linksDomain: linksDomain as typeof deploySettings.linksDomain }, new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }));
      const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d';
      expect(synth('links.example.com')).toThrow('cdk.json context retention.linksDomain: "links.example.com" is not an object with a domainName and a certificateArn');
      for (const domainName of ['https://links.example.com', 'links', 'links.example.com/', undefined]) {
        expect(synth({ domainName, certificateArn })).toThrow(`cdk.json context retention.linksDomain.domainName: ${JSON.stringify(domainName)} is not a domain name`);
      }
      for (const arn of ['0a1b2c3d', 'arn:aws:iam::123456789012:server-certificate/links', 'arn:aws:acm:us-east-1:1234:certificate/0a1b', undefined]) {
        expect(synth({ domainName: 'links.example.com', certificateArn: arn })).toThrow(`cdk.json context retention.linksDomain.certificateArn: ${JSON.stringify(arn)} is not the ARN of an ACM certificate`);
      }
    });
  });

  describe('mail', () => {
    it('verifies the sending domain and sends through a configuration set with reputation metrics', () => {
      compute.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: deploySettings.mailDomain,
        ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.stringLikeRegexp('^ConfigurationSet') } },
      });
      compute.hasResourceProperties('AWS::SES::ConfigurationSet', {
        ReputationOptions: { ReputationMetricsEnabled: true },
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      });
    });

    it('sends bounce and complaint events through an encrypted, TLS-only topic to the handler that suppresses, with a dead-letter queue', () => {
      // The other topic is the alarms' (test/infra/monitoring.test.ts).
      const topics = Object.entries(compute.findResources('AWS::SNS::Topic')).filter(([id]) => id !== logicalIdOf(built.compute.monitoring.topic));
      expect(topics).toHaveLength(1);
      const [topicId, topic] = topics[0]!;
      expect(topic.Properties.KmsMasterKeyId).toBeDefined();
      compute.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        EventDestination: Match.objectLike({ MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: { Ref: topicId } } }),
      });
      compute.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) }),
      });
      compute.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: topicId }, Endpoint: { 'Fn::GetAtt': [logicalIdOf(built.compute.mailEvents), 'Arn'] } });
      compute.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(built.compute.mailEvents) },
        MaximumRetryAttempts: MAIL_EVENT_DELIVERY.retryAttempts, // the local runner retries with the same budget
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(built.compute.mailEventsDeadLetterQueue), 'Arn'] } } },
      });
    });

    it('names the configuration set and the dead-letter queues in outputs', () => {
      compute.hasOutput('ConfigurationSetName', { Value: { Ref: Match.stringLikeRegexp('^ConfigurationSet') } });
      compute.hasOutput('StreamDeadLetterQueueUrl', { Value: { Ref: logicalIdOf(built.compute.streamDeadLetterQueue) } });
      compute.hasOutput('ScheduleDeadLetterQueueUrl', { Value: { Ref: logicalIdOf(built.compute.scheduleDeadLetterQueue) } });
      compute.hasOutput('SendWorkDeadLetterQueueUrl', { Value: { Ref: logicalIdOf(built.compute.sendWorkDeadLetterQueue) } });
      compute.hasOutput('MailEventsDeadLetterQueueUrl', { Value: { Ref: logicalIdOf(built.compute.mailEventsDeadLetterQueue) } });
      compute.hasOutput('PauseMarketingDeadLetterQueueUrl', { Value: { Ref: logicalIdOf(built.compute.pauseMarketingDeadLetterQueue) } });
    });

    it('retries a failed pause of marketing twice, then parks the alarm\'s event', () => {
      compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(built.compute.pauseMarketing) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(built.compute.pauseMarketingDeadLetterQueue), 'Arn'] } } },
      });
    });
  });
});
