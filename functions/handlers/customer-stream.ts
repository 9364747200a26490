import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { InvalidRecordError } from '../core/errors.js';
import { customerChanged } from '../core/jobs/customer-changed.js';
import { contractChanged } from '../core/jobs/contract-changed.js';
import { PROFILE_RECORD_KEY } from '../core/records.js';
import { withMiddlewares } from './middleware.js';

/**
 * DynamoDB stream of the Customers table (profiles and contracts): keeps the birthday and renewal
 * indexes in step, plans what is already inside the horizon, and cancels reminders whose contract
 * renewed, was cancelled or renews itself. An invalid profile is logged with its key and
 * skipped; any other failure is reported for that record alone, so Lambda retries it and then parks
 * it in the dead-letter queue while the rest of the batch goes through.
 */
export const createCustomerStreamHandler = (runtime: HandlerRuntime) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);

  const processRecord = async (record: DynamoDBRecord): Promise<void> => {
    const image = record.dynamodb?.NewImage;
    if (record.eventName === 'REMOVE' || !image) return;
    const item = unmarshall(image as Record<string, AttributeValue>);
    const recordKey = String(item.recordKey);
    const isProfile = recordKey === PROFILE_RECORD_KEY;
    if (!isProfile && !recordKey.startsWith('contract#')) return;
    const { customers, outbox, ledger } = runtime.stores();
    const where = { key: { customerId: String(item.customerId), recordKey }, sequenceNumber: record.dynamodb?.SequenceNumber };
    try {
      const deps = { customers, outbox, ledger, config: await runtime.config() };
      if (isProfile) await customerChanged(deps, item, runtime.clock());
      else await contractChanged(deps, item, runtime.clock());
    } catch (error) {
      if (error instanceof InvalidRecordError) {
        runtime.logger.error(isProfile ? 'skipped an invalid customer profile' : 'skipped an invalid contract', { ...where, field: error.field, reason: error.message });
        return;
      }
      runtime.logger.warn('stream record failed; it will be retried', { ...where, error: (error as Error).message });
      throw error;
    }
  };

  return withMiddlewares(runtime, async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { processInParallel: false }),
  );
};

export const handler = createCustomerStreamHandler(lambdaRuntime());
