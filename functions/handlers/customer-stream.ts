import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { InvalidRecordError } from '../core/errors.js';
import { customerChanged } from '../core/jobs/customer-changed.js';
import { contractChanged } from '../core/jobs/contract-changed.js';
import { complaintChanged, interactionChanged, surveyAnswered, type FeedbackDeps } from '../core/jobs/feedback-changed.js';
import { recordTypeOfKey, type RecordType } from '../core/records.js';
import { withMiddlewares } from './middleware.js';

/** What each kind of record in the Customers table sets going; records of other kinds start nothing. */
const jobs: Record<RecordType, { readonly name: string; readonly run: (deps: FeedbackDeps, item: Record<string, unknown>, now: Date) => Promise<unknown> }> = {
  customer: { name: 'customer profile', run: customerChanged },
  contract: { name: 'contract', run: contractChanged },
  complaint: { name: 'complaint', run: complaintChanged },
  interaction: { name: 'interaction', run: interactionChanged },
  surveyResponse: { name: 'survey answer', run: surveyAnswered },
};

/**
 * DynamoDB stream of the Customers table: keeps the birthday and renewal indexes in step, plans what
 * is already inside the horizon, cancels reminders whose contract renewed, was cancelled or renews
 * itself, and runs the feedback loop (complaint follow-ups, surveys, detractors). An invalid record is
 * logged with its key and skipped; any other failure is reported for that record alone, so Lambda
 * retries it and then parks it in the dead-letter queue while the rest of the batch goes through.
 */
export const createCustomerStreamHandler = (runtime: HandlerRuntime) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);

  const processRecord = async (record: DynamoDBRecord): Promise<void> => {
    const image = record.dynamodb?.NewImage;
    if (record.eventName === 'REMOVE' || !image) return;
    const item = unmarshall(image as Record<string, AttributeValue>);
    const recordKey = String(item.recordKey);
    const type = recordTypeOfKey(recordKey);
    const job = type === undefined ? undefined : jobs[type];
    if (!job) return;
    const { customers, outbox, ledger } = runtime.stores();
    const where = { key: { customerId: String(item.customerId), recordKey }, sequenceNumber: record.dynamodb?.SequenceNumber };
    try {
      await job.run({ customers, outbox, ledger, config: await runtime.config() }, item, runtime.clock());
    } catch (error) {
      if (error instanceof InvalidRecordError) {
        runtime.logger.error(`skipped an invalid ${job.name}`, { ...where, field: error.field, reason: error.message });
        return;
      }
      runtime.logger.warn(STREAM_RECORD_FAILED, { ...where, error: (error as Error).message });
      throw error;
    }
  };

  return withMiddlewares(runtime, async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { processInParallel: false }),
  );
};

/** What the handler logs for a record it could not process: Lambda parks the record, the log keeps the reason. */
export const STREAM_RECORD_FAILED = 'stream record failed; it will be retried';

export const handler = createCustomerStreamHandler(lambdaRuntime());
