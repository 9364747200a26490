import { CfnOutput, Duration, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { senderAddress, type DeploySettings } from '../functions/adapters/deploy-settings.js';
import { customersTable, ledgerTable, messagesTable, tableDefinitions, type TableName } from '../functions/adapters/tables.js';
import { PROFILE_RECORD_KEY } from '../functions/core/records.js';
import { RetentionFunction } from './retention-function.js';

export interface ComputeStackProps extends StackProps {
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly settings: DeploySettings;
}

/** Lets a function call exactly these DynamoDB actions on exactly these resources. */
const allow = (fn: RetentionFunction, actions: string[], resources: string[]) => fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));

/**
 * The stateless stack: the functions, their schedules and stream mapping, the dead-letter queues
 * and the SES configuration set. Each function may do only what its handler does.
 */
export class ComputeStack extends Stack {
  readonly planner: RetentionFunction;
  readonly dispatcher: RetentionFunction;
  readonly customerStream: RetentionFunction;
  readonly streamDeadLetterQueue: sqs.Queue;
  readonly scheduleDeadLetterQueue: sqs.Queue;
  /** The role each schedule invokes its function with. */
  readonly scheduleRoles = new Map<RetentionFunction, iam.Role>();

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { tables, settings } = props;
    const { Customers: customers, Messages: messages, Ledger: ledger, Control: control } = tables;
    const indexArn = (table: dynamodb.Table, indexName: string) => `${table.tableArn}/index/${indexName}`;

    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true, sendingEnabled: true });
    const identity = new ses.EmailIdentity(this, 'SendingDomain', { identity: ses.Identity.domain(settings.mailDomain) });

    const environment: Record<string, string> = {
      SENDER_ADDRESS: senderAddress(settings),
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
    };
    for (const definition of tableDefinitions) environment[definition.envVar] = tables[definition.logicalName].tableName;

    this.planner = new RetentionFunction(this, 'Planner', { handler: 'planner', description: 'Plans birthday greetings coming into view, then holds the contact floor', timeout: Duration.minutes(5), environment });
    allow(this.planner, ['dynamodb:Query'], [indexArn(customers, customersTable.indexes[0].indexName)]);
    allow(this.planner, ['dynamodb:BatchGetItem'], [customers.tableArn]);
    allow(this.planner, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], [messages.tableArn]);
    allow(this.planner, ['dynamodb:Query'], [indexArn(messages, messagesTable.indexes[1].indexName), indexArn(ledger, ledgerTable.indexes[0].indexName)]);
    allow(this.planner, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [ledger.tableArn, control.tableArn]);

    this.dispatcher = new RetentionFunction(this, 'Dispatcher', { handler: 'dispatcher', description: 'Sends due messages, each at most once', timeout: Duration.minutes(5), environment });
    allow(this.dispatcher, ['dynamodb:Query'], [indexArn(messages, messagesTable.indexes[0].indexName)]);
    allow(this.dispatcher, ['dynamodb:UpdateItem'], [messages.tableArn]);
    allow(this.dispatcher, ['dynamodb:BatchGetItem'], [customers.tableArn]);
    allow(this.dispatcher, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [ledger.tableArn]);
    allow(this.dispatcher, ['dynamodb:GetItem'], [control.tableArn]); // the runtime configuration
    this.dispatcher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [identity.emailIdentityArn, this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName })],
      }),
    );

    this.customerStream = new RetentionFunction(this, 'CustomerStream', { handler: 'customer-stream', description: 'Keeps birthday indexing and plans in step with customer profiles', environment });
    allow(this.customerStream, ['dynamodb:UpdateItem'], [customers.tableArn]);
    allow(this.customerStream, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], [messages.tableArn]);
    allow(this.customerStream, ['dynamodb:Query'], [indexArn(messages, messagesTable.indexes[1].indexName)]);
    allow(this.customerStream, ['dynamodb:PutItem', 'dynamodb:GetItem'], [ledger.tableArn]);
    allow(this.customerStream, ['dynamodb:GetItem'], [control.tableArn]); // the runtime configuration

    // Stream records that still fail after the retries are parked here with their batch details.
    this.streamDeadLetterQueue = new sqs.Queue(this, 'StreamDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.customerStream.addEventSource(
      new DynamoEventSource(customers, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 3, // the local runner uses the same budget (STREAM_DELIVERY)
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.streamDeadLetterQueue),
        filters: [FilterCriteria.filter({ dynamodb: { Keys: { recordKey: { S: FilterRule.isEqual(PROFILE_RECORD_KEY) } } } })],
      }),
    );

    // Schedule invocations that fail after Scheduler's retries land here.
    this.scheduleDeadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    const target = (fn: RetentionFunction) => {
      const role = new iam.Role(this, `${fn.node.id}ScheduleRole`, { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
      this.scheduleRoles.set(fn, role);
      return new LambdaInvoke(fn, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.scheduleDeadLetterQueue,
      });
    };
    const plannerSchedule = settings.schedules.planner;
    new scheduler.Schedule(this, 'PlannerSchedule', {
      description: 'Daily birthday planning',
      schedule: scheduler.ScheduleExpression.cron({ minute: String(plannerSchedule.minute), hour: String(plannerSchedule.hour), timeZone: TimeZone.of(plannerSchedule.timeZone) }),
      target: target(this.planner),
    });
    new scheduler.Schedule(this, 'DispatcherSchedule', {
      description: 'Sends what is due',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(settings.schedules.dispatcher.everyMinutes)),
      target: target(this.dispatcher),
    });

    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSet.configurationSetName });
    new CfnOutput(this, 'StreamDeadLetterQueueUrl', { value: this.streamDeadLetterQueue.queueUrl });
  }
}
