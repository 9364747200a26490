import { addDays, instantAt, localDateOf } from '../core/calendar.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, CloudWatchAlarmEvent, DynamoDBBatchResponse, DynamoDBStreamEvent, SNSEvent, SNSEventRecord } from 'aws-lambda';
import type { LinkSigning } from '../core/links.js';
import { createLinksHandler } from '../handlers/links.js';
import { createMailEventsHandler, UnreadableMailEventError, type MailEventsOutcomes } from '../handlers/mail-events.js';
import { createPauseMarketingHandler } from '../handlers/pause-marketing.js';
import type { RetentionConfig } from '../core/config.js';
import { reachOf } from '../core/cadence.js';
import { importNdjson, withStoredProfileFacts } from '../core/jobs/import-records.js';
import type { BusinessRecord, NdjsonLine, NdjsonRejection, NdjsonWarning } from '../core/records.js';
import { isStreamedRecordKey } from '../core/records.js';
import { deployedDueShards, deploySettings, dueShardsOf, type DeploySettings } from '../adapters/deploy-settings.js';
import { documentClientFor, type HandlerRuntime } from '../adapters/runtime.js';
import { DynamoOutbox } from '../adapters/dynamo-outbox.js';
import { DynamoConfigStore } from '../adapters/dynamo-config.js';
import type { TableNames } from '../adapters/tables.js';
import { createPlannerHandler } from '../handlers/planner.js';
import { createCustomerStreamHandler } from '../handlers/customer-stream.js';
import { createDispatcherHandler } from '../handlers/dispatcher.js';
import { createDispatchCoordinatorHandler } from '../handlers/dispatch-coordinator.js';
import { addOutcomes, noOutcomes, type DispatchOutcome } from '../core/jobs/dispatch.js';
import { LocalSendWorkQueue, sqsEventOf } from './local-send-work.js';
import type { Outbox } from '../core/ports.js';
import { emptyStats, type DynamoStats } from './dynamo-stats.js';
import { PLANNER_RETRIES } from '../core/function-timeouts.js';
import { asInvocationOf } from './aws-calls.js';
import { lambdaContext } from './lambda-context.js';
import { createTables, dynamoDbClient, dynamoDbStreamsClient } from './local-stack.js';
import { localRuntime, quietLogger, StreamFailureLog } from './local-runtime.js';
import { buildReport, readAllMessages, type SimulationReport } from './report.js';
import { floorSubjectsOf, type FloorSubject } from './band-check.js';
import type { Message } from '../core/messages.js';
import { deliverStreamRecords, StreamPoller, type ParkedRecord } from './stream-poller.js';
import { sweepExpired } from './ttl-sweep.js';
import { emptySyntheticCounts, playResponseModelDay, RESPONSE_MODEL_SCHEDULE, type ResponseModelRun } from './synthetic-outcomes.js';
import { liftSectionOf } from './lift-report.js';

/**
 * The local runner: the deployed system's schedules and stream mappings, played on a virtual clock
 * against DynamoDB Local and the SES emulator, through the same handler factories Lambda runs.
 */

export type HandlerName = 'planner' | 'dispatchCoordinator' | 'dispatcher' | 'customerStream' | 'links' | 'mailEvents' | 'pauseMarketing';

/** The same batch size, retry budget and bisection the CDK stack gives the stream event source. */
export const STREAM_DELIVERY = { batchSize: 100, retryAttempts: 3, bisectBatchOnError: true } as const;

/** The retries the CDK stack gives the mail-events function's asynchronous invocations before it parks one. */
export const MAIL_EVENT_DELIVERY = { retryAttempts: 2 } as const;

const addMailEventOutcomes = (total: MailEventsOutcomes, outcomes: MailEventsOutcomes): void => {
  total.suppressed += outcomes.suppressed;
  total.ignored += outcomes.ignored;
  total.unreadable += outcomes.unreadable;
};

