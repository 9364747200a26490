/**
 * The lines of issue #11 findings 8 and 9 as a user would write them, each next to what must become of
 * it, among good records (before, between and after them, across several 25-record batches). Ids carry
 * `prefix` so runs never meet; the customers with a birthday have it on 2 March.
 */
export interface CorpusLine {
  readonly text: string;
  /** The start of the reject's reason; null when the line is imported. */
  readonly rejected: string | null;
  /** The start of the warning's reason, when the line is imported with one. */
  readonly warning?: string;
}

export const importCorpus = (prefix: string) => {
  const id = (name: string) => `${prefix}${name}`;
  const customer = (name: string, fields: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 'customer', customerId: id(name), email: `${id(name)}@example.com`, timeZone: 'Europe/Madrid', locale: 'en', name, ...fields });
  const good = (n: number, from: number): CorpusLine[] =>
    Array.from({ length: n }, (_, i) => ({ text: customer(`filler-${from + i}`, { marketingOptIn: true }), rejected: null }));
  const lines: CorpusLine[] = [
    ...good(20, 1), // lines 1-20
    { text: customer('ana', { marketingOptIn: true, birthday: '1990-03-02' }), rejected: null }, // 21: consents, gets her greeting
    { text: customer('ben', { marketingOptIn: true, name: 'Old Ben' }), rejected: null, warning: `customer ${id('ben')} is given again on line 24; line 24 is imported` }, // 22
    { text: JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: id('ana'), endsOn: '2027-09-30' }), rejected: null }, // 23
    { text: customer('ben', { marketingOptIn: true, name: 'New Ben' }), rejected: null }, // 24: the same record again, within 25 lines: the later one wins
    { text: customer('cy', { marketingOptIn: true, notes: 'x'.repeat(410_000) }), rejected: `customer ${id('cy')}: 410,` }, // 25: over 400 KB
    { text: `{"type":"customer","customerId":"${id('dee')}","email":"${id('dee')}@example.com","timeZone":"UTC","marketingOptIn":true,"legacyId":9007199254740993}`, rejected: "customer.legacyId: '9007199254740993' is beyond 2^53" }, // 26
    { text: customer('eve', { marketingOptin: false, birthday: '1990-03-02' }), rejected: "customer.marketingOptin: not a field of customer; did you mean 'marketingOptIn'?" }, // 27: the typo of finding 9
    { text: customer('fay', { birthday: '1990-03-02' }), rejected: null }, // 28: no marketingOptIn: stored false, no greeting
    { text: customer('gil', { marketingOptIn: true, locale: 'fr', birthday: '1990-03-02' }), rejected: null, warning: "customer.locale: no templates in 'fr'; this customer's e-mails go in 'en'" }, // 29
    { text: customer('hal#survey', { marketingOptIn: true }), rejected: "customer.customerId: must not contain '#'" }, // 30
    { text: JSON.stringify({ type: 'interaction', interactionId: 'survey#o', customerId: id('ana'), completedAt: '2027-02-20T10:00:00Z' }), rejected: "interaction.interactionId: must not contain '#'" }, // 31
    ...good(30, 21), // 32-61
  ];
  return { id, lines, text: lines.map((line) => line.text).join('\n') };
};
