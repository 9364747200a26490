import { describe, expect, it } from 'vitest';
import { erasedRecordReason, erasureKeyOf, secondPassAfter, SECOND_PASS_AFTER_MINUTES, type ErasureReceipt } from '../../functions/core/erasure.js';
import { functionTimeoutSeconds } from '../../functions/core/function-timeouts.js';
import { formatErasure } from '../../functions/cli/customer.js';
import { redactEmailsIn } from '../../functions/core/mask.js';
import { parseNdjson, recordKeyOf } from '../../functions/core/records.js';

const receipt: ErasureReceipt = { customerHash: erasureKeyOf('c-1'), erasedAt: '2027-03-12T08:00:00.000Z', requestedAt: '2027-03-11T18:00:00.000Z', requestedBy: 'record' };

describe('erasure', () => {
  it('keys a receipt by a hash of the id, never the id', () => {
    expect(erasureKeyOf('c-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(erasureKeyOf('c-1')).not.toBe(erasureKeyOf('c-2'));
    expect(erasureKeyOf('c-1')).not.toContain('c-1');
  });

  it('lets nothing of an erased customer through but a profile created after the erasure, and what comes with it', () => {
    const contract = { type: 'contract' as const, customerId: 'c-1' };
    expect(erasedRecordReason(contract, undefined)).toBeUndefined(); // never erased
    expect(erasedRecordReason(contract, receipt)).toBe('customer c-1 was erased at 2027-03-12T08:00:00.000Z; their records are refused until a customer record created after that registers them again');
    expect(erasedRecordReason({ ...contract, customerId: 'ana.garcia@example.com' }, receipt)).toMatch(/^customer a\*\*\*@example\.com was erased/); // an id that is an address is masked
    expect(erasedRecordReason(contract, receipt, { createdAt: '2026-01-01T00:00:00Z' })).toBeDefined(); // the old profile, written again
    expect(erasedRecordReason(contract, receipt, { createdAt: '2027-03-12T08:00:00.001Z' })).toBeUndefined(); // registered again

    const profile = (createdAt?: string) => ({ type: 'customer' as const, customerId: 'c-1', createdAt });
    expect(erasedRecordReason(profile(), receipt)).toBe('customer c-1 was erased at 2027-03-12T08:00:00.000Z; a customer record registers them again only with createdAt later than that');
    expect(erasedRecordReason(profile('2027-03-12T08:00:00.000Z'), receipt)).toBeDefined(); // not after: the same instant
    expect(erasedRecordReason(profile('not a date'), receipt)).toBeDefined();
    expect(erasedRecordReason(profile('2027-03-20T10:00:00+01:00'), receipt)).toBeUndefined();
    // Asking again is never refused.
    expect(erasedRecordReason({ type: 'erasure', customerId: 'c-1' }, receipt)).toBeUndefined();
  });

  it('does not apply again an erasure asked for before the customer registered again after an earlier one', () => {
    // Prepare: erased on 03-12, registered again on 03-20.
    const back = { createdAt: '2027-03-20T10:00:00Z' };
    const erasure = (requestedAt?: string) => ({ type: 'erasure' as const, customerId: 'c-1', requestedAt });

    // Act, Assess: the old request (an old file imported again) is refused, naming when it was asked and when they came back.
    expect(erasedRecordReason(erasure('2027-03-01T00:00:00Z'), receipt, back)).toBe(
      'requested at 2027-03-01T00:00:00Z, before customer c-1 registered again (createdAt 2027-03-20T10:00:00Z, after their erasure at 2027-03-12T08:00:00.000Z): an old request, honoured by that erasure, is not applied again',
    );
    // A new request, one that does not say when (asked now), one of a customer not registered again, or never erased: applied.
    expect(erasedRecordReason(erasure('2027-03-25T00:00:00Z'), receipt, back)).toBeUndefined();
    expect(erasedRecordReason(erasure(), receipt, back)).toBeUndefined();
    expect(erasedRecordReason(erasure('2027-03-01T00:00:00Z'), receipt, { createdAt: '2026-01-01T00:00:00Z' })).toBeUndefined();
    expect(erasedRecordReason(erasure('2027-03-01T00:00:00Z'), undefined, back)).toBeUndefined();
  });

  it('makes the second pass after the longest any function runs', () => {
    expect(SECOND_PASS_AFTER_MINUTES * 60).toBeGreaterThan(Math.max(...Object.values(functionTimeoutSeconds)));
    expect(secondPassAfter(new Date('2027-03-12T08:00:00Z')).getTime() - Date.parse('2027-03-12T08:00:00Z')).toBe(SECOND_PASS_AFTER_MINUTES * 60_000);
  });

  it('reads an erasure record, naming the field of a bad one', () => {
    const { records, rejected } = parseNdjson(
      [
        JSON.stringify({ type: 'erasure', customerId: 'c-1', requestedAt: '2027-03-11T18:00:00Z' }),
        JSON.stringify({ type: 'erasure', customerId: 'c-2', requestedAt: 'yesterday' }),
        JSON.stringify({ type: 'erasure' }),
      ].join('\n'),
      new Date('2027-03-12T00:00:00Z'),
    );
    expect(records.map(({ record }) => [record.type, record.customerId, recordKeyOf(record)])).toEqual([['erasure', 'c-1', 'erasure#c-1']]);
    expect(rejected).toEqual([
      { line: 2, record: 'erasure c-2', field: 'requestedAt', reason: "erasure.requestedAt: is not an ISO-8601 instant 'yesterday'" },
      { line: 3, record: 'erasure', field: 'customerId', reason: 'erasure.customerId: required field is missing' },
    ]);
  });

  it('takes every address out of what stays of a suppression, masked ones too', () => {
    expect(redactEmailsIn('rejected by the mail service: Address <ana.garcia@example.com> blocked; a***@example.com')).toBe('rejected by the mail service: Address <[address]> blocked; [address]');
  });

  it('says what `customer erase` did without printing an id that is an address', () => {
    const text = formatErasure('lena.berg@example.se', { receipt, deleted: { customers: 1, messages: 2, ledger: 1, suppressions: 1 } });
    expect(text).toContain('Erased l***@example.se: deleted 1 record (Customers), 2 messages (Messages), 1 ledger (Ledger).');
    expect(text).toContain('Records of l***@example.se imported or written later are refused');
    expect(text).not.toContain('lena.berg');
  });
});
