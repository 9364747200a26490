import { describe, expect, it } from 'vitest';
import { erasureKeyOf, type ErasureReceipt } from '../../functions/core/erasure.js';
import { importNdjson } from '../../functions/core/jobs/import-records.js';
import type { CustomerStore, ErasureStore } from '../../functions/core/ports.js';
import type { BusinessRecord } from '../../functions/core/records.js';

const erasedAt = '2027-03-12T08:00:00.000Z';
const receipt: ErasureReceipt = { customerHash: erasureKeyOf('c-1'), erasedAt, requestedAt: erasedAt, requestedBy: 'command' };
const erasures = { receiptsOf: async (ids: readonly string[]) => new Map(ids.includes('c-1') ? [['c-1', receipt]] : []) } as unknown as ErasureStore;

/** The customer table as the import uses it: what it was given, and no stored profiles (the customer was erased). */
const customerTable = () => {
  const written: BusinessRecord[] = [];
  const store = { putRecords: async (records: readonly BusinessRecord[]) => void written.push(...records), getProfiles: async () => new Map() } as unknown as CustomerStore;
  return { store, written };
};

const line = (record: Record<string, unknown>) => JSON.stringify(record);
const oldFile = [
  line({ type: 'customer', customerId: 'c-1', email: 'a@example.com', timeZone: 'UTC', birthday: '1990-05-01', marketingOptIn: true }),
  line({ type: 'contract', contractId: 'k-1', customerId: 'c-1', endsOn: '2027-05-20' }),
  line({ type: 'contract', contractId: 'k-2', customerId: 'c-2', endsOn: '2027-06-01' }),
].join('\n');

describe('importNdjson and erased customers', () => {
  it('refuses an old file\'s customer line without createdAt imported after the erasure, and the records it would have brought back; the others go through', async () => {
    const { store, written } = customerTable();
    const result = await importNdjson(store, oldFile, new Date('2027-04-01T10:00:00Z'), { defaultMarketingOptIn: false, erasures });
    expect(result.rejected.map(({ line, field }) => [line, field])).toEqual([[1, 'createdAt'], [2, 'customerId']]);
    expect(result.rejected[0]!.reason).toBe(`customer: customer c-1 was erased at ${erasedAt}; a customer record registers them again only with createdAt later than that`);
    expect(written.map((record) => record.customerId)).toEqual(['c-2']);
  });

  it('welcomes the customer back with a createdAt later than the erasure, and their other records with them', async () => {
    const { store, written } = customerTable();
    const back = oldFile.replace('"marketingOptIn":true', '"marketingOptIn":true,"createdAt":"2027-03-20T10:00:00Z"');
    const result = await importNdjson(store, back, new Date('2027-04-01T10:00:00Z'), { defaultMarketingOptIn: false, erasures });
    expect(result.rejected).toEqual([]);
    expect(written.map((record) => `${record.type} ${record.customerId}`)).toEqual(['customer c-1', 'contract c-1', 'contract c-2']);
  });

  it('refuses an erasure asked for before the customer registered again, naming requestedAt; a new request goes through', async () => {
    // Prepare: c-1 registered again on 03-20 (stored now); the old file's erasure was asked on 03-01.
    const written: BusinessRecord[] = [];
    const store = { putRecords: async (records: readonly BusinessRecord[]) => void written.push(...records), getProfiles: async () => new Map([['c-1', { createdAt: '2027-03-20T10:00:00Z' }]]) } as unknown as CustomerStore;
    const file = [line({ type: 'erasure', customerId: 'c-1', requestedAt: '2027-03-01T09:00:00Z' }), line({ type: 'erasure', customerId: 'c-1', requestedAt: '2027-03-21T09:00:00Z' })];

    // Act
    const old = await importNdjson(store, file[0]!, new Date('2027-03-21T10:00:00Z'), { defaultMarketingOptIn: false, erasures });
    const fresh = await importNdjson(store, file[1]!, new Date('2027-03-21T10:00:00Z'), { defaultMarketingOptIn: false, erasures });

    // Assess
    expect(old.rejected).toEqual([{ line: 1, record: 'erasure c-1', field: 'requestedAt', reason: expect.stringMatching(/^erasure: requested at 2027-03-01T09:00:00Z, before customer c-1 registered again/) }]);
    expect(fresh.rejected).toEqual([]);
    expect(written).toEqual([expect.objectContaining({ type: 'erasure', requestedAt: '2027-03-21T09:00:00Z' })]);
  });
});

