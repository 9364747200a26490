import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaAction, SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/adapters/runtime.js';
import { METRICS } from '../functions/handlers/metrics.js';
import { SERVICE_NAME, type RetentionFunction } from './retention-function.js';

// The namespace the handlers' embedded-metric-format lines publish to: theirs, not a copy.
export { METRICS_NAMESPACE };

/** `MessagesSuppressed`: the share of an hour's suppressed and sent messages that were suppressed, over this many at least. */
export const SUPPRESSED_ALARM_SHARE = 0.5;
export const SUPPRESSED_ALARM_MIN_MESSAGES = 20;

/**
 * Dimensions Powertools Metrics adds to every metric it emits: `service`, from POWERTOOLS_SERVICE_NAME
 * (set on every function by RetentionFunction). A metric emitted "without dimensions" is therefore
 * the metric with only these.
 */
export const defaultDimensions: Readonly<Record<string, string>> = { service: SERVICE_NAME };

/**
 * What the handlers emit: each metric's dimension sets, beyond the default dimensions, as the handlers
 * list them (functions/handlers/metrics.ts, the one table both sides read). CloudWatch tells metrics
 * apart by their exact set of dimensions, so an alarm or a graph must name one of these exactly;
 * `retentionMetric` refuses anything else at synthesis.
 */
export const emittedMetrics = METRICS;

export type RetentionMetricName = keyof typeof emittedMetrics;

const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((key) => b.includes(key));

/** One of our metrics with these dimension values (beyond the defaults); throws unless the handlers emit that dimension set. */
export const retentionMetric = (
  metricName: RetentionMetricName,
  dimensions: Record<string, string> = {},
  options: { statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric => {
  const sets: readonly (readonly string[])[] = emittedMetrics[metricName];
  if (!sets.some((set) => sameKeys(set, Object.keys(dimensions)))) {
    throw new Error(`${metricName} is not emitted with the dimensions {${Object.keys(dimensions).join(', ')}} (infra/monitoring.ts emittedMetrics)`);
  }
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { ...defaultDimensions, ...dimensions },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    label: options.label,
  });
};

/**
 * Every series of a metric over one of its dimension sets (one line per campaign, outcome, action): for graphs
 * only. Each line is labelled with its dimension values (CloudWatch's dynamic labels), after `prefix`.
 */
export const retentionSearch = (metricName: RetentionMetricName, dimensionKeys: readonly string[], prefix = '', period = Duration.minutes(5)) => {
  const sets: readonly (readonly string[])[] = emittedMetrics[metricName];
  if (!sets.some((set) => sameKeys(set, dimensionKeys))) throw new Error(`${metricName} is not emitted with the dimensions {${dimensionKeys.join(', ')}}`);
  const schema = [METRICS_NAMESPACE, ...Object.keys(defaultDimensions), ...dimensionKeys].join(',');
  const fixed = Object.entries(defaultDimensions).map(([key, value]) => ` ${key}="${value}"`).join('');
  return new cloudwatch.SearchExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"${fixed}', 'Sum', ${period.toSeconds()})`,
    label: `${prefix}${dimensionKeys.map((key) => `\${PROP('Dim.${key}')}`).join(' ')}`,
    period,
  });
};

/** SES's account-level reputation (the configuration set has reputation metrics on). */
export const sesReputationMetric = (metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate') =>
  new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: cloudwatch.Stats.MAXIMUM, period: Duration.hours(1) });

/** SES's thresholds: above these SES reviews, then pauses, the account. */
export const SES_BOUNCE_RATE_ALARM = 0.05;
export const SES_COMPLAINT_RATE_ALARM = 0.001;
/** The planner runs daily: silent this long means a run was missed. */
export const PLANNER_SILENCE_HOURS = 26;

export interface MonitoringProps {
  readonly alarmEmail: string;
  readonly functions: Record<string, RetentionFunction>;
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  /** Also invoked when an SES reputation alarm goes off: it pauses marketing. */
  readonly onReputationAlarm: IFunction;
  /** How often the dispatcher's schedule runs it (cdk.json `schedules.dispatcher.everyMinutes`). */
  readonly dispatchEveryMinutes: number;
}

/**
 * No dispatcher run for this long means runs are missing: three 5-minute periods, or, for runs further
 * apart, two periods beyond the gap between two runs (the periods between runs are empty by design).
 */
export const dispatcherSilenceMinutes = (everyMinutes: number): number => 5 * Math.max(3, Math.ceil(everyMinutes / 5) + 2);