/** One SES notification as SNS hands it to a Lambda function. */
const snsRecordOf = (notification: unknown, messageId: string, at: Date): SNSEventRecord => ({
  EventSource: 'aws:sns',
  EventVersion: '1.0',
  EventSubscriptionArn: 'arn:aws:sns:local:000000000000:mail-events:local',
  Sns: {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:local:000000000000:mail-events',
    Subject: 'Amazon SES Email Event Notification',
    Message: typeof notification === 'string' ? notification : JSON.stringify(notification),
    Timestamp: at.toISOString(),
    SignatureVersion: '1',
    Signature: '',
    SigningCertUrl: '',
    UnsubscribeUrl: '',
    MessageAttributes: {},
  },
});

export class VirtualClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current);
  set(instant: Date): void {
    this.current = new Date(instant);
  }
}

export interface LocalSystemOptions {
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  /** Prefix of this system's table names, so several can share one DynamoDB Local. */
  readonly tablePrefix: string;
  readonly clock: VirtualClock;
  /** Where handlers get their configuration; by default the stored one, read through the same cache as in Lambda. */
  readonly config?: () => Promise<RetentionConfig>;
  /** How many times each stream batch is delivered (fault drill: Lambda may deliver a batch again). */
  readonly streamDeliveries?: number;
  /** How many times each part of a dispatcher run is delivered to a sender, all at once (fault drill: SQS delivers at least once). */
  readonly sendWorkDeliveries?: number;
  /** Wraps the dispatcher's outbox (fault injection). */
  readonly wrapOutbox?: (outbox: Outbox) => Outbox;
  /** Wraps the customer stream handler's outbox (fault injection: `failPlanningOf` in stream-faults.ts). */
  readonly wrapStreamOutbox?: (outbox: Outbox) => Outbox;
  /** Where one-click links point and their secret (by default the local link port and a secret of this process). */
  readonly links?: LinkSigning;
  /** Pace the dispatcher's sends in real time at the SES account's rate, as in Lambda (local-runtime.ts); off in simulations. */
  readonly pacing?: boolean;
  /** The deploy setting `dueShards` (deploy-settings.ts); by default cdk.json's. */
  readonly dueShards?: number;
}

/** One deployment's worth of handlers and streams on the local stack. */
export class LocalSystem {
  readonly stats: Record<HandlerName, DynamoStats> = { planner: emptyStats(), dispatchCoordinator: emptyStats(), dispatcher: emptyStats(), customerStream: emptyStats(), links: emptyStats(), mailEvents: emptyStats(), pauseMarketing: emptyStats() };
  readonly invocations: Record<HandlerName, number> = { planner: 0, dispatchCoordinator: 0, dispatcher: 0, customerStream: 0, links: 0, mailEvents: 0, pauseMarketing: 0 };
  readonly parked: ParkedRecord[] = [];
  /** SES notifications the mail-events function failed on every time: what its dead-letter queue would hold. */
  readonly mailEventsParked: { readonly snsMessageId: string; readonly attempts: number; readonly reason: string }[] = [];
  /** Parts of dispatcher runs whose sender failed (what the send-work dead-letter queue would hold). */
  readonly failedSendWork: { readonly body: string; readonly error: string }[] = [];
  private readonly streamFailures = new StreamFailureLog();
  readonly configStore: DynamoConfigStore;
  private readonly runtimes: Record<HandlerName, HandlerRuntime>;
  private readonly plannerHandler;
  private readonly dispatchCoordinatorHandler;
  private readonly sendWorkQueue = new LocalSendWorkQueue();
  private readonly dispatcherHandler;
  private readonly customerStreamHandler;
  private readonly linksHandler;
  private readonly mailEventsHandler;
  private readonly pauseMarketingHandler;
  private readonly documentClient;