describe('importNdjson and a customer registered again', () => {
  it('takes their profile sent again without createdAt (it keeps the stored one, after the erasure), and their other records', async () => {
    // Prepare: c-1 registered again on 03-20 (stored now); the business sends their profile again, and a contract
    const registeredAgain = { customerId: 'c-1', recordKey: 'customer', createdAt: '2027-03-20T10:00:00.000Z' };
    const written: BusinessRecord[] = [];
    const store = {
      putRecords: async (records: readonly BusinessRecord[]) => void written.push(...records),
      getProfiles: async () => new Map([['c-1', registeredAgain]]),
      getItems: async () => new Map([['c-1|customer', registeredAgain]]),
    } as unknown as CustomerStore;

    // Act
    const result = await importNdjson(store, oldFile.replace('"marketingOptIn":true', '"marketingOptIn":false'), new Date('2027-04-01T10:00:00Z'), { defaultMarketingOptIn: false, erasures });

    // Assess: written, with the createdAt that registered them again
    expect(result.rejected).toEqual([]);
    expect(written.map((record) => `${record.type} ${record.customerId}`)).toEqual(['customer c-1', 'contract c-1', 'contract c-2']);
    expect(written[0]).toMatchObject({ createdAt: '2027-03-20T10:00:00.000Z', marketingOptIn: false });
  });
});

/** The customer table as the import uses it, holding one stored profile (these fields of it); nobody erased. */
const tableWithProfile = (customerId: string, fields: Record<string, unknown>) => {
  const written: BusinessRecord[] = [];
  const profile = { customerId, recordKey: 'customer', ...fields };
  const store = {
    putRecords: async (records: readonly BusinessRecord[]) => void written.push(...records),
    getItems: async (keys: readonly { customerId: string; recordKey: string }[]) =>
      new Map(keys.filter((key) => key.customerId === customerId).map((key) => [`${key.customerId}|${key.recordKey}`, profile])),
  } as unknown as CustomerStore;
  return { store, written };
};
const noErasures = { receiptsOf: async () => new Map() } as unknown as ErasureStore;

describe('importNdjson and createdAt', () => {
  it('keeps the stored createdAt of a customer whose line leaves it out, and gives a new customer the import time', async () => {
    // Prepare: c-5 is stored since 2025; c-6 is new; the file (re-sent weekly) says when neither joined
    const storedSince = '2025-02-03T10:00:00.000Z';
    const { store, written } = tableWithProfile('c-5', { createdAt: storedSince });
    const file = [
      line({ type: 'customer', customerId: 'c-5', email: 'e@example.com', timeZone: 'UTC', tier: 'gold' }),
      line({ type: 'customer', customerId: 'c-6', email: 'f@example.com', timeZone: 'UTC' }),
    ].join('\n');
    const now = new Date('2027-04-01T10:00:00Z');

    // Act
    const result = await importNdjson(store, file, now, { defaultMarketingOptIn: false, erasures: noErasures });

    // Assess: the update keeps when c-5 joined; only the new customer joins now
    expect(result.rejected).toEqual([]);
    expect(written.map((record) => [record.customerId, (record as { createdAt?: string }).createdAt])).toEqual([['c-5', storedSince], ['c-6', now.toISOString()]]);
  });
});

describe('importNdjson and consent', () => {
  it('keeps the stored consent of a customer whose line leaves it out (a withdrawal is not undone by the default); a new customer gets the default', async () => {
    // Prepare: the business's default is consent; c-7 withdrew theirs (stored false); c-8 is new
    const { store, written } = tableWithProfile('c-7', { marketingOptIn: false });
    const file = [
      line({ type: 'customer', customerId: 'c-7', email: 'g@example.com', timeZone: 'UTC', tier: 'gold' }),
      line({ type: 'customer', customerId: 'c-8', email: 'h@example.com', timeZone: 'UTC' }),
    ].join('\n');

    // Act
    const result = await importNdjson(store, file, new Date('2027-04-01T10:00:00Z'), { defaultMarketingOptIn: true, erasures: noErasures });

    // Assess: only the new customer takes the default, and only they are counted as given it
    expect(written.map((record) => [record.customerId, (record as { marketingOptIn?: boolean }).marketingOptIn])).toEqual([['c-7', false], ['c-8', true]]);
    expect(result.consentDefaulted).toBe(1);
  });
});