/**
 * The alarms, the topic that mails them to `alarmEmail`, and a dashboard of the same figures.
 * Alarms on something that stays wrong until somebody acts (a dead letter waiting, the planner
 * silent, SES reputation) also mail when they clear; alarms on events (an error, a failed message)
 * mail once, when they fire, and clear by themselves.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by a readable name. */
  readonly alarms = new Map<string, cloudwatch.Alarm>();

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudWatch publishes to an encrypted topic only with the key's permission: an AWS-managed key cannot grant it.
    const key = new kms.Key(this, 'AlarmsKey', { description: 'Encrypts alarm notifications', enableKeyRotation: true });
    const fromCloudWatch = { StringEquals: { 'aws:SourceAccount': stack.account } };
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'], // in a key policy, `*` is this key
        conditions: fromCloudWatch,
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Retention alarms', masterKey: key, enforceSSL: true });
    // The TLS-only topic policy replaces SNS's default one: let this account's alarms publish.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: [this.topic.topicArn],
        conditions: fromCloudWatch,
      }),
    );
    this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (name: string, metric: cloudwatch.IMetric, options: Omit<cloudwatch.AlarmProps, 'metric'> & { notifyOk?: boolean }) => {
      const { notifyOk, ...alarmProps } = options;
      const created = new cloudwatch.Alarm(this, `${name}Alarm`, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...alarmProps, metric });
      created.addAlarmAction(action);
      if (notifyOk) created.addOkAction(action);
      this.alarms.set(name, created);
      return created;
    };
    const atLeastOnce = { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(`${name}NotEmpty`, queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) }), {
        ...atLeastOnce,
        notifyOk: true,
        alarmDescription: `The ${name} dead-letter queue holds messages: something failed for good. Look at them, mend the cause, then redrive or delete them.`,
      });
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }), {
        ...atLeastOnce,
        alarmDescription: `The ${name} function failed (an error or a timeout): see its log group.`,
      });
      alarm(`${name}Throttles`, fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }), {
        ...atLeastOnce,
        alarmDescription: `The ${name} function was throttled: the account's Lambda concurrency is exhausted.`,
      });
    }
    alarm('MessagesFailed', retentionMetric('Messages', { outcome: 'failed' }), {
      ...atLeastOnce,
      alarmDescription: 'A message failed with an unknown outcome (a bug, or a write that failed): it stays claimed, and when its lease runs out it is claimed again, or recorded as sent, unconfirmed, if it may have reached SES. See the dispatcher log.',
    });
    alarm('MessagesUnconfirmed', retentionMetric('Messages', { outcome: 'unconfirmed' }), {
      ...atLeastOnce,
      alarmDescription: 'A message ended unconfirmed: SES may or may not have sent it; it is not retried.',
    });
    // Suppressed messages are normal one by one (a customer without consent, a bounced address); half of an
    // hour's messages suppressed is a fault at scale: consent or addresses lost by an import or a sync.
    const hourly = { period: Duration.hours(1) };
    alarm(
      'MessagesSuppressed',
      new cloudwatch.MathExpression({
        expression: `IF(FILL(suppressed, 0) + FILL(sent, 0) >= ${SUPPRESSED_ALARM_MIN_MESSAGES}, FILL(suppressed, 0) / (FILL(suppressed, 0) + FILL(sent, 0)), 0)`,
        usingMetrics: { suppressed: retentionMetric('Messages', { outcome: 'suppressed' }, hourly), sent: retentionMetric('Messages', { outcome: 'sent' }, hourly) },
        period: Duration.hours(1),
        label: 'share of the hour\'s messages suppressed',
      }),
      {
        threshold: SUPPRESSED_ALARM_SHARE,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription: `Of an hour's messages sent or suppressed (at least ${SUPPRESSED_ALARM_MIN_MESSAGES}), half or more were suppressed at send time: consent or addresses lost at scale (an import or sync writing marketingOptIn false, a wave of bounces). See the reasons in the dispatcher log and explain a customer.`,
      },
    );
    // A business system writing records straight into the table that do not validate: each is skipped, nothing planned for it.
    alarm('StreamRecordsSkipped', retentionMetric('StreamRecordsSkipped'), {
      ...atLeastOnce,
      alarmDescription: 'A record written to the Customers table failed validation and was skipped: nothing is planned for it until it is written again, mended. The customer-stream log names its key, field and value.',
    });
    alarm('DispatchStepsFailed', retentionMetric('DispatchStepsFailed'), {
      ...atLeastOnce,
      alarmDescription: 'A step after a message was settled failed (its cap given back, its address suppressed, the customer taken off the floor or their plan made again): the message stands as recorded, the step is not retried. See the dispatcher log.',
    });
    alarm('AccountFaults', retentionMetric('AccountFaults'), {
      ...atLeastOnce,
      alarmDescription: 'The sending account refused a message; messages are held until it is mended (SES sandbox, paused sending, identity).',
    });
    // Each hour without a run breaches (missing data too): all of the last 26 hours breaching means no run for 26 hours.
    alarm('PlannerSilent', retentionMetric('PlannerRuns', {}, { period: Duration.hours(1) }), {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: PLANNER_SILENCE_HOURS,
      datapointsToAlarm: PLANNER_SILENCE_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      notifyOk: true,
      alarmDescription: `The planner has not run for ${PLANNER_SILENCE_HOURS} hours: check its schedule, the schedule dead-letter queue and its errors.`,
    });
    // Every dispatcher run writes its outcomes, zeros too: a silence longer than the gap between runs means no run sends
    // anything (its schedule or the send-work queue's event source disabled, the coordinator failing, parts not taken).
    // Only a dispatcher writes `sent`: the other handlers write `Messages` only for what they ended (expired, cancelled).
    const silence = dispatcherSilenceMinutes(props.dispatchEveryMinutes);
    alarm('DispatcherSilent', retentionMetric('Messages', { outcome: 'sent' }, { statistic: cloudwatch.Stats.SAMPLE_COUNT, period: Duration.minutes(5) }), {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: silence / 5,
      datapointsToAlarm: silence / 5,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      notifyOk: true,
      alarmDescription: `No dispatcher run for ${silence} minutes: nothing is sent. Check the dispatcher schedule, the dispatch coordinator, the send-work queue and its event source.`,
    });
    // The customer stream an hour behind: changes are planned late, and records older than a day are discarded by Lambda.
    const customerStream = props.functions.CustomerStream;
    if (customerStream) {
      alarm('CustomerStreamBehind', customerStream.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) }), {
        threshold: 60 * 60 * 1000,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        notifyOk: true,
        alarmDescription: 'The customer stream is an hour or more behind: records are planned late, and Lambda discards those a day old. See CustomerStreamErrors and the function\'s log.',
      });
    }
    // Above these rates SES reviews the account and may pause it: marketing stops at once (ops resume it), service goes on.
    const pauseMarketing = new LambdaAction(props.onReputationAlarm, { useUniquePermissionId: true });
    const reputationAlarm = (name: string, metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate', threshold: number, description: string) =>
      alarm(name, sesReputationMetric(metricName), {
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        notifyOk: true,
        alarmDescription: `${description} Marketing is paused (sending.marketingPaused); once the cause is mended, resume it with config set sending.marketingPaused=false.`,
      }).addAlarmAction(pauseMarketing);
    reputationAlarm('SesBounceRate', 'Reputation.BounceRate', SES_BOUNCE_RATE_ALARM, 'The SES account\'s bounce rate is at least 5 %: SES reviews the account at 5 % and may pause sending at 10 %.');
    reputationAlarm('SesComplaintRate', 'Reputation.ComplaintRate', SES_COMPLAINT_RATE_ALARM, 'The SES account\'s complaint rate is at least 0.1 %: SES reviews the account at 0.1 % and may pause sending at 0.5 %.');

    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, ...extra });
    const fns = Object.entries(props.functions);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms.values()], width: 24, height: 4 }));
    this.dashboard.addWidgets(
      graph('Messages by outcome', [retentionSearch('Messages', ['outcome'])]),
      graph('Messages by campaign and outcome', [retentionSearch('Messages', ['campaign', 'outcome'])]),
      graph('Failed, unconfirmed, account faults', [
        retentionMetric('Messages', { outcome: 'failed' }, { label: 'failed' }),
        retentionMetric('Messages', { outcome: 'unconfirmed' }, { label: 'unconfirmed' }),
        retentionMetric('AccountFaults', {}, { label: 'account faults' }),
        retentionMetric('DispatchStepsFailed', {}, { label: 'steps failed after a message was settled' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Planner runs and messages planned by campaign', [retentionSearch('MessagesPlanned', ['campaign'], 'planned: ', Duration.hours(1))], {
        right: [retentionMetric('PlannerRuns', {}, { period: Duration.hours(1), label: 'planner runs' })],
      }),
      graph('Stream records failed and skipped', [
        retentionMetric('StreamRecordsFailed', {}, { label: 'failed' }),
        retentionMetric('StreamRecordsSkipped', {}, { label: 'skipped' }),
      ]),
      graph('Link actions', [retentionSearch('LinkActions', ['action'])]),
    );
    this.dashboard.addWidgets(
      graph('Bounces and complaints', [retentionMetric('Bounces', {}, { label: 'bounces' }), retentionMetric('Complaints', {}, { label: 'complaints' }), retentionMetric('MailEventsUnreadable', {}, { label: 'unreadable (parked)' })]),
      graph('SES reputation', [sesReputationMetric('Reputation.BounceRate'), sesReputationMetric('Reputation.ComplaintRate')], {
        leftAnnotations: [
          { value: SES_BOUNCE_RATE_ALARM, label: 'bounce rate alarm' },
          { value: SES_COMPLAINT_RATE_ALARM, label: 'complaint rate alarm' },
        ],
      }),
      graph(
        'Dead-letter queue depths',
        Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5), label: name }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph('Function errors', fns.map(([name, fn]) => fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), label: name })), { width: 12 }),
      graph('Function throttles', fns.map(([name, fn]) => fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), label: name })), { width: 12 }),
    );
  }
}