  private constructor(
    readonly options: LocalSystemOptions,
    readonly tables: TableNames,
    private readonly customerStream: StreamPoller,
    private readonly outbox: DynamoOutbox,
    /** The deploy setting `dueShards` every function of this system runs with. */
    readonly dueShards: number,
  ) {
    this.documentClient = documentClientFor(dynamoDbClient(options.dynamodbEndpoint));
    this.configStore = new DynamoConfigStore(this.documentClient, tables.Control);
    const runtimeFor = (name: HandlerName) =>
      localRuntime(
        { dynamodbEndpoint: options.dynamodbEndpoint, sesEndpoint: options.sesEndpoint, tables },
        {
          functionName: name,
          clock: options.clock.now,
          // By default each function reads the stored configuration through its own client and cache, as in Lambda.
          config: options.config,
          stats: this.stats[name],
          logger: name === 'customerStream' ? this.streamFailures : quietLogger(),
          wrapOutbox: name === 'dispatcher' ? options.wrapOutbox : name === 'customerStream' ? options.wrapStreamOutbox : undefined,
          links: options.links,
          // The senders pace; the coordinator reads the same rate, to know how many senders a run needs.
          pacing: (name === 'dispatcher' || name === 'dispatchCoordinator') && options.pacing,
          dueShards: this.dueShards,
        },
      );
    this.runtimes = {
      planner: runtimeFor('planner'),
      dispatchCoordinator: runtimeFor('dispatchCoordinator'),
      dispatcher: runtimeFor('dispatcher'),
      customerStream: runtimeFor('customerStream'),
      links: runtimeFor('links'),
      mailEvents: runtimeFor('mailEvents'),
      pauseMarketing: runtimeFor('pauseMarketing'),
    };
    // Each handler runs as an invocation of its function: the AWS calls made inside are recorded as that function's (aws-calls.ts).
    this.plannerHandler = asInvocationOf('planner', createPlannerHandler(this.runtimes.planner));
    this.dispatchCoordinatorHandler = asInvocationOf(
      'dispatchCoordinator',
      createDispatchCoordinatorHandler(this.runtimes.dispatchCoordinator, () => this.sendWorkQueue, () => deploySettings.schedules.dispatcher.everyMinutes),
    );
    this.dispatcherHandler = asInvocationOf('dispatcher', createDispatcherHandler(this.runtimes.dispatcher));
    this.customerStreamHandler = asInvocationOf('customerStream', createCustomerStreamHandler(this.runtimes.customerStream));
    this.linksHandler = asInvocationOf('links', createLinksHandler(this.runtimes.links));
    this.mailEventsHandler = asInvocationOf('mailEvents', createMailEventsHandler(this.runtimes.mailEvents));
    this.pauseMarketingHandler = asInvocationOf('pauseMarketing', createPauseMarketingHandler(this.runtimes.pauseMarketing));
  }

  static async create(options: LocalSystemOptions): Promise<LocalSystem> {
    const dynamo = dynamoDbClient(options.dynamodbEndpoint);
    const tables = await createTables(dynamo, options.tablePrefix);
    const poller = await StreamPoller.forTable(dynamo, dynamoDbStreamsClient(options.dynamodbEndpoint), tables.Customers);
    const documentClient = documentClientFor(dynamo);
    const config = options.config ?? (() => new DynamoConfigStore(documentClient, tables.Control).get());
    const dueShards = options.dueShards ?? deployedDueShards;
    return new LocalSystem(options, tables, poller, new DynamoOutbox(documentClient, tables.Messages, config, dueShards), dueShards);
  }

  runtime(name: HandlerName): HandlerRuntime {
    return this.runtimes[name];
  }

  /** Imports NDJSON at the virtual now, through the same store the CLI's import uses. */
  async importText(text: string) {
    // A customer without marketingOptIn gets the configuration's default, resolved now and stored with them.
    const config = await (this.options.config ?? (() => this.configStore.get()))();
    const { customers, erasures } = this.runtimes.customerStream.stores();
    return importNdjson(customers, text, this.options.clock.now(), { defaultMarketingOptIn: config.consent.defaultMarketingOptIn, erasures });
  }

  /**
   * One scheduled planner run, as in AWS: invoked asynchronously, so a run that fails (or stops with
   * dates left, its time nearly up) is run again, PLANNER_RETRIES times at most, before the error is
   * given up on. `timeoutMs` (the function's own by default) is the time each run's Lambda context says it has.
   */
  async runPlanner(options: { readonly timeoutMs?: number } = {}) {
    for (let attempt = 0; ; attempt++) {
      this.invocations.planner++;
      try {
        return await this.plannerHandler({ scheduledTime: this.options.clock.now().toISOString() }, lambdaContext('planner', options.timeoutMs));
      } catch (error) {
        if (attempt >= PLANNER_RETRIES) throw error;
      }
    }
  }

