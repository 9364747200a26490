import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { deploySettings } from '../../functions/adapters/deploy-settings.js';
import { METRICS_NAMESPACE as handlersNamespace } from '../../functions/adapters/runtime.js';
import { buildApp } from '../../infra/app.js';
import { METRICS_NAMESPACE, SUPPRESSED_ALARM_MIN_MESSAGES, SUPPRESSED_ALARM_SHARE, dispatcherSilenceMinutes, emittedMetrics, retentionMetric } from '../../infra/monitoring.js';
import { SERVICE_NAME } from '../../infra/retention-function.js';
import { lintTemplates } from '../../scripts/lint-cfn.js';

interface AlarmProperties {
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic: string;
  Period: number;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData: string;
  AlarmActions: unknown[];
  OKActions?: unknown[];
  AlarmDescription: string;
  Metrics?: { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] }; Period: number; Stat: string } }[];
}


describe('monitoring', () => {
  let built: ReturnType<typeof buildApp>;
  let compute: Template;
  let outdir: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'cdk-'));
    built = buildApp(deploySettings, new App({ context: cdkJson.context, outdir }));
    compute = Template.fromStack(built.compute);
  });

  const logicalIdOf = (construct: IConstruct) => built.compute.getLogicalId(construct.node.defaultChild as CfnElement);
  const topicRef = () => ({ Ref: logicalIdOf(built.compute.monitoring.topic) });
  const alarm = (name: string): AlarmProperties => {
    const construct = built.compute.monitoring.alarms.get(name);
    if (!construct) throw new Error(`no alarm ${name}; there are ${[...built.compute.monitoring.alarms.keys()].join(', ')}`);
    return compute.toJSON().Resources[logicalIdOf(construct)].Properties as AlarmProperties;
  };
  const dimensionsOf = (properties: AlarmProperties) => Object.fromEntries((properties.Dimensions ?? []).map(({ Name, Value }) => [Name, Value]));

  describe('the alarm topic', () => {
    it('mails alarmEmail from cdk.json', () => {
      expect(deploySettings.alarmEmail).toBe(cdkJson.context.retention.alarmEmail);
      compute.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: deploySettings.alarmEmail, TopicArn: topicRef() });
    });

    it('is encrypted with a rotated key of its own that CloudWatch (this account) may use, and TLS only', () => {
      const topic = compute.toJSON().Resources[logicalIdOf(built.compute.monitoring.topic)];
      const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
      const key = compute.toJSON().Resources[keyId];
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], // as minimizePolicies sorts them
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      compute.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topicRef()],
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sns:Publish',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ]),
        }),
      });
    });

    it('receives every alarm of the stack', () => {
      const alarms = Object.values(compute.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(built.compute.monitoring.alarms.size);
      for (const { Properties } of alarms) expect(Properties.AlarmActions).toContainEqual(topicRef());
    });
  });

  describe('alarms', () => {
    const atLeastOnce = { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' };

    it.each([
      ['Stream', () => built.compute.streamDeadLetterQueue],
      ['MailEvents', () => built.compute.mailEventsDeadLetterQueue],
      ['Schedule', () => built.compute.scheduleDeadLetterQueue],
      ['SendWork', () => built.compute.sendWorkDeadLetterQueue],
      ['PauseMarketing', () => built.compute.pauseMarketingDeadLetterQueue],
    ] as const)('fires while the %s dead-letter queue holds a message, and mails when it is empty again', (name, queue) => {
      const properties = alarm(`${name}NotEmpty`);
      expect(properties).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Period: 300, ...atLeastOnce });
      expect(dimensionsOf(properties)).toEqual({ QueueName: { 'Fn::GetAtt': [logicalIdOf(queue()), 'QueueName'] } });
      expect(properties.OKActions).toEqual([topicRef()]);
    });

    it.each(['Planner', 'Dispatcher', 'CustomerStream', 'Links', 'MailEvents', 'PauseMarketing'] as const)('fires on any error or throttle of the %s function', (name) => {
      const fn = { Planner: built.compute.planner, Dispatcher: built.compute.dispatcher, CustomerStream: built.compute.customerStream, Links: built.compute.links, MailEvents: built.compute.mailEvents, PauseMarketing: built.compute.pauseMarketing }[name];
      for (const metric of ['Errors', 'Throttles']) {
        const properties = alarm(`${name}${metric}`);
        expect(properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: metric, Statistic: 'Sum', Period: 300, ...atLeastOnce });
        expect(dimensionsOf(properties)).toEqual({ FunctionName: { Ref: logicalIdOf(fn) } });
        expect(properties.OKActions).toBeUndefined();
      }
    });

    it.each([
      ['MessagesFailed', 'Messages', { outcome: 'failed' }],
      ['MessagesUnconfirmed', 'Messages', { outcome: 'unconfirmed' }],
      ['AccountFaults', 'AccountFaults', {}],
      ['DispatchStepsFailed', 'DispatchStepsFailed', {}],
      ['StreamRecordsSkipped', 'StreamRecordsSkipped', {}],
    ] as const)('%s: fires on any %s %o the handlers count (Sum over 5 minutes)', (name, metricName, dimensions) => {
      const properties = alarm(name);
      expect(properties).toMatchObject({ Namespace: 'Retention', MetricName: metricName, Statistic: 'Sum', Period: 300, ...atLeastOnce });
      // Powertools Metrics adds the service dimension to every metric.
      expect(dimensionsOf(properties)).toEqual({ service: 'retention', ...dimensions });
    });

    it('fires when half or more of an hour\'s messages, 20 at least, were suppressed at send time', () => {
      const properties = alarm('MessagesSuppressed');
      expect(properties).toMatchObject({ Threshold: SUPPRESSED_ALARM_SHARE, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      expect([SUPPRESSED_ALARM_SHARE, SUPPRESSED_ALARM_MIN_MESSAGES]).toEqual([0.5, 20]);
      expect(properties.OKActions).toBeUndefined();
      const metrics = properties.Metrics!;
      const expression = metrics.find((metric) => metric.Expression !== undefined)!;
      expect(expression).toMatchObject({ ReturnData: true });
      expect(expression.Expression).toBe('IF(FILL(suppressed, 0) + FILL(sent, 0) >= 20, FILL(suppressed, 0) / (FILL(suppressed, 0) + FILL(sent, 0)), 0)');
      // Its two series: the handlers' Messages by outcome, summed by the hour, not returned themselves.
      const series = Object.fromEntries(metrics.filter((metric) => metric.MetricStat).map((metric) => [metric.Id, metric]));
      for (const outcome of ['suppressed', 'sent']) {
        expect(series[outcome]).toMatchObject({ ReturnData: false, MetricStat: { Metric: { Namespace: 'Retention', MetricName: 'Messages' }, Period: 3600, Stat: 'Sum' } });
        expect(Object.fromEntries(series[outcome]!.MetricStat!.Metric.Dimensions.map(({ Name, Value }) => [Name, Value]))).toEqual({ service: 'retention', outcome });
      }
    });

    it('fires when no dispatcher run wrote its outcomes for 15 minutes, no data counting as silence', () => {
      expect(deploySettings.schedules.dispatcher.everyMinutes).toBeLessThanOrEqual(5);
      const properties = alarm('DispatcherSilent');
      expect(properties).toMatchObject({ Namespace: 'Retention', MetricName: 'Messages', Statistic: 'SampleCount', Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
      expect(dimensionsOf(properties)).toEqual({ service: 'retention', outcome: 'sent' });
      expect(properties.OKActions).toEqual([topicRef()]);
    });

    it.each([
      [1, 15],
      [5, 15],
      [15, 25],
      [20, 30],
      [60, 70],
    ])('with runs every %i minutes, waits %i minutes of silence: longer than the empty periods between two runs', (everyMinutes, minutes) => {
      expect(dispatcherSilenceMinutes(everyMinutes)).toBe(minutes);
      // The 5-minute periods between two runs are empty: never as many as the alarm needs.
      expect(Math.ceil(everyMinutes / 5) - 1).toBeLessThan(minutes / 5 - 1);
    });

    it('a stack whose dispatcher runs every 20 minutes is alarmed after 30 minutes of silence, not after each run', () => {
      const slow = buildApp({ ...deploySettings, schedules: { ...deploySettings.schedules, dispatcher: { everyMinutes: 20 } } }, new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }));
      const construct = slow.compute.monitoring.alarms.get('DispatcherSilent')!;
      const properties = Template.fromStack(slow.compute).toJSON().Resources[slow.compute.getLogicalId(construct.node.defaultChild as CfnElement)].Properties as AlarmProperties;
      expect(properties).toMatchObject({ Period: 300, EvaluationPeriods: 6, DatapointsToAlarm: 6 });
      expect(String((properties as { AlarmDescription?: string }).AlarmDescription)).toContain('No dispatcher run for 30 minutes');
    });

    it('fires when the customer stream is an hour behind', () => {
      const properties = alarm('CustomerStreamBehind');
      expect(properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Period: 300, Threshold: 3_600_000, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    });

    it('fires when the planner has not run for 26 hours, no data counting as silence', () => {
      const properties = alarm('PlannerSilent');
      expect(properties).toMatchObject({
        Namespace: 'Retention',
        MetricName: 'PlannerRuns',
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 26,
        DatapointsToAlarm: 26,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(dimensionsOf(properties)).toEqual({ service: 'retention' });
      expect(properties.OKActions).toEqual([topicRef()]);
      // CloudWatch's limit for periods of an hour or more: seven days of evaluation.
      expect(properties.Period * properties.EvaluationPeriods).toBeLessThanOrEqual(7 * 24 * 3600);
    });

    it.each([
      ['SesBounceRate', 'Reputation.BounceRate', 0.05],
      ['SesComplaintRate', 'Reputation.ComplaintRate', 0.001],
    ] as const)('%s: fires when the account\'s %s reaches %d, mails, and pauses marketing', (name, metricName, threshold) => {
      const properties = alarm(name);
      expect(properties).toMatchObject({
        Namespace: 'AWS/SES',
        MetricName: metricName,
        Statistic: 'Maximum',
        Period: 3600,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(properties.Dimensions).toBeUndefined(); // account-level
      expect(properties.OKActions).toEqual([topicRef()]);
      // Going off, it also invokes the function that sets sending.marketingPaused; clearing, it only mails (ops resume marketing).
      const pauseArn = { 'Fn::GetAtt': [logicalIdOf(built.compute.pauseMarketing), 'Arn'] };
      expect(properties.AlarmActions).toEqual([topicRef(), pauseArn]);
      // CloudWatch may invoke it for this alarm only.
      const alarmArn = { 'Fn::GetAtt': [logicalIdOf(built.compute.monitoring.alarms.get(name)!), 'Arn'] };
      compute.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: pauseArn, Principal: 'lambda.alarms.cloudwatch.amazonaws.com', SourceArn: alarmArn });
    });

    it('no other alarm pauses marketing', () => {
      const pauseArn = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(built.compute.pauseMarketing), 'Arn'] });
      const pausing = [...built.compute.monitoring.alarms.keys()].filter((name) => JSON.stringify(alarm(name).AlarmActions).includes(pauseArn) || JSON.stringify(alarm(name).OKActions ?? []).includes(pauseArn));
      expect(pausing.sort()).toEqual(['SesBounceRate', 'SesComplaintRate']);
      expect(Object.values(compute.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'lambda.alarms.cloudwatch.amazonaws.com' } }))).toHaveLength(2);
    });

    it('has exactly these alarms, each described for whoever reads the mail', () => {
      expect([...built.compute.monitoring.alarms.keys()].sort()).toEqual(
        [
          ...['Stream', 'MailEvents', 'Schedule', 'SendWork', 'PauseMarketing'].map((queue) => `${queue}NotEmpty`),
          ...['Planner', 'DispatchCoordinator', 'Dispatcher', 'CustomerStream', 'Links', 'MailEvents', 'PauseMarketing'].flatMap((fn) => [`${fn}Errors`, `${fn}Throttles`]),
          'MessagesFailed',
          'MessagesUnconfirmed',
          'MessagesSuppressed',
          'AccountFaults',
          'DispatchStepsFailed',
          'StreamRecordsSkipped',
          'PlannerSilent',
          'DispatcherSilent',
          'CustomerStreamBehind',
          'SesBounceRate',
          'SesComplaintRate',
        ].sort(),
      );
      for (const name of built.compute.monitoring.alarms.keys()) expect(alarm(name).AlarmDescription.length, name).toBeGreaterThan(30);
    });

    it('watches the namespace and service the handlers write to', () => {
      expect(METRICS_NAMESPACE).toBe(handlersNamespace);
      // Every function's POWERTOOLS_SERVICE_NAME, which Powertools writes as the `service` dimension.
      for (const { Properties } of Object.values(compute.findResources('AWS::Lambda::Function'))) {
        expect(Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
        expect(Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBeUndefined();
      }
    });

    it('names only metrics the handlers emit, with one of their dimension sets', () => {
      expect(() => retentionMetric('Messages', { campaign: 'birthday' })).toThrow(/not emitted with the dimensions \{campaign\}/);
      expect(() => retentionMetric('PlannerRuns', { outcome: 'failed' })).toThrow(/PlannerRuns/);
      expect(retentionMetric('Messages', { campaign: 'birthday', outcome: 'sent' }).dimensions).toEqual({ service: 'retention', campaign: 'birthday', outcome: 'sent' });
    });
  });

  describe('the dashboard', () => {
    const body = () => {
      const dashboards = Object.values(compute.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      return JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    };

    it('graphs every metric the handlers emit, over each of its dimension sets', () => {
      const text = body();
      for (const [metricName, sets] of Object.entries(emittedMetrics)) {
        expect(text, metricName).toContain(metricName);
        for (const set of sets.filter((keys) => keys.length > 0)) {
          // A search over exactly that dimension set: one line per campaign, outcome or action.
          expect(text, `${metricName} by ${set.join(', ')}`).toContain(`{Retention,service,${set.join(',')}} MetricName=\\\\\\"${metricName}\\\\\\" service=\\\\\\"retention\\\\\\"`);
        }
      }
    });

    it('graphs the dead-letter queues, the functions\' errors and throttles, SES reputation and the alarms', () => {
      const text = body();
      for (const name of ['ApproximateNumberOfMessagesVisible', 'AWS/Lambda', 'Errors', 'Throttles', 'Reputation.BounceRate', 'Reputation.ComplaintRate', 'alarm']) expect(text).toContain(name);
      for (const queue of [built.compute.streamDeadLetterQueue, built.compute.mailEventsDeadLetterQueue, built.compute.scheduleDeadLetterQueue, built.compute.sendWorkDeadLetterQueue, built.compute.pauseMarketingDeadLetterQueue]) expect(text).toContain(logicalIdOf(queue));
      for (const fn of [built.compute.planner, built.compute.dispatcher, built.compute.customerStream, built.compute.links, built.compute.mailEvents, built.compute.pauseMarketing]) expect(text).toContain(logicalIdOf(fn));
      for (const construct of built.compute.monitoring.alarms.values()) expect(text).toContain(logicalIdOf(construct));
    });
  });

  it('exports the alarm topic and the dashboard name, next to the outputs the CLI reads', () => {
    compute.hasOutput('AlarmTopicArn', { Value: topicRef() });
    // The sending domain's three DKIM CNAMEs, from the identity's attributes.
    for (const n of [1, 2, 3]) {
      const output = compute.toJSON().Outputs[`DkimRecord${n}`];
      expect(JSON.stringify(output.Value)).toContain(`DkimDNSTokenName${n}`);
      expect(JSON.stringify(output.Value)).toContain(`DkimDNSTokenValue${n}`);
    }
    compute.hasOutput('DashboardName', { Value: { Ref: logicalIdOf(built.compute.monitoring.dashboard) } });
    expect(Object.keys(compute.toJSON().Outputs).sort()).toEqual(
      ['AlarmTopicArn', 'ConfigurationSetName', 'DashboardName', 'DkimRecord1', 'DkimRecord2', 'DkimRecord3', 'LinksBaseUrl', 'MailEventsDeadLetterQueueUrl', 'PauseMarketingDeadLetterQueueUrl', 'ScheduleDeadLetterQueueUrl', 'SendWorkDeadLetterQueueUrl', 'StreamDeadLetterQueueUrl'].sort(),
    );
  });

  // cfn-lint is on every machine of this kind (a pip package: the npm install cannot bring it); absent, this fails saying so.
  it('synthesizes templates cfn-lint finds no error in (npm run lint:cfn)', () => {
    built.app.synth();
    const { ok, output, templates } = lintTemplates(outdir);
    expect(templates).toHaveLength(2);
    // Warnings pass (W3005: CDK's own redundant DependsOn on function roles); errors do not.
    expect(output.split('\n').filter((line) => /:E\d{4}:/.test(line))).toEqual([]);
    expect(ok).toBe(true);
  });
});
