import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ComputeStack } from './compute-stack.js';
import type { DataStack } from './data-stack.js';

const acknowledge = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id, reason });

/**
 * The cdk-nag findings we accept, each on the construct that raises it and with its reason. Everything
 * else must pass: test/infra/nag.test.ts proves that nothing unacknowledged remains, that every
 * acknowledgement here still matches a finding, and that no DynamoDB action hides behind `Resource::*`.
 */
export const acknowledgeFindings = ({ data, compute }: { data: DataStack; compute: ComputeStack }): void => {
  acknowledge(
    data.linkSecret,
    'AwsSolutions-SMG4',
    'The key signs links already sitting in customers\' inboxes; rotating it on a schedule would break every one of them. It is rotated by hand, with care.',
  );
  acknowledge(
    compute.linksApi.node.findChild('DefaultRoute'),
    'AwsSolutions-APIG4',
    'People click these links from e-mail and carry no credentials; each link authorises itself with an HMAC-signed, expiring token the handler verifies.',
  );
  for (const fn of [compute.planner, compute.dispatchCoordinator, compute.dispatcher, compute.customerStream, compute.links, compute.mailEvents, compute.pauseMarketing]) {
    acknowledge(
      fn.role!.node.findChild('DefaultPolicy'),
      'AwsSolutions-IAM5[Resource::*]',
      fn === compute.customerStream
        ? 'X-Ray PutTraceSegments/PutTelemetryRecords and DynamoDB ListStreams (added by the stream event source) support no resource-level permissions.'
        : fn === compute.dispatcher || fn === compute.dispatchCoordinator
          ? "X-Ray PutTraceSegments/PutTelemetryRecords and SES GetAccount (the account's sending rate, which the senders pace to and the coordinator sizes the run by) support no resource-level permissions."
          : 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    );
  }
  for (const queue of [compute.streamDeadLetterQueue, compute.scheduleDeadLetterQueue, compute.mailEventsDeadLetterQueue, compute.pauseMarketingDeadLetterQueue]) {
    acknowledge(queue, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue; its messages are inspected by operators, not redriven automatically.');
  }
};