  /**
   * One scheduled dispatcher run, as in AWS: the coordinator queues the run's parts, and the queue's event
   * source invokes a sender for each, all at once. Their outcomes, added up; `timeoutMs` (the function's
   * own by default) is the time each sender's Lambda context says it has.
   */
  async runDispatcher(timeoutMs?: number): Promise<Record<DispatchOutcome, number>> {
    this.invocations.dispatchCoordinator++;
    await this.dispatchCoordinatorHandler({ scheduledTime: this.options.clock.now().toISOString() }, lambdaContext('dispatchCoordinator'));
    const parts = this.sendWorkQueue.take();
    return this.deliverSendWork(Array.from({ length: this.options.sendWorkDeliveries ?? 1 }, () => parts).flat(), timeoutMs);
  }

  /**
   * Queued parts to their senders, one SQS message per invocation (the event source's batch size), all at
   * once. A sender that fails does not stop the others; its part is kept in `failedSendWork`, as SQS would
   * park it in the dead-letter queue after its retries (a part's retries after its run claim nothing).
   */
  async deliverSendWork(bodies: readonly string[], timeoutMs?: number): Promise<Record<DispatchOutcome, number>> {
    const results = await Promise.allSettled(
      bodies.map((body) => {
        this.invocations.dispatcher++;
        return this.dispatcherHandler(sqsEventOf(body, `local-${this.invocations.dispatcher}`), lambdaContext('dispatcher', timeoutMs)) as Promise<Record<DispatchOutcome, number>>;
      }),
    );
    const totals = noOutcomes();
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') addOutcomes(totals, result.value);
      else this.failedSendWork.push({ body: bodies[index]!, error: (result.reason as Error).message });
    });
    return totals;
  }

  /** The one-click link endpoint, as API Gateway would call it; serve it with `serveLinks`. */
  readonly handleLink = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    this.invocations.links++;
    return this.linksHandler(event, lambdaContext('links')) as Promise<APIGatewayProxyStructuredResultV2>;
  };

  /**
   * SES events (bounces, complaints) as SNS delivers them to their handler in AWS: each notification an
   * invocation of its own, which Lambda tries again `MAIL_EVENT_DELIVERY.retryAttempts` times when it
   * fails and then parks (`mailEventsParked`, the dead-letter queue's stand-in). What the invocations did, summed.
   */
  async deliverMailEvents(notifications: readonly unknown[]): Promise<MailEventsOutcomes> {
    const total: MailEventsOutcomes = { suppressed: 0, ignored: 0, unreadable: 0 };
    for (const notification of notifications) {
      const event: SNSEvent = { Records: [snsRecordOf(notification, `local-${this.invocations.mailEvents + 1}`, this.options.clock.now())] };
      for (let attempt = 1; ; attempt++) {
        this.invocations.mailEvents++;
        try {
          const outcomes = (await this.mailEventsHandler(event, lambdaContext('mailEvents'))) as MailEventsOutcomes;
          addMailEventOutcomes(total, outcomes);
          break;
        } catch (error) {
          if (attempt <= MAIL_EVENT_DELIVERY.retryAttempts) continue;
          if (error instanceof UnreadableMailEventError) addMailEventOutcomes(total, error.outcomes);
          this.mailEventsParked.push({ snsMessageId: event.Records[0]!.Sns.MessageId, attempts: attempt, reason: (error as Error).message });
          break;
        }
      }
    }
    return total;
  }

  /**
   * An SES reputation alarm changing state, as CloudWatch invokes its Lambda action (the compute stack's
   * SesBounceRate and SesComplaintRate alarms): going into ALARM pauses marketing.
   */
  async reputationAlarm(metric: 'BounceRate' | 'ComplaintRate', rate: number, state: 'ALARM' | 'OK' = 'ALARM') {
    this.invocations.pauseMarketing++;
    const now = this.options.clock.now().toISOString();
    const alarmName = `RetentionCompute-MonitoringSes${metric}Alarm-LOCAL`;
    const stateOf = (value: string, reason: string) => ({ value, reason, timestamp: now });
    const event: CloudWatchAlarmEvent = {
      source: 'aws.cloudwatch',
      alarmArn: `arn:aws:cloudwatch:local:000000000000:alarm:${alarmName}`,
      accountId: '000000000000',
      time: now,
      region: 'local',
      alarmData: {
        alarmName,
        state: stateOf(state, `Threshold Crossed: 1 datapoint [${rate}] was ${state === 'ALARM' ? 'greater than or equal to' : 'less than'} the threshold.`),
        previousState: stateOf(state === 'ALARM' ? 'OK' : 'ALARM', 'the state before'),
        configuration: {
          metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/SES', name: `Reputation.${metric}` }, period: 3600, stat: 'Maximum' }, returnData: true }],
        },
      },
    };
    return this.pauseMarketingHandler(event, lambdaContext('pauseMarketing'));
  }

  /** Skips what is already on the stream (records seeded for a benchmark, not changes of the day). */
  async skipStreamBacklog(): Promise<void> {
    await this.customerStream.skipBacklog();
  }

  /** Hands every new stream record to its handler, as Lambda's event source mapping would. */
  async drainStreams(): Promise<void> {
    for (;;) {
      const polled = await this.customerStream.poll();
      if (polled.length === 0) return;
      // What Lambda's filter lets through (the event source mapping's FilterCriteria): nothing else reaches the handler.
      const records = polled.filter((record) => isStreamedRecordKey(record.dynamodb?.Keys?.recordKey?.S ?? ''));
      if (records.length === 0) continue;
      const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
        this.invocations.customerStream++;
        return this.customerStreamHandler(event, lambdaContext('customerStream'));
      };
      const reasonOf = (sequenceNumber: string) => this.streamFailures.reasons.get(sequenceNumber);
      for (let delivery = 0; delivery < (this.options.streamDeliveries ?? 1); delivery++) {
        this.parked.push(...(await deliverStreamRecords(records, handler, { ...STREAM_DELIVERY, reasonOf })));
      }
    }
  }

  /** When the dispatcher next has work: the earliest `sendAfter` of a waiting message. */
  async nextSendAfter(): Promise<Date | undefined> {
    return this.outbox.nextSendAfter();
  }

  /**
   * DynamoDB's time to live on this system's clock (ttl-sweep.ts): deletes every item whose expiry
   * has passed at `now`, as DynamoDB would some time after, and returns the messages it deleted.
   */
  async sweepExpired(now: Date = this.options.clock.now()): Promise<Message[]> {
    const swept = await sweepExpired(this.documentClient, this.tables, now);
    return (swept.Messages ?? []) as unknown as Message[];
  }
}

