import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { InvalidRecordError } from '../core/errors.js';
import { customerChanged } from '../core/jobs/customer-changed.js';
import type { RecordKey } from '../core/jobs/current-record.js';
import { contractChanged } from '../core/jobs/contract-changed.js';
import { complaintChanged, interactionChanged, surveyAnswered, type FeedbackDeps } from '../core/jobs/feedback-changed.js';
import { PREFERENCES_RECORD_KEY } from '../core/preferences.js';
import { PROFILE_RECORD_KEY, recordFromItem, recordTypeOfKey, type RecordType } from '../core/records.js';
import { erasedRecordReason, type ErasureReceipt } from '../core/erasure.js';
import { eraseCustomer } from '../core/jobs/erase-customer.js';
import { readCurrent } from '../core/jobs/current-record.js';
import type { Stores } from '../adapters/runtime.js';
import { countingEndings, writeCounts, writeMessages, type MessageCounts } from './metrics.js';
import { withMiddlewares } from './middleware.js';

/** What each kind of record in the Customers table sets going; records of other kinds start nothing. */
const jobs: Record<Exclude<RecordType, 'erasure'>, { readonly name: string; readonly run: (deps: FeedbackDeps, key: RecordKey, now: Date) => Promise<unknown> }> = {
  customer: { name: 'customer profile', run: customerChanged },
  contract: { name: 'contract', run: contractChanged },
  complaint: { name: 'complaint', run: complaintChanged },
  interaction: { name: 'interaction', run: interactionChanged },
  surveyResponse: { name: 'survey answer', run: surveyAnswered },
};

/** A record of the batch not processed because one before it failed: Lambda delivers it again after that one. */
export class HeldBackError extends Error {
  override readonly name = 'HeldBackError';
  constructor(failedSequenceNumber: string) {
    super(`held back behind the failed record ${failedSequenceNumber}`);
  }
}

/** A record written (not removed: DynamoDB Local reports a TTL delete as `UNKNOWN_TO_SDK_VERSION`, so only these two count). */
const isChange = (record: DynamoDBRecord): boolean => record.eventName === 'INSERT' || record.eventName === 'MODIFY';

