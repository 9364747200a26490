import { CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as apigateway from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition, type IDestination, type IEventSourceDlq, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { dispatchEveryMinutesOf, dueShardsOf, linksDomainOf, senderAddress, type DeploySettings } from '../functions/adapters/deploy-settings.js';
import { controlTable, customersTable, ledgerTable, messagesTable, tableDefinitions, type TableDefinition, type TableName } from '../functions/adapters/tables.js';
import { streamedRecordKeys } from '../functions/core/records.js';
import { functionTimeoutSeconds, PLANNER_RETRIES } from '../functions/core/function-timeouts.js';
import { Monitoring } from './monitoring.js';
import { RetentionFunction } from './retention-function.js';

export interface ComputeStackProps extends StackProps {
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly linkSecret: secretsmanager.ISecret;
  readonly settings: DeploySettings;
}

/** The ARN of one index of a table, its name checked against tables.ts. */
const indexArn = <D extends TableDefinition>(table: dynamodb.Table, _definition: D, indexName: D['indexes'][number]['indexName']) =>
  `${table.tableArn}/index/${indexName}`;

/** The stream filter (records.ts `streamedRecordKeys`, which the local runner applies too). */
const streamFilter = () => [...streamedRecordKeys.equal.flatMap((key) => FilterRule.isEqual(key)), ...streamedRecordKeys.prefixes.flatMap((prefix) => FilterRule.beginsWith(prefix))];

/** Lets a function call exactly these actions on exactly these resources. */
const allow = (fn: RetentionFunction, actions: string[], resources: string[]) => fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));

/**
 * Where Lambda parks what failed (a stream batch, an asynchronous event), granting the function's role
 * the one action Lambda uses, `sqs:SendMessage`. CDK's SqsDlq and SqsDestination also grant
 * GetQueueAttributes and GetQueueUrl, which nothing calls (test/infra/stacks.test.ts checks every grant is used).
 */
class SendOnlyQueue implements IEventSourceDlq, IDestination {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(_scope: unknown, fn: IFunction): { destination: string } {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    return { destination: this.queue.queueArn };
  }
}

/** A schedule's invocation of a function: may invoke that function as Scheduler calls it, unqualified (LambdaInvoke also grants `:*`, every version and alias). */
class InvokeFunction extends LambdaInvoke {
  constructor(
    private readonly target: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(target, props);
  }
  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.target.functionArn] }));
  }
}

/** A dead-letter queue: encrypted, TLS only, kept the longest SQS allows so operators have time to look. */
const deadLetterQueue = (scope: Construct, id: string) =>
  new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });

/**
 * The stateless stack: the functions, their schedules and stream mapping, the dead-letter queues and
 * the SES identity and configuration set. Each function may call only what its handler's adapters call
 * (functions/adapters/dynamo-*.ts), on the tables and indexes they call it on.
 */