/** The next instant at or after `from` when a daily schedule fires. */
export const nextDailyFire = (from: Date, schedule: DeploySettings['schedules']['planner']): Date => {
  const time = `${String(schedule.hour).padStart(2, '0')}:${String(schedule.minute).padStart(2, '0')}`;
  const today = localDateOf(from, schedule.timeZone);
  const fire = instantAt(today, time, schedule.timeZone);
  return fire >= from ? fire : instantAt(addDays(today, 1), time, schedule.timeZone);
};

/** The first tick of an every-N-minutes schedule at or after `from`. */
export const nextRateFire = (from: Date, everyMinutes: number): Date => {
  const period = everyMinutes * 60_000;
  return new Date(Math.ceil(from.getTime() / period) * period);
};

export interface SimulationOptions {
  readonly data: string;
  readonly start: Date;
  readonly days: number;
  readonly config: RetentionConfig;
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  readonly tablePrefix: string;
  readonly settings?: DeploySettings;
  /** Called once a simulated day. */
  readonly onDay?: (day: number, of: number) => void;
  /** Where one-click links point and their secret. */
  readonly links?: LinkSigning;
  /**
   * A synthetic response model and its seed: once a simulated day the outcomes it decides (renewals,
   * purchases, complaints) are written like a business system's records (synthetic-outcomes.ts).
   */
  readonly responseModel?: ResponseModelRun;
  /** Writes what the tables are to hold before the records are imported (preview: what the stack holds of the customer). */
  readonly seed?: (system: LocalSystem) => Promise<void>;
  /** What ops do by hand during the window (a command run against the stack), each at its instant, the streams drained after. */
  readonly operations?: readonly SimulatedOperation[];
}