const keyOf = (record: DynamoDBRecord): RecordKey => {
  const keys = (record.dynamodb?.Keys ?? record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>;
  return { customerId: keys.customerId?.S ?? '', recordKey: keys.recordKey?.S ?? '' };
};

/**
 * An `erasure` record: the customer is forgotten (erase-customer.ts), the record itself deleted last.
 * A record already gone was acted on before (a batch delivered again): nothing to do, and a replay
 * must never erase a customer registered again since. Nor does an erasure asked for before the
 * profile that registered them again after an earlier one (`receipt`): an old request written again,
 * skipped as invalid, with the reason (erasure.ts erasedRecordReason).
 */
const erasureRequested = async (stores: Stores, key: RecordKey, now: Date, receipt: ErasureReceipt | undefined): Promise<{ readonly receipt: ErasureReceipt; readonly log: Record<string, unknown> } | undefined> => {
  const current = await readCurrent(stores.customers, key);
  if (current.item === undefined) return undefined;
  const erasure = recordFromItem(current.item, 'erasure', now);
  const stale = erasedRecordReason(erasure, receipt, current.profile as { createdAt?: unknown } | undefined);
  if (stale !== undefined) throw new InvalidRecordError(`erasure ${erasure.customerId}`, 'requestedAt', stale);
  const result = await eraseCustomer(stores.erasures, erasure.customerId, now, { requestedAt: erasure.requestedAt, requestedBy: 'record', secondPass: 'later', recordKey: key.recordKey });
  return { receipt: result.receipt, log: { customerHash: result.receipt.customerHash, deleted: result.deleted, secondPassAfter: result.secondPassAfter } };
};

/**
 * A record of a customer who was erased, turning up again (a business system's sync, an old file, a
 * late write): deleted and acted on no further, unless a profile created after the erasure registered
 * them again. True when it was such a record (or is gone).
 */
const forgetIfErased = async (stores: Stores, key: RecordKey, type: RecordType, receipt: ErasureReceipt): Promise<string | undefined> => {
  const current = await readCurrent(stores.customers, key);
  if (current.item === undefined) return 'gone';
  const reason = erasedRecordReason({ type, customerId: key.customerId, createdAt: current.item.createdAt }, receipt, current.profile as { createdAt?: unknown } | undefined);
  if (reason === undefined) return undefined;
  await stores.customers.deleteRecord(key);
  return reason;
};

/**
 * DynamoDB stream of the Customers table: keeps the birthday and renewal indexes in step, plans what
 * is already inside the horizon, cancels reminders whose contract renewed, was cancelled or renews
 * itself, and runs the feedback loop (complaint follow-ups, surveys, detractors).
 *
 * An `erasure` record forgets its customer; a record of a customer erased before is deleted and acted
 * on no further, unless a profile created after the erasure registered them again (erasure.ts).
 *
 * Records are applied in stream order, one after another. A stream record only says which record
 * changed: each job reads it as it is now (current-record.ts), so the image is never read. An invalid
 * record (one failing validation, or holding a number JavaScript cannot read exactly) is logged with
 * its key, field and value and skipped. Any other failure stops the batch there: that record and every record after it
 * are reported failed, none of them applied, because Lambda checkpoints at the failed record and
 * delivers all of them again; a later version of a record applied before an earlier one is retried
 * would be undone by that retry. A batch whose first record fails fails as a whole (an invocation
 * error), so Lambda bisects it down to that record, retries it, parks it in the dead-letter queue
 * and goes on with the records behind it.
 *
 * Its figures, per invocation: `StreamRecordsFailed` (the record that failed; those held back behind it
 * are not counted, they have not been tried) and `StreamRecordsSkipped` (invalid records). Records
 * Lambda parks after its retries are counted by the dead-letter queue, not here. And `Messages` by
 * outcome and by campaign and outcome: the messages its jobs ended for good (cancelled when their
 * trigger went away, a keep-in-touch whose floor was met; a provisional end once past its deadline),
 * written even when the batch fails: they stay ended, and a retry does not end them again.
 */
export const createCustomerStreamHandler = (runtime: HandlerRuntime) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);

  const processRecord = async (record: DynamoDBRecord, counts: { StreamRecordsSkipped: number }, receipts: Map<string, ErasureReceipt>, ended: MessageCounts): Promise<void> => {
    if (!isChange(record)) return;
    // What the customer chose (preferences.ts) bears on the profile's plan: the floor is only for those marketing may reach.
    const changed = keyOf(record);
    const key = changed.recordKey === PREFERENCES_RECORD_KEY ? { ...changed, recordKey: PROFILE_RECORD_KEY } : changed;
    const type = recordTypeOfKey(key.recordKey);
    if (type === undefined) return;
    const stores = runtime.stores();
    const name = type === 'erasure' ? 'erasure' : jobs[type].name;
    try {
      if (type === 'erasure') {
        const erased = await erasureRequested(stores, key, runtime.clock(), receipts.get(key.customerId));
        if (erased) {
          receipts.set(key.customerId, erased.receipt);
          runtime.logger.info('erased a customer', erased.log);
        }
        return;
      }
      const receipt = receipts.get(key.customerId);
      const forgotten = receipt && (await forgetIfErased(stores, key, type, receipt));
      if (forgotten) {
        // The hash, not the id: the log must not bring back what the erasure took away.
        if (forgotten !== 'gone') runtime.logger.warn(`deleted a ${name} of an erased customer`, { customerHash: receipt.customerHash, recordType: type, erasedAt: receipt.erasedAt });
        return;
      }
      const { customers, outbox, ledger } = stores;
      await jobs[type].run({ customers, outbox: countingEndings(outbox, ended), ledger, config: await runtime.config() }, key, runtime.clock());
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      counts.StreamRecordsSkipped++;
      runtime.logger.error(`skipped an invalid ${name}`, { key, sequenceNumber: record.dynamodb?.SequenceNumber, field: error.field, reason: error.message });
    }
  };

  return withMiddlewares(runtime, async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    let failedAt: string | undefined;
    const counts = { StreamRecordsFailed: 0, StreamRecordsSkipped: 0 };
    const ended: MessageCounts = new Map();
    // Which of the batch's customers were erased: one read for the whole batch; an erasure in it adds its own.
    const receipts = await runtime.stores().erasures.receiptsOf(event.Records.filter(isChange).map((record) => keyOf(record).customerId).filter((id) => id !== ''));
    const inStreamOrder = async (record: DynamoDBRecord): Promise<void> => {
      if (failedAt !== undefined) throw new HeldBackError(failedAt);
      try {
        await processRecord(record, counts, receipts, ended);
      } catch (error) {
        counts.StreamRecordsFailed++;
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        failedAt = sequenceNumber ?? '(no sequence number)';
        const heldBack = event.Records.length - 1 - event.Records.indexOf(record);
        runtime.logger.warn(STREAM_RECORD_FAILED, { key: keyOf(record), sequenceNumber, error: (error as Error).message, heldBack });
        throw error;
      }
    };
    try {
      return await processPartialResponse(event, inStreamOrder, processor, { processInParallel: false });
    } finally {
      writeCounts(runtime, {}, counts);
      writeMessages(runtime, ended);
    }
  });
};

/** What the handler logs for a record it could not process: Lambda parks the record, the log keeps the reason. */
export const STREAM_RECORD_FAILED = 'stream record failed; it and the records after it will be retried';

export const handler = createCustomerStreamHandler(lambdaRuntime());
