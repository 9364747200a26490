import { brandNamed } from './brand.js';
import { describe, expect, it } from 'vitest';
import { customerFromItem, describeLine, locales, nearMissOf, parseNdjson, parseRecord, parseStoredRecord, templateLocaleOf, type Customer } from '../../functions/core/records.js';
import { anyComplaintOpen } from '../../functions/core/campaigns/survey.js';
import { InvalidRecordError } from '../../functions/core/errors.js';
import { consentBlocks, hasMarketingConsent } from '../../functions/core/consent.js';
import { isEligibleForBirthday } from '../../functions/core/campaigns/birthday.js';
import { itemBytes, MAX_ITEM_BYTES, storageProblemOf, storedItemOf } from '../../functions/core/stored-record.js';
import { renderEmail, templateNames } from '../../functions/core/templates/index.js';
import { readFileSync } from 'node:fs';
import { generateCohort } from '../../scripts/demo-data.js';

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

  it('never quotes a line that is not JSON: V8 quotes a piece of it, which may be an address, whole or cut', () => {
    const lines = ['{"type":"customer","email":jo@ex.io,"customerId":"c-3"}', '{"type":"customer","customerId":"c-4","email":ana.garcia@example.com}', '{"email":"bea@ex.io" "x":1}'];
    const { rejected } = parseNdjson(lines.join('\n'), now);
    expect(rejected.map((r) => r.reason)).toEqual([
      "line is not JSON (Unexpected token 'j')",
      "line is not JSON (Unexpected token 'a')",
      expect.stringMatching(/^line is not JSON \(Expected ',' or '}' after property value in JSON at position 21\b/),
    ]);
  });

  it('names a record whose id is an e-mail address with the address masked, in rejects and warnings alike', () => {
    // Prepare: a business that uses addresses as customer ids
    const text = [
      customer({ customerId: 'ana.garcia@example.com', timeZone: 'Mars/Olympus' }),
      customer({ customerId: 'bob.smith@example.com', locale: 'fr' }),
      JSON.stringify({ type: 'contract', contractId: 'carl@example.com', customerId: 'c-1', endsOn: '2027-13-01' }),
    ].join('\n');

    // Act
    const { rejected, warnings } = parseNdjson(text, now);
    const shown = [...rejected, ...warnings].map(describeLine);

    // Assess
    expect(shown).toEqual([
      "line 1 (customer a***@example.com): customer.timeZone: unknown time zone 'Mars/Olympus'",
      "line 3 (contract c***@example.com): contract.endsOn: is not a date (YYYY-MM-DD) '2027-13-01'",
      "line 2 (customer b***@example.com): customer.locale: no templates in 'fr'; this customer's e-mails go in 'en'",
    ]);
    expect(JSON.stringify([rejected, warnings])).not.toMatch(/ana\.garcia|bob\.smith|carl@/);
  });

  it('warns of a complaint open again after its resolution that does not say when, and imports it', () => {
    // Prepare
    const complaint = (fields: Record<string, unknown>) => JSON.stringify({ type: 'complaint', complaintId: 'q-1', customerId: 'c-1', openedAt: '2027-01-02T10:00:00Z', subject: 'Late', ...fields });
    const text = [
      complaint({ status: 'open', resolvedAt: '2027-01-05T10:00:00Z' }),
      complaint({ status: 'open', resolvedAt: '2027-01-05T10:00:00Z', reopenedAt: '2027-01-04T10:00:00Z' }),
      complaint({ status: 'open', resolvedAt: '2027-01-05T10:00:00Z', reopenedAt: '2027-01-09T10:00:00Z' }), // says when: no warning
      complaint({ status: 'resolved', resolvedAt: '2027-01-05T10:00:00Z' }),
      complaint({ status: 'open' }),
    ].join('\n');

    // Act
    const { records, warnings } = parseNdjson(text, now);

    // Assess
    expect(records).toHaveLength(5);
    expect(warnings.map(describeLine)).toEqual([
      'line 1 (complaint q-1): complaint.reopenedAt: open again after it was resolved (2027-01-05T10:00:00Z) without reopenedAt; say when it was opened again, or it gets no new check-ins and no second "how did we do?"',
      "line 2 (complaint q-1): complaint.reopenedAt: open again after it was resolved (2027-01-05T10:00:00Z) with reopenedAt '2027-01-04T10:00:00Z', before it; say when it was opened again, or it gets no new check-ins and no second \"how did we do?\"",
    ]);
  });

  it('says a reject with its line, and names the record when the reason does not', () => {
    expect(describeLine({ line: 2, record: 'customer c-2', reason: "customer.timeZone: unknown time zone 'Mars/Olympus'" })).toBe("line 2 (customer c-2): customer.timeZone: unknown time zone 'Mars/Olympus'");
    expect(describeLine({ line: 25, record: 'customer c-9', reason: 'customer c-9: 410,185 bytes as stored, over the 400 KB a record may take' })).toBe('line 25: customer c-9: 410,185 bytes as stored, over the 400 KB a record may take');
    expect(describeLine({ line: 4, record: 'line', reason: 'line is not JSON (Unexpected token \'o\')' })).toBe("line 4: line is not JSON (Unexpected token 'o')");
    expect(describeLine({ line: 9, reason: 'from a report written before records were named' })).toBe('line 9: from a report written before records were named');
  });

  it('fills defaults, keeps unknown fields, and takes import time as createdAt', () => {
    const { records } = parseNdjson(customer({ favouriteColour: 'teal' }), now);
    expect(records[0]!.record).toMatchObject({
      locale: 'en',
      tier: 'standard',
      loyaltyPoints: 0,
      marketingOptIn: false,
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

  it('refuse a near miss of a field they leave out, as import does; beside the field itself it is an attribute of the business\'s own', () => {
    const contract = { customerId: 'c-9', recordKey: 'contract#k-1', contractId: 'k-1', endsOn: '2027-06-30' };
    expect(parseStoredRecord({ ...contract, Status: 'cancelled' }, 'contract', now)).toMatchObject({ ok: false, rejection: { field: 'Status', reason: "contract.Status: not a field of contract; did you mean 'status'?" } });
    expect(parseStoredRecord({ ...contract, status: 'cancelled', Status: 'CANCELLED' }, 'contract', now)).toMatchObject({ ok: true, record: { status: 'cancelled' } });
    expect(parseStoredRecord({ ...contract, customer: 'ACME' }, 'contract', now)).toMatchObject({ ok: true });
    // The store's own attributes are no near miss (birthdayMonthDay beside birthday)
    expect(parseStoredRecord({ customerId: 'c-9', recordKey: 'customer', email: 'x@example.com', timeZone: 'UTC', birthday: '1990-05-01', birthdayMonthDay: '05-01' }, 'customer', now)).toMatchObject({ ok: true });
  });

  it('a complaint that does not read counts as open: no survey reaches a customer whose complaint may be unresolved', () => {
    const complaint = { customerId: 'c-9', recordKey: 'complaint#q-1', complaintId: 'q-1', openedAt: '2027-01-02T10:00:00Z' };
    expect(anyComplaintOpen([{ ...complaint, status: 'resolved', resolvedAt: '2027-01-05T10:00:00Z' }], now)).toBe(false);
    expect(anyComplaintOpen([{ ...complaint, Status: 'resolved' }], now)).toBe(true);
    expect(anyComplaintOpen([{ ...complaint, openedAt: 'yesterday', status: 'resolved' }], now)).toBe(true);
  });
});

describe('consent is never assumed (issue #11, finding 9)', () => {
  it('a customer line without marketingOptIn takes the configured default, and the record carries it explicitly', () => {
    // Act
    const shipped = parseNdjson(customer({}), now);
    const optedInByDefault = parseNdjson(customer({}), now, { defaultMarketingOptIn: true });
    const explicit = parseNdjson(customer({ marketingOptIn: false }), now, { defaultMarketingOptIn: true });

    // Assess
    expect(shipped.records[0]).toMatchObject({ record: { marketingOptIn: false }, consentDefaulted: true });
    expect(optedInByDefault.records[0]).toMatchObject({ record: { marketingOptIn: true }, consentDefaulted: true });
    expect(explicit.records[0]!.record).toMatchObject({ marketingOptIn: false });
    expect(explicit.records[0]).not.toHaveProperty('consentDefaulted');
  });

  it('a stored profile without marketingOptIn reads as no consent, and every consent check agrees', () => {
    // Prepare: written straight into the table by a business system, without the field
    const stored = customerFromItem({ customerId: 'c-9', recordKey: 'customer', email: 'x@example.com', timeZone: 'UTC', birthday: '1990-05-01' }, now);

    // Assess
    expect(stored.marketingOptIn).toBe(false);
    expect(hasMarketingConsent(stored)).toBe(false);
    expect(hasMarketingConsent({})).toBe(false);
    expect(hasMarketingConsent({ marketingOptIn: 'true' })).toBe(false);
    expect(hasMarketingConsent({ marketingOptIn: true })).toBe(true);
    expect(isEligibleForBirthday({ birthday: '1990-05-01' } as Pick<Customer, 'birthday' | 'marketingOptIn'>)).toBe(false);
    expect(consentBlocks({ messageClass: 'marketing' }, { ...stored, marketingOptIn: undefined } as unknown as Customer)).toBe('the customer has no marketing consent');
    expect(consentBlocks({ messageClass: 'service' }, stored)).toBeNull();
  });

  it.each([
    ['marketingOptin', 'marketingOptIn'],
    ['MarketingOptIn', 'marketingOptIn'],
    ['marketing_opt_in', 'marketingOptIn'],
    ['marketingOptedIn', 'marketingOptIn'],
    ['birthdate', 'birthday'],
    ['timezone', 'timeZone'],
    ['emial', 'email'],
    ['customerID', 'customerId'],
    ['At', 'at'],
  ])('rejects the near miss %s with "did you mean %s"', (typo, meant) => {
    // Act
    const { records, rejected } = parseNdjson(customer({ marketingOptIn: true, [typo]: false }), now);

    // Assess
    expect(records).toEqual([]);
    expect(rejected).toEqual([{ line: 1, record: 'customer c-1', field: typo, reason: `customer.${typo}: not a field of customer; did you mean '${meant}'?` }]);
  });

  it.each([
    ['customer', 'customerNo'],
    ['customer', 'customerIds'],
    ['customer', 'createdBy'],
    ['customer', 'timeZoneId'],
    ['customer', 'timezoneId'],
    ['customer', 'emails'],
    ['contract', 'contractNo'],
    ['complaint', 'openedBy'],
    ['complaint', 'resolvedBy'],
    ['complaint', 'reopenedBy'],
    ['interaction', 'completedBy'],
    ['surveyResponse', 'respondedBy'],
    ['surveyResponse', 'scores'],
    ['erasure', 'requestedBy'],
  ])('keeps %s.%s: a field of the business\'s own (another last word, one more, a plural), not a typo', (type, field) => {
    // Prepare: a valid record of each type, with the extra field
    const valid: Record<string, Record<string, unknown>> = {
      customer: JSON.parse(customer({})),
      contract: { type: 'contract', contractId: 'k-1', customerId: 'c-1', endsOn: '2027-05-01' },
      complaint: { type: 'complaint', complaintId: 'q-1', customerId: 'c-1', openedAt: '2027-01-02T10:00:00Z' },
      interaction: { type: 'interaction', interactionId: 'o-1', customerId: 'c-1', completedAt: '2027-01-02T10:00:00Z' },
      surveyResponse: { type: 'surveyResponse', surveyId: 'o-1', customerId: 'c-1', score: 9 },
      erasure: { type: 'erasure', customerId: 'c-1' },
    };

    // Act
    const { records, rejected } = parseNdjson(JSON.stringify({ ...valid[type], [field]: 'x' }), now);

    // Assess: imported, the field kept
    expect(rejected).toEqual([]);
    expect(records[0]!.record).toMatchObject({ [field]: 'x' });
  });

  it('still refuses a slip in the last word or a word left out', () => {
    expect(nearMissOf('marketingOptIm', ['marketingOptIn'])).toBe('marketingOptIn');
    expect(nearMissOf('marketingOpt', ['marketingOptIn'])).toBe('marketingOptIn');
    expect(nearMissOf('createdAr', ['createdAt'])).toBe('createdAt');
    expect(nearMissOf('birthDate', ['birthday'])).toBe('birthday');
  });

  it('refuses another word for when as the known moment under another name (an erasure requestedOn would otherwise count as asked now)', () => {
    for (const [name, known] of [['createdOn', 'createdAt'], ['requestedOn', 'requestedAt'], ['reopenedDate', 'reopenedAt']]) {
      expect(nearMissOf(name!, [known!])).toBe(known);
    }
    const { records, rejected } = parseNdjson(JSON.stringify({ type: 'erasure', customerId: 'c-1', requestedOn: '2027-01-02T10:00:00Z' }), now);
    expect(records).toEqual([]);
    expect(rejected).toEqual([{ line: 1, record: 'erasure c-1', field: 'requestedOn', reason: "erasure.requestedOn: not a field of erasure; did you mean 'requestedAt'?" }]);
  });

  it('keeps unknown fields that are no near miss, and suggests the record type', () => {
    const { records } = parseNdjson(customer({ favouriteColour: 'teal', names: 'x', segment: 'b2b', lastName: 'García', phone: '1', email2: 'x', locale2: 'de' }), now);
    expect(records).toHaveLength(1);
    expect(nearMissOf('updatedAt', ['createdAt'])).toBeUndefined();
    expect(parseRecord({ type: 'Customer', customerId: 'c-1' }, now)).toMatchObject({ ok: false, rejection: { field: 'type', reason: "record.type: unknown record type 'Customer' (did you mean 'customer'?)" } });
  });

  it('accepts a language tag in any case and stores its canonical form, which chooses the templates', () => {
    // Act: tags are case-insensitive (BCP 47)
    const { records, rejected, warnings } = parseNdjson(['ES', 'Es-MX', 'EN-GB', 'ro-ro'].map((locale, i) => customer({ customerId: `c-${i}`, locale })).join('\n'), now);

    // Assess
    expect(rejected).toEqual([]);
    expect(warnings).toEqual([]);
    const stored = records.map((line) => (line.record as Customer).locale);
    expect(stored).toEqual(['es', 'es-MX', 'en-GB', 'ro-RO']);
    expect(stored.map(templateLocaleOf)).toEqual(['es', 'es', 'en', 'ro']);
  });

  it("names the template language a locale falls back to, and warns when the customer's language has no templates", () => {
    // Act
    const { records, warnings } = parseNdjson([customer({ locale: 'fr' }), customer({ customerId: 'c-2', locale: 'es-MX' }), customer({ customerId: 'c-3', locale: 'pt-BR' }), customer({ customerId: 'c-4', locale: 'ro' })].join('\n'), now);

    // Assess
    expect(records).toHaveLength(4);
    expect(records[0]!.record).toMatchObject({ locale: 'fr' }); // stored as given
    expect(warnings).toEqual([
      { line: 1, record: 'customer c-1', field: 'locale', reason: "customer.locale: no templates in 'fr'; this customer's e-mails go in 'en'" },
      { line: 3, record: 'customer c-3', field: 'locale', reason: "customer.locale: no templates in 'pt-BR'; this customer's e-mails go in 'en'" },
    ]);
    expect([templateLocaleOf('fr'), templateLocaleOf('es-MX'), templateLocaleOf('ro'), templateLocaleOf('en-GB')]).toEqual(['en', 'es', 'ro', 'en']);
  });

  it('the demo data states consent for every customer it imports, so the consenting ones still get marketing', () => {
    const committed = readFileSync(new URL('../../data/demo.ndjson', import.meta.url), 'utf8');
    for (const text of [committed, generateCohort({ customers: 60, seed: 5, startDate: '2027-01-01', invalidLines: true }).join('\n')]) {
      const { records } = parseNdjson(text, now);
      const customers = records.flatMap((line) => (line.record.type === 'customer' ? [{ ...line, record: line.record }] : []));
      expect(customers.filter((line) => line.consentDefaulted)).toEqual([]);
      expect(customers.filter((line) => hasMarketingConsent(line.record)).length).toBeGreaterThan(customers.length * 0.8);
    }
  });

  it('the template languages named are the ones the templates have', () => {
    const reader = { type: 'customer', customerId: 'c-1', email: 'a@example.com', timeZone: 'UTC', tier: 'gold', loyaltyPoints: 10, marketingOptIn: true, createdAt: '2020-01-01T00:00:00Z' } as const;
    for (const name of templateNames) {
      for (const locale of locales) expect(renderEmail(name, { ...reader, locale }, { brand: brandNamed('Shop') }).locale).toBe(locale);
      expect(renderEmail(name, { ...reader, locale: 'fr' }, { brand: brandNamed('Shop') }).locale).toBe('en');
    }
  });
});

describe("ids may not contain '#' (issue #11, finding 9)", () => {
  it.each([
    [{ type: 'customer', customerId: 'c#survey', email: 'a@example.com', timeZone: 'UTC' }, 'customer.customerId'],
    [{ type: 'contract', contractId: 'k#1', customerId: 'c', endsOn: '2027-06-30' }, 'contract.contractId'],
    [{ type: 'contract', contractId: 'k-1', customerId: 'c#1', endsOn: '2027-06-30' }, 'contract.customerId'],
    [{ type: 'complaint', complaintId: 'q#1', customerId: 'c', openedAt: '2027-01-01T10:00:00Z' }, 'complaint.complaintId'],
    [{ type: 'interaction', interactionId: 'survey#o', customerId: 'c', completedAt: '2027-01-01T10:00:00Z' }, 'interaction.interactionId'],
    [{ type: 'surveyResponse', surveyId: 's#1', customerId: 'c', score: 9 }, 'surveyResponse.surveyId'],
  ])('rejects %o naming %s', (record, field) => {
    const { rejected } = parseNdjson(JSON.stringify(record), now);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatch(new RegExp(`^${field}: must not contain '#' \\(it separates the parts of message ids\\) '.*#.*'$`));
  });
});

describe('numbers that would be rounded (issue #11, finding 8)', () => {
  it('rejects an integer beyond 2^53 anywhere, quoting the digits as written; 2^53 − 1 goes in', () => {
    // Prepare: JSON.stringify cannot write these, so the lines are written by hand
    const base = '"type":"customer","customerId":"c-1","email":"ana@example.com","timeZone":"UTC","marketingOptIn":true';
    const text = [
      `{${base},"legacyId":9007199254740993}`,
      `{${base},"legacyId":9007199254740991}`,
      `{${base},"crm":{"ids":[1,-18014398509481985]}}`,
      `{${base},"balance":1e400}`,
      `{${base},"ratio":1e-200}`,
      `{${base},"loyaltyPoints":12345678901234567890}`,
    ].join('\n');

    // Act
    const { records, rejected } = parseNdjson(text, now);

    // Assess
    expect(records.map((r) => r.line)).toEqual([2]);
    expect(records[0]!.record).toMatchObject({ legacyId: 9007199254740991 });
    expect(rejected).toEqual([
      { line: 1, record: 'customer c-1', field: 'legacyId', reason: "customer.legacyId: '9007199254740993' is beyond 2^53 (±9007199254740991), the largest number kept exactly; it would be rounded (write it as a string)" },
      { line: 3, record: 'customer c-1', field: 'crm.ids.1', reason: expect.stringMatching(/^customer\.crm\.ids\.1: '-18014398509481985' is beyond 2\^53/) },
      { line: 4, record: 'customer c-1', field: 'balance', reason: expect.stringMatching(/^customer\.balance: '1e400' is beyond 2\^53/) },
      { line: 5, record: 'customer c-1', field: 'ratio', reason: "customer.ratio: '1e-200' is closer to zero than can be stored (1e-130); write it as a string" },
      { line: 6, record: 'customer c-1', field: 'loyaltyPoints', reason: expect.stringMatching(/^customer\.loyaltyPoints: '12345678901234567890' is beyond 2\^53/) },
    ]);
  });
});

describe('what the table can store (issue #11, finding 8)', () => {
  const record = (fields: Record<string, unknown>) => {
    const result = parseRecord({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'UTC', marketingOptIn: true, createdAt: '2020-01-01T00:00:00Z', ...fields }, now);
    if (!result.ok) throw new Error(result.rejection.reason);
    return result.record;
  };

  it('refuses a record over 400 KB as stored, naming its size and largest field; one at the limit is fine', () => {
    // Prepare: a record padded to exactly the limit, then one byte over
    const base = itemBytes(storedItemOf(record({ notes: '' })));
    const atLimit = record({ notes: 'x'.repeat(MAX_ITEM_BYTES - base) });
    const over = record({ notes: 'x'.repeat(MAX_ITEM_BYTES - base + 1) });

    // Assess
    expect(itemBytes(storedItemOf(atLimit))).toBe(MAX_ITEM_BYTES);
    expect(storageProblemOf(atLimit)).toBeNull();
    expect(storageProblemOf(over)).toEqual({
      field: 'notes',
      reason: `customer c-1: 409,601 bytes as stored, over the 400 KB (409,600 bytes) a record may take; its largest field is 'notes' (${(MAX_ITEM_BYTES - base + 1 + 5).toLocaleString('en')} bytes)`,
    });
  });

  it('refuses names the store keeps for its keys, empty field names and nesting beyond 32 levels', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 32; i++) deep = { a: deep };
    expect(storageProblemOf(record({ birthdayMonthDay: 5 }))).toMatchObject({ field: 'birthdayMonthDay', reason: 'customer.birthdayMonthDay: the store keeps this name for its own keys; rename the field' });
    expect(storageProblemOf(record({ recordKey: 'x' }))?.field).toBe('recordKey');
    expect(storageProblemOf(record({ '': 1 }))?.reason).toBe('customer: has a field with an empty name, which cannot be stored');
    expect(storageProblemOf(record({ crm: { '': 1 } }))?.reason).toBe('customer.crm: has a field with an empty name, which cannot be stored');
    expect(storageProblemOf(record({ deep }))?.reason).toMatch(/^customer\.deep(\.a)+: is nested deeper than the 32 levels that can be stored$/);
    expect(storageProblemOf(record({ deep: (deep as { a: unknown }).a }))).toBeNull();
  });
});