export interface SimulatedOperation {
  readonly at: Date;
  readonly run: (system: LocalSystem, now: Date) => Promise<void>;
}

export interface SimulationResult {
  readonly report: SimulationReport;
  /** Customers the floor applies to (`floorSubjectsOf`): consenting, unchanged by timed records; from the start, or from when they joined. */
  readonly floorSubjects: readonly FloorSubject[];
  /** Customers imported at the start. */
  readonly customers: number;
  /** Messages still waiting when the window closed (planned or deferred), with their slots and reasons. */
  readonly waiting: readonly Message[];
  readonly imported: number;
  readonly rejected: readonly NdjsonRejection[];
  /** Lines imported with a warning (a locale without templates, a record given again by a later line). */
  readonly warnings: readonly NdjsonWarning[];
  readonly stats: Record<HandlerName, DynamoStats>;
  readonly invocations: Record<HandlerName, number>;
  readonly parked: readonly ParkedRecord[];
  /**
   * Ended messages that time to live deleted during the window (`retention.messagesDays` after they
   * ended): gone from the tables, as in AWS, and still in the report.
   */
  readonly messagesDeleted: number;
  readonly tables: TableNames;
  /** The system's link endpoint, still answering (on the clock where the simulation ended). */
  readonly handleLink: LocalSystem['handleLink'];
}

/**
 * Imports the records without `at` at the start, then moves the clock from event to event: a timed
 * record's `at`, a planner run at its daily time, a dispatcher tick when something can be due.
 * Dispatcher ticks with nothing due would change nothing, so they are skipped, not shortened.
 */
