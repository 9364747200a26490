import type { CustomerStore } from '../ports.js';
import { customerFromItem, PROFILE_RECORD_KEY, type Customer } from '../records.js';

/**
 * What a stream job acts on. A stream image only says that a record changed: DynamoDB streams deliver
 * at least once, and Lambda hands a whole batch over again after a timeout, so an image may be older
 * than a version already applied after it. Acted on, it would undo that version, sometimes for good
 * (a replayed "opened" cancelling the "how did we do?" of a complaint resolved since). So each job
 * acts on the record as it is now in the Customers table, and a replay only repeats what the latest
 * version calls for.
 *
 * The read is strongly consistent: an eventually consistent one may miss the very write this stream
 * record reports (then a new record would look gone, or a version older than the image current). It
 * costs one BatchGetItem per stream record, the record and the customer's profile together (the jobs
 * read the profile anyway): about one consistent GetItem more than acting on the image. Whether the
 * image already is the newest version cannot be known without reading, so the job always reads.
 */
export interface CurrentRecord {
  /** The record as stored now; undefined when it is gone. */
  readonly item: Record<string, unknown> | undefined;
  /** The customer's profile as stored now, not validated; undefined while it has not arrived (or is gone). */
  readonly profile: unknown;
}

/** Which record of the Customers table changed: all a stream record tells a job. */
export interface RecordKey {
  readonly customerId: string;
  readonly recordKey: string;
}

/** The record that changed and its customer's profile, as they are now. */
export const readCurrent = async (customers: CustomerStore, { customerId, recordKey }: RecordKey): Promise<CurrentRecord> => {
  const items = await customers.getItems(
    [
      { customerId, recordKey },
      { customerId, recordKey: PROFILE_RECORD_KEY },
    ],
    { consistent: true },
  );
  return { item: items.get(`${customerId}|${recordKey}`) as Record<string, unknown> | undefined, profile: items.get(`${customerId}|${PROFILE_RECORD_KEY}`) };
};

/** The customer as read; undefined while their profile has not arrived (nothing can be timed without their zone). Throws InvalidRecordError for a bad profile. */
export const customerOf = (profile: unknown, now: Date): Customer | undefined => (profile === undefined ? undefined : customerFromItem(profile, now));
