import { describe, expect, it } from 'vitest';
import { customerFromItem, parseNdjson } from '../../functions/core/records.js';
import { InvalidRecordError } from '../../functions/core/errors.js';

const now = new Date('2027-01-01T00:00:00.000Z');
const customer = (fields: Record<string, unknown>) => JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid', ...fields });

describe('NDJSON import validation', () => {
  it('imports every valid line around the bad ones and names line, record, field and value for each reject', () => {
    // Prepare
    const text = [
      customer({ customerId: 'c-1' }),
      customer({ customerId: 'c-2', timeZone: 'Mars/Olympus' }),
      customer({ customerId: 'c-3', birthday: '1990-02-30' }),
      '{"type": "customer", "customerId": "c-broken"',
      customer({ customerId: 'c-4' }),
      JSON.stringify({ type: 'surveyResponse', surveyId: 's-1', customerId: 'c-1', score: 11 }),
      JSON.stringify({ type: 'coupon', couponId: 'x' }),
      JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: 'c-1', endsOn: '2027-13-01' }),
      JSON.stringify({ type: 'complaint', complaintId: 'q-1', customerId: 'c-1' }),
      customer({ customerId: 'c-5', email: 'not-an-address@' }),
      '',
      JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId: 'c-1', completedAt: '2027-01-02T10:00:00Z' }),
    ].join('\n');

    // Act
    const { records, rejected } = parseNdjson(text, now);

    // Assess
    expect(records.map((r) => r.line)).toEqual([1, 5, 12]);
    expect(rejected).toEqual([
      { line: 2, record: 'customer c-2', field: 'timeZone', reason: "customer.timeZone: unknown time zone 'Mars/Olympus'" },
      { line: 3, record: 'customer c-3', field: 'birthday', reason: "customer.birthday: is not a date (YYYY-MM-DD or --MM-DD) '1990-02-30'" },
      { line: 4, record: 'line', field: 'json', reason: expect.stringMatching(/^line is not JSON/) },
      { line: 6, record: 'surveyResponse s-1', field: 'score', reason: "surveyResponse.score: must be an integer from 0 to 10 '11'" },
      { line: 7, record: 'coupon', field: 'type', reason: expect.stringContaining("unknown record type 'coupon'") },
      { line: 8, record: 'contract k-1', field: 'endsOn', reason: "contract.endsOn: is not a date (YYYY-MM-DD) '2027-13-01'" },
      { line: 9, record: 'complaint q-1', field: 'openedAt', reason: 'complaint.openedAt: required field is missing' },
      { line: 10, record: 'customer c-5', field: 'email', reason: expect.stringContaining('customer.email: is not a valid e-mail address') },
    ]);
  });

  it('never repeats a whole e-mail address in a reason', () => {
    const { rejected } = parseNdjson(customer({ email: 'ana.garcia@@example.com' }), now);
    expect(rejected[0]!.reason).not.toContain('ana.garcia');
    expect(rejected[0]!.reason).toContain('a***@example.com');
  });

  it('fills defaults, keeps unknown fields, and takes import time as createdAt', () => {
    const { records } = parseNdjson(customer({ favouriteColour: 'teal' }), now);
    expect(records[0]!.record).toMatchObject({
      locale: 'en',
      tier: 'standard',
      loyaltyPoints: 0,
      marketingOptIn: true,
      createdAt: now.toISOString(),
      favouriteColour: 'teal',
    });
  });

  it('keeps `at` apart from the record and refuses one that is not an instant', () => {
    const { records, rejected } = parseNdjson([customer({ at: '2027-02-01T10:00:00Z' }), customer({ at: 'next tuesday' })].join('\n'), now);
    expect(records[0]!.at?.toISOString()).toBe('2027-02-01T10:00:00.000Z');
    expect(records[0]!.record).not.toHaveProperty('at');
    expect(rejected[0]).toMatchObject({ line: 2, field: 'at', reason: "record.at: is not an ISO-8601 instant 'next tuesday'" });
  });

  it.each([
    [{ loyaltyPoints: -1 }, 'loyaltyPoints'],
    [{ loyaltyPoints: 1.5 }, 'loyaltyPoints'],
    [{ marketingOptIn: 'yes' }, 'marketingOptIn'],
    [{ tier: 'platinum' }, 'tier'],
    [{ locale: 'Spanish!' }, 'locale'],
    [{ customerId: '' }, 'customerId'],
    [{ createdAt: '2027-01-01' }, 'createdAt'],
  ])('rejects %o on field %s', (fields, field) => {
    const { rejected } = parseNdjson(customer(fields), now);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.field).toBe(field);
    expect(rejected[0]!.reason).toMatch(new RegExp(`^customer\\.${field}: `));
  });
});

describe('stored customer items', () => {
  it('are checked against the same schema and name the key and field when invalid', () => {
    const item = { customerId: 'c-9', recordKey: 'customer', email: 'x@example.com', timeZone: 'Nowhere/Land' };
    expect(() => customerFromItem(item, now)).toThrow(InvalidRecordError);
    try {
      customerFromItem(item, now);
    } catch (error) {
      expect(error).toMatchObject({ record: 'customer c-9', field: 'timeZone' });
      expect((error as Error).message).toBe("customer c-9: customer.timeZone: unknown time zone 'Nowhere/Land'");
    }
  });
});
