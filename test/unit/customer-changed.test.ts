import { describe, expect, it } from 'vitest';
import { NEVER } from '../../functions/core/cadence.js';
import { defaultConfig } from '../../functions/core/config.js';
import { customerChanged, RECORDS_NOT_PLANNED } from '../../functions/core/jobs/customer-changed.js';
import type { CustomerStore, LedgerEntry, LedgerStore, Outbox } from '../../functions/core/ports.js';

/**
 * When a profile is written, its customer's other records are planned again only when that can change
 * what they plan: the customer is new, or moved to another time zone. The stores keep what they are told.
 */
const now = new Date('2027-03-01T10:00:00Z');
const profile = { type: 'customer', customerId: 'c-1', recordKey: 'customer', email: 'c-1@example.com', timeZone: 'Europe/Madrid', marketingOptIn: true, birthdayMonthDay: undefined };

const run = async (before: LedgerEntry | undefined) => {
  const keysRead: string[] = [];
  const plannedIn: string[] = [];
  const customers = {
    getItems: async () => new Map([['c-1|customer', profile]]),
    recordKeysOf: async (customerId: string) => {
      keysRead.push(customerId);
      return ['customer']; // no other records: nothing more is read
    },
    setBirthdayIndexKey: async () => undefined,
  } as unknown as CustomerStore;
  const ledger = {
    get: async () => before,
    open: async (customerId: string, lastContactDate: string, floorCheckDate: string | undefined, facts: object, recordsPlannedIn?: string) => ({
      ...(before ?? { customerId, lastContactDate, lastCappedDate: NEVER }),
      floorCheckDate,
      ...facts,
      ...(recordsPlannedIn === undefined ? {} : { recordsPlannedIn }),
    }),
    setRecordsPlannedIn: async (_customerId: string, timeZone: string) => void plannedIn.push(timeZone),
    setFloorCheck: async () => undefined,
  } as unknown as LedgerStore;
  const outbox = { waitingFor: async () => [], replan: async () => 'unchanged' } as unknown as Outbox;
  await customerChanged({ customers, ledger, outbox, config: defaultConfig }, { customerId: 'c-1', recordKey: 'customer' }, now);
  // Where the ledger says the records were planned once they all were.
  expect(plannedIn).toEqual(keysRead.length > 0 ? ['Europe/Madrid'] : []);
  return keysRead;
};

const known = (timeZone: string): LedgerEntry => ({ customerId: 'c-1', lastContactDate: '2027-02-20', lastCappedDate: NEVER, timeZone, marketingOptIn: true });

describe('a profile written', () => {
  it('plans its customer\'s other records when the customer is new', async () => {
    expect(await run(undefined)).toEqual(['c-1']);
  });

  it('plans them again when the customer moved to another time zone', async () => {
    expect(await run(known('America/New_York'))).toEqual(['c-1']);
  });

  it('leaves them be for any other change, or a replay', async () => {
    expect(await run(known('Europe/Madrid'))).toEqual([]);
    expect(await run({ ...known('Europe/Madrid'), recordsPlannedIn: 'Europe/Madrid' })).toEqual([]);
  });

  it('plans them when an earlier write of the profile opened the ledger but did not get through them (Lambda retries it)', async () => {
    // A new customer's, and a moved customer's whose ledger has the new zone but the records the old one.
    expect(await run({ ...known('Europe/Madrid'), recordsPlannedIn: RECORDS_NOT_PLANNED })).toEqual(['c-1']);
    expect(await run({ ...known('Europe/Madrid'), recordsPlannedIn: 'America/New_York' })).toEqual(['c-1']);
  });
});