export const simulate = async (options: SimulationOptions): Promise<SimulationResult> => {
  const settings = options.settings ?? deploySettings;
  const end = new Date(options.start.getTime() + options.days * 86_400_000);
  const clock = new VirtualClock(options.start);
  const { dynamodbEndpoint, sesEndpoint, tablePrefix, links } = options;
  const system = await LocalSystem.create({ dynamodbEndpoint, sesEndpoint, tablePrefix, clock, links, dueShards: dueShardsOf(settings) });
  // As ops would: the configuration is stored, and handlers read it from there.
  await system.configStore.put(options.config, clock.now());
  // The simulation's own new tables hold no floor check set under another band: the planner has nothing to catch up with.
  await system.configStore.settleFloorReach(reachOf(options.config.cadence), (await system.configStore.floorReach())?.revision);
  await options.seed?.(system);

  const imported = await system.importText(options.data);
  await system.drainStreams();
  // Time to live on the virtual clock: a message ended at the start at the earliest, so none expires
  // before `messagesDays` later; from then on, once a simulated day (ttl-sweep.ts).
  const firstExpiry = options.start.getTime() + options.config.retention.messagesDays * 86_400_000;
  const deleted: Message[] = [];
  const timed: NdjsonLine[] = [...imported.timed].sort((a, b) => a.at!.getTime() - b.at!.getTime());
  let nextTimed = 0;
  const operations = [...(options.operations ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  let nextOperation = 0;
  let nextPlanner = nextDailyFire(options.start, settings.schedules.planner);
  // The runner's own reads (the report, the response model's view of the tables), not a handler's.
  const documentClient = documentClientFor(dynamoDbClient(dynamodbEndpoint));
  const responseModel = options.responseModel;
  const synthetic = emptySyntheticCounts();
  // The model's records go in as a business system's writes do: into the Customers table, then through the stream.
  const syntheticIo = { client: documentClient, tables: system.tables, write: (records: readonly BusinessRecord[]) => system.runtime('customerStream').stores().customers.putRecords(records) };
  let nextResponse = responseModel ? nextDailyFire(options.start, RESPONSE_MODEL_SCHEDULE) : undefined;
  let lastDay = -1;

  for (;;) {
    const sendAfter = await system.nextSendAfter();
    const nextDispatch = sendAfter ? nextRateFire(sendAfter < clock.now() ? clock.now() : sendAfter, settings.schedules.dispatcher.everyMinutes) : undefined;
    const candidates = [nextPlanner, timed[nextTimed]?.at, operations[nextOperation]?.at, nextResponse, nextDispatch].filter((t): t is Date => t !== undefined);
    const now = new Date(Math.min(...candidates.map((t) => t.getTime())));
    if (now >= end) break;
    clock.set(now);

    const day = Math.floor((now.getTime() - options.start.getTime()) / 86_400_000);
    if (day !== lastDay) options.onDay?.((lastDay = day), options.days);

    const dueRecords: NdjsonLine[] = [];
    while (timed[nextTimed] && timed[nextTimed]!.at!.getTime() <= now.getTime()) dueRecords.push(timed[nextTimed++]!);
    if (dueRecords.length > 0) {
      const { customers } = system.runtime('customerStream').stores();
      await customers.putRecords((await withStoredProfileFacts(customers, dueRecords)).map((line) => line.record));
      await system.drainStreams();
    }
    while (operations[nextOperation] && operations[nextOperation]!.at.getTime() <= now.getTime()) {
      await operations[nextOperation++]!.run(system, now);
      await system.drainStreams();
    }
    if (now.getTime() === nextPlanner.getTime()) {
      if (now.getTime() >= firstExpiry) deleted.push(...(await system.sweepExpired()));
      await system.runPlanner();
      await system.drainStreams();
      nextPlanner = nextDailyFire(new Date(now.getTime() + 60_000), settings.schedules.planner);
    }
    if (responseModel && now.getTime() === nextResponse?.getTime()) {
      if ((await playResponseModelDay(responseModel, now, syntheticIo, synthetic)) > 0) await system.drainStreams();
      nextResponse = nextDailyFire(new Date(now.getTime() + 60_000), RESPONSE_MODEL_SCHEDULE);
    }
    if (nextDispatch && now.getTime() === nextDispatch.getTime()) {
      await system.runDispatcher();
      await system.drainStreams();
      // A dispatcher that left something due now would spin: its next tick is the next period.
      const stillDue = await system.nextSendAfter();
      if (stillDue && stillDue <= now) clock.set(new Date(now.getTime() + 1));
    }
  }

  if (end.getTime() >= firstExpiry) deleted.push(...(await system.sweepExpired(end)));
  // The tables hold what AWS would; the report lists every message that ended in the window, those
  // deleted on the way included (kept as they were swept), so its figures and the band check are whole.
  const messages = [...deleted, ...(await readAllMessages(documentClient, system.tables.Messages))];
  const report: SimulationReport = {
    ...buildReport({ start: options.start, end, config: options.config, messages, rejected: imported.rejected, warnings: imported.warnings }),
    lift: await liftSectionOf(documentClient, system.tables.Customers, options.config, { start: options.start, end }),
    ...(responseModel ? { responseModel: { synthetic: true, description: responseModel.model.description, seed: responseModel.seed, file: responseModel.file ?? null, wrote: synthetic } } : {}),
  };
  return {
    floorSubjects: floorSubjectsOf([...imported.records, ...timed]),
    customers: imported.records.filter((line) => line.record.type === 'customer').length,
    waiting: messages.filter((message) => message.state === 'planned' || message.state === 'deferred'),
    report,
    imported: imported.imported,
    rejected: imported.rejected,
    warnings: imported.warnings,
    stats: system.stats,
    invocations: system.invocations,
    parked: system.parked,
    messagesDeleted: deleted.length,
    tables: system.tables,
    handleLink: system.handleLink,
  };
};