export class ComputeStack extends Stack {
  readonly planner: RetentionFunction;
  readonly dispatchCoordinator: RetentionFunction;
  readonly dispatcher: RetentionFunction;
  /** The parts of each dispatcher run, for the senders; and where a part that fails three times is parked. */
  readonly sendWorkQueue: sqs.Queue;
  readonly sendWorkDeadLetterQueue: sqs.Queue;
  readonly customerStream: RetentionFunction;
  readonly links: RetentionFunction;
  readonly mailEvents: RetentionFunction;
  readonly mailEventsDeadLetterQueue: sqs.Queue;
  readonly pauseMarketing: RetentionFunction;
  readonly pauseMarketingDeadLetterQueue: sqs.Queue;
  readonly linksApi: apigateway.HttpApi;
  readonly streamDeadLetterQueue: sqs.Queue;
  readonly scheduleDeadLetterQueue: sqs.Queue;
  /** The role each schedule invokes its function with. */
  readonly scheduleRoles = new Map<RetentionFunction, iam.Role>();
  /** The alarms, their topic and the dashboard. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { tables, settings, linkSecret } = props;
    const { Customers: customers, Messages: messages, Ledger: ledger, Control: control, Suppressions: suppressions } = tables;

    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      // SES itself holds back addresses that bounced or complained, whatever our own suppression knows.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const sendingDomain = new ses.EmailIdentity(this, 'SendingDomain', { identity: ses.Identity.domain(settings.mailDomain), configurationSet });

    const dueShards = dueShardsOf(settings);
    const linksDomain = linksDomainOf(settings);
    const environment: Record<string, string> = {
      SENDER_ADDRESS: senderAddress(settings),
      // How many partitions waiting messages and floor checks are spread over (runtime.ts dueShardsFromEnv).
      DUE_SHARDS: String(dueShards),
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
    };
    for (const definition of tableDefinitions) environment[definition.envVar] = tables[definition.logicalName].tableName;

    // The handlers that read the runtime configuration (DynamoConfigStore.get) read it from the Control table.
    const readConfig = (fn: RetentionFunction) => allow(fn, ['dynamodb:GetItem'], [control.tableArn]);
    // Erasure (DynamoErasureStore): the receipts and pending second passes in Control, and the deletes of one
    // customer's items, found by key or by their partition and index: the customer stream erases, the dispatch coordinator makes the second pass.
    const allowErasure = (fn: RetentionFunction) => {
      allow(fn, ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], [control.tableArn]);
      allow(fn, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'], [customers.tableArn]); // GetItem: the profile (its address; registered again?)
      allow(fn, ['dynamodb:Query'], [indexArn(messages, messagesTable, 'byCustomer')]);
      allow(fn, ['dynamodb:BatchWriteItem'], [messages.tableArn]);
      allow(fn, ['dynamodb:DeleteItem'], [ledger.tableArn]);
      allow(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [suppressions.tableArn]); // strip the suppression to its hash
    };

    // One-click links (survey answers) land on this API; the dispatcher signs them for its URL.
    this.links = new RetentionFunction(this, 'Links', {
      handler: 'links',
      description: 'One-click links from e-mails: survey answers, unsubscribe, preferences',
      timeout: Duration.seconds(functionTimeoutSeconds.links),
      environment: { ...environment, LINK_SECRET_ARN: linkSecret.secretArn },
    });
    readConfig(this.links); // the brand its pages show
    allow(this.links, ['dynamodb:PutItem'], [customers.tableArn]); // a survey answer (conditionally), the customer's preferences
    allow(this.links, ['dynamodb:BatchGetItem'], [customers.tableArn]); // the preferences, to show them
    allow(this.links, ['secretsmanager:GetSecretValue'], [linkSecret.secretArn]); // the key that verifies links
    const accessLogs = new logs.LogGroup(this, 'LinksApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.linksApi = new apigateway.HttpApi(this, 'LinksApi', {
      description: 'One-click links in e-mails',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('LinksIntegration', this.links),
    });
    const stage = this.linksApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // Links are clicked by people; anything faster is a scanner or an attack.
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigateway.LogGroupLogDestination(accessLogs) },
    });
    // On the business's own host name when it has one (so links look like its own, and match the sender's
    // domain for spam filters). The API's execute-api address stays open: links already mailed keep working.
    let linksBaseUrl = stage.url;
    if (linksDomain) {
      const domainName = new apigateway.DomainName(this, 'LinksDomain', {
        domainName: linksDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'LinksCertificate', linksDomain.certificateArn),
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      });
      new apigateway.ApiMapping(this, 'LinksDomainMapping', { api: this.linksApi, domainName, stage });
      linksBaseUrl = `https://${linksDomain.domainName}/`;
      // The DNS record the business adds: a CNAME from its host name to this target (or an alias, with the zone).
      new CfnOutput(this, 'LinksDomainTarget', { value: domainName.regionalDomainName });
      new CfnOutput(this, 'LinksDomainHostedZoneId', { value: domainName.regionalHostedZoneId });
    }

    this.planner = new RetentionFunction(this, 'Planner', {
      handler: 'planner',
      description: 'Plans birthday greetings coming into view, then holds the contact floor',
      timeout: Duration.seconds(functionTimeoutSeconds.planner),
      environment,
    });
    // A run that failed, or stopped with dates left (its time nearly up), is run again: it goes on from the watermarks.
    this.planner.configureAsyncInvoke({ retryAttempts: PLANNER_RETRIES });
    readConfig(this.planner);
    allow(this.planner, ['dynamodb:UpdateItem'], [control.tableArn]); // watermarks
    allow(this.planner, ['dynamodb:Query'], [indexArn(customers, customersTable, 'byBirthday'), indexArn(customers, customersTable, 'byRenewal')]);
    allow(this.planner, ['dynamodb:BatchGetItem'], [customers.tableArn]);
    allow(this.planner, ['dynamodb:Query'], [customers.tableArn]); // a customer's complaints, when a survey of theirs waits (replan-customer.ts)
    allow(this.planner, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], [messages.tableArn]);
    allow(this.planner, ['dynamodb:GetItem'], [messages.tableArn]); // what holds a renewal reminder's id (plan-renewals.ts)
    allow(this.planner, ['dynamodb:Query'], [indexArn(messages, messagesTable, 'waitingByCustomer')]);
    allow(this.planner, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [ledger.tableArn]);
    allow(this.planner, ['dynamodb:Query'], [indexArn(ledger, ledgerTable, 'byFloorCheck')]);

    // A dispatcher run (docs/scale.md, "Senders"): on the schedule, the coordinator queues one part per
    // sender (the `byDue` shards dealt among them); the queue's event source gives each part to a sender (the Dispatcher function).
    this.sendWorkDeadLetterQueue = deadLetterQueue(this, 'SendWorkDeadLetterQueue');
    // Lambda's advice for an SQS event source: six times the function's timeout, so a part is not delivered again while its sender still runs.
    const partVisibilitySeconds = 6 * functionTimeoutSeconds.dispatcher;
    const partReceives = 3;
    this.sendWorkQueue = new sqs.Queue(this, 'SendWorkQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(partVisibilitySeconds),
      // A part is for its run, and later runs do its work; it is kept only long enough that one failing on every
      // receive is still there for the receive that parks it (SQS moves it on the one after the last allowed).
      retentionPeriod: Duration.seconds(partVisibilitySeconds * (partReceives + 1)),
      // A body that is not a part, or a sender that fails three times: parked for operators.
      deadLetterQueue: { queue: this.sendWorkDeadLetterQueue, maxReceiveCount: partReceives },
    });
    this.dispatchCoordinator = new RetentionFunction(this, 'DispatchCoordinator', {
      handler: 'dispatch-coordinator',
      description: 'Hands each dispatcher run to as many senders as the send rate needs, the shards of the due messages dealt among them',
      timeout: Duration.seconds(functionTimeoutSeconds.dispatchCoordinator),
      // DISPATCH_EVERY_MINUTES: a run's senders claim only until shortly before the next run (core/send-work.ts).
      environment: { ...environment, SEND_WORK_QUEUE_URL: this.sendWorkQueue.queueUrl, DISPATCH_EVERY_MINUTES: String(dispatchEveryMinutesOf(settings)) },
    });
    allow(this.dispatchCoordinator, ['sqs:SendMessage'], [this.sendWorkQueue.queueArn]); // SendMessageBatch is authorized as SendMessage
    readConfig(this.dispatchCoordinator); // sending.maxSendRate
    // The account's sending rate, which sets how many senders a run has; GetAccount has no resource-level permissions.
    allow(this.dispatchCoordinator, ['ses:GetAccount'], ['*']);
    allowErasure(this.dispatchCoordinator); // the erasures' second passes
    allow(this.dispatchCoordinator, ['dynamodb:Query'], [indexArn(control, controlTable, 'bySecondPass')]); // which of them are due

    this.dispatcher = new RetentionFunction(this, 'Dispatcher', {
      handler: 'dispatcher',
      description: 'A sender: sends the due messages of one part of a dispatcher run, each at most once',
      timeout: Duration.seconds(functionTimeoutSeconds.dispatcher),
      environment: { ...environment, LINKS_BASE_URL: linksBaseUrl, LINK_SECRET_ARN: linkSecret.secretArn },
    });
    this.dispatcher.addEventSourceMapping('SendWork', {
      eventSourceArn: this.sendWorkQueue.queueArn,
      batchSize: 1, // one part, one invocation: each sender paces its own share of the rate
      // As many senders at once as a run can have parts, one per shard (SQS's floor is 2): a late run's senders cannot pile onto the next.
      maxConcurrency: Math.max(2, dueShards),
    });
    // What Lambda's SQS event source does with the role (CDK's SqsEventSource would also grant GetQueueUrl and ChangeMessageVisibility, which nothing calls).
    allow(this.dispatcher, ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], [this.sendWorkQueue.queueArn]);
    readConfig(this.dispatcher);
    allow(this.dispatcher, ['secretsmanager:GetSecretValue'], [linkSecret.secretArn]); // the key that signs links
    allow(this.dispatcher, ['dynamodb:Query'], [customers.tableArn]); // a survey's customer's complaints
    allow(this.dispatcher, ['dynamodb:Query'], [indexArn(messages, messagesTable, 'byDue')]);
    allow(this.dispatcher, ['dynamodb:UpdateItem'], [messages.tableArn]); // claim, mark sent, release, finish
    // A message that ends unsent makes its customer's plan again: their waiting messages, and the floor's keep-in-touch.
    allow(this.dispatcher, ['dynamodb:PutItem'], [messages.tableArn]);
    allow(this.dispatcher, ['dynamodb:Query'], [indexArn(messages, messagesTable, 'waitingByCustomer')]);
    allow(this.dispatcher, ['dynamodb:BatchGetItem'], [customers.tableArn]);
    // The cap and the floor; a run's keep-in-touch and survey customers' ledgers, read at once.
    allow(this.dispatcher, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], [ledger.tableArn]);
    allow(this.dispatcher, ['ses:SendEmail'], [
      sendingDomain.emailIdentityArn,
      this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
    ]);
    // The account's sending rate, which the dispatcher paces its sends to; GetAccount has no resource-level permissions.
    allow(this.dispatcher, ['ses:GetAccount'], ['*']);

    // SES bounce and complaint events: configuration set → SNS (encrypted, TLS only) → MailEvents, which suppresses the address.
    const mailEventsKey = new kms.Key(this, 'MailEventsKey', { description: 'Encrypts SES bounce and complaint events (they carry addresses)', enableKeyRotation: true });
    mailEventsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        resources: ['*'], // in a key policy, `*` is this key
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const mailEventsTopic = new sns.Topic(this, 'MailEventsTopic', { masterKey: mailEventsKey, enforceSSL: true });
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(mailEventsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    this.mailEvents = new RetentionFunction(this, 'MailEvents', {
      handler: 'mail-events',
      description: 'Suppresses addresses SES reports as hard-bounced or complaining',
      timeout: Duration.seconds(functionTimeoutSeconds.mailEvents),
      environment,
    });
    allow(this.mailEvents, ['dynamodb:PutItem'], [suppressions.tableArn]);
    // Events that still fail after Lambda's own retries of an asynchronous invocation are kept here.
    this.mailEventsDeadLetterQueue = deadLetterQueue(this, 'MailEventsDeadLetterQueue');
    this.mailEvents.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SendOnlyQueue(this.mailEventsDeadLetterQueue) });
    mailEventsTopic.addSubscription(new LambdaSubscription(this.mailEvents));
    allow(this.dispatcher, ['dynamodb:BatchGetItem'], [suppressions.tableArn]); // is any recipient suppressed?
    allow(this.dispatcher, ['dynamodb:PutItem'], [suppressions.tableArn]); // an address the mail service refused for good
    allow(this.dispatcher, ['dynamodb:ConditionCheckItem'], [suppressions.tableArn]); // off the floor only while the address is still suppressed

    this.customerStream = new RetentionFunction(this, 'CustomerStream', {
      handler: 'customer-stream',
      description: 'Keeps indexes and plans in step with customer records; runs the feedback loop',
      timeout: Duration.seconds(functionTimeoutSeconds.customerStream),
      environment,
    });
    readConfig(this.customerStream);
    allow(this.customerStream, ['dynamodb:UpdateItem'], [customers.tableArn]); // the birthday index key
    allow(this.customerStream, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], [messages.tableArn]);
    allow(this.customerStream, ['dynamodb:GetItem'], [messages.tableArn]); // what holds a renewal reminder's id (contract-changed.ts)
    allow(this.customerStream, ['dynamodb:Query'], [indexArn(messages, messagesTable, 'waitingByCustomer')]);
    allow(this.customerStream, ['dynamodb:BatchGetItem'], [customers.tableArn]); // a record's customer
    allow(this.customerStream, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [ledger.tableArn]); // open the ledger, the floor check
    allowErasure(this.customerStream); // `erasure` records, and records of erased customers written again
    allow(this.customerStream, ['dynamodb:DeleteItem'], [customers.tableArn]); // a record of an erased customer, written again

    // Stream records that still fail after the retries are parked here with their batch details.
    this.streamDeadLetterQueue = deadLetterQueue(this, 'StreamDeadLetterQueue');
    this.customerStream.addEventSource(
      new DynamoEventSource(customers, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 3, // the local runner replays with the same budget (STREAM_DELIVERY)
        maxRecordAge: Duration.hours(24),
        onFailure: new SendOnlyQueue(this.streamDeadLetterQueue),
        // Only the business records the handler acts on: anything else in a customer's partition never invokes it.
        filters: [FilterCriteria.filter({ dynamodb: { Keys: { recordKey: { S: streamFilter() } } } })],
      }),
    );

    // Schedule invocations that still fail after Scheduler's retries land here.
    this.scheduleDeadLetterQueue = deadLetterQueue(this, 'ScheduleDeadLetterQueue');
    const invoke = (fn: RetentionFunction) => {
      // Only schedules of this account may assume it (the confused-deputy guard Scheduler documents).
      const role = new iam.Role(this, `${fn.node.id}ScheduleRole`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      });
      this.scheduleRoles.set(fn, role);
      return new InvokeFunction(fn, {
        role,
        // Handlers plan from the time the run was meant for, not from when it happened to start.
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.scheduleDeadLetterQueue,
      });
    };
    const plannerAt = settings.schedules.planner;
    new scheduler.Schedule(this, 'PlannerSchedule', {
      description: 'Daily planning: birthdays coming into view, then the contact floor',
      schedule: scheduler.ScheduleExpression.cron({ minute: String(plannerAt.minute), hour: String(plannerAt.hour), timeZone: TimeZone.of(plannerAt.timeZone) }),
      target: invoke(this.planner),
    });
    new scheduler.Schedule(this, 'DispatcherSchedule', {
      description: 'Sends what is due',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(dispatchEveryMinutesOf(settings))),
      target: invoke(this.dispatchCoordinator),
    });

    new CfnOutput(this, 'LinksBaseUrl', { value: linksBaseUrl });
    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSet.configurationSetName });
    new CfnOutput(this, 'StreamDeadLetterQueueUrl', { value: this.streamDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'MailEventsDeadLetterQueueUrl', { value: this.mailEventsDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'ScheduleDeadLetterQueueUrl', { value: this.scheduleDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'SendWorkDeadLetterQueueUrl', { value: this.sendWorkDeadLetterQueue.queueUrl });
    // The CNAME records that verify the sending domain and sign its mail (Easy DKIM): add them at the domain's DNS host.
    sendingDomain.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, { value: `${record.name} CNAME ${record.value}`, description: `DKIM record ${index + 1} of ${settings.mailDomain}: add it as a CNAME at the domain's DNS host` });
    });

    // The SES reputation alarms' action: pause marketing (sending.marketingPaused in the configuration).
    this.pauseMarketing = new RetentionFunction(this, 'PauseMarketing', {
      handler: 'pause-marketing',
      description: 'Pauses marketing when an SES reputation alarm goes off',
      timeout: Duration.seconds(functionTimeoutSeconds.pauseMarketing),
      environment,
    });
    allow(this.pauseMarketing, ['dynamodb:GetItem', 'dynamodb:PutItem'], [control.tableArn]); // read and write the configuration (conditionally)
    this.pauseMarketingDeadLetterQueue = deadLetterQueue(this, 'PauseMarketingDeadLetterQueue');
    this.pauseMarketing.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SendOnlyQueue(this.pauseMarketingDeadLetterQueue) });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmail: settings.alarmEmail,
      functions: { Planner: this.planner, DispatchCoordinator: this.dispatchCoordinator, Dispatcher: this.dispatcher, CustomerStream: this.customerStream, Links: this.links, MailEvents: this.mailEvents, PauseMarketing: this.pauseMarketing },
      deadLetterQueues: { Stream: this.streamDeadLetterQueue, MailEvents: this.mailEventsDeadLetterQueue, Schedule: this.scheduleDeadLetterQueue, SendWork: this.sendWorkDeadLetterQueue, PauseMarketing: this.pauseMarketingDeadLetterQueue },
      onReputationAlarm: this.pauseMarketing,
      dispatchEveryMinutes: dispatchEveryMinutesOf(settings),
    });
    new CfnOutput(this, 'PauseMarketingDeadLetterQueueUrl', { value: this.pauseMarketingDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
