import { describe, expect, it } from 'vitest';
import type { CustomerStory } from '../../functions/adapters/customer-story.js';
import { formatExplain } from '../../functions/cli/explain.js';
import type { Message } from '../../functions/core/messages.js';

const base = { customerId: 'c-9', messageClass: 'marketing', priority: 1, countsTowardCap: true, localDate: '2027-01-10', timeZone: 'Asia/Tokyo', attempts: 1, plannedAt: '2027-01-01T00:00:00.000Z' } as const;
const message = (over: Partial<Message> & Pick<Message, 'messageId' | 'campaign' | 'state'>): Message =>
  ({ occurrence: 'x', reason: null, dueAt: '2027-01-10T00:00:00.000Z', deadline: '2027-01-17T00:00:00.000Z', sendAfter: '2027-01-10T00:00:00.000Z', ...base, ...over }) as Message;

describe('retention explain, as printed', () => {
  it('says an unconfirmed send, a provisional end, a "nothing" preference, and never the address', () => {
    // Prepare
    const story: CustomerStory = {
      customerId: 'c-9',
      records: [{ type: 'customer', customerId: 'c-9', email: 'yuki.tanaka@example.jp', timeZone: 'Asia/Tokyo', marketingOptIn: false }, { type: 'interaction', customerId: 'c-9', interactionId: 'o-1' }],
      preferences: { customerId: 'c-9', receive: 'nothing', updatedAt: '2027-01-20T00:00:00.000Z' },
      ledger: { customerId: 'c-9', lastContactDate: '2027-01-10', lastCappedDate: '0000-01-01', openedOn: '2027-01-01' },
      messages: [
        message({ messageId: 'c-9#survey#o-1', campaign: 'survey', state: 'sent', sentAt: '2027-01-10T00:00:00.000Z', subject: 'How did we do?', reason: 'unconfirmed: handed to the mail service, then its dispatcher stopped' }),
        { ...message({ messageId: 'c-9#renewal#k-1#30', campaign: 'renewal', state: 'expired', reason: 'no slot before its deadline: cap', updatedAt: '2027-01-12T00:00:00.000Z' }), waitingCustomerId: 'c-9' } as Message,
      ],
    };
    // Act
    const text = formatExplain(story);
    // Assess
    expect(text).toContain('c-9 <y***@example.jp>: en, Asia/Tokyo, standard; birthday not on record');
    expect(text).toContain('Records:     1 interaction');
    expect(text).toContain('marketing NO (marketingOptIn false): service messages only');
    expect(text).toContain('Preferences: receive nothing (chosen 2027-01-20T00:00:00.000Z): not even service messages');
    expect(text).toContain('Suppression: none (the address is not suppressed)');
    expect(text).toMatch(/last capped send\s+never/);
    expect(text).toMatch(/next floor check\s+none/);
    expect(text).toMatch(/sent\s+2027-01-10 09:00\s+survey\s+"How did we do\?" \(unconfirmed: handed/);
    expect(text).toMatch(/expired\s+2027-01-12 09:00\s+renewal\s+was due 2027-01-10 09:00: no slot before its deadline: cap \(for now: may be brought back before its deadline\)/);
    expect(text).toContain('Messages:    2 (1 sent, 0 waiting, 1 ended without a send)');
    expect(text).not.toContain('yuki.tanaka');
  });

  it('masks a customer id that is an address, wherever it appears (the heading, message ids, a reason)', () => {
    // Prepare: a business whose ids are the customers' addresses; a customer off the floor by a suppression
    const id = 'lena.berg@example.se';
    const story: CustomerStory = {
      customerId: id,
      records: [{ type: 'customer', customerId: id, email: id, timeZone: 'Europe/Stockholm', marketingOptIn: true }],
      ledger: { customerId: id, lastContactDate: '2027-01-10', lastCappedDate: '2027-01-10', openedOn: '2027-01-01', unreachableAddress: 'a'.repeat(64) },
      messages: [message({ messageId: `${id}#keepInTouch#2027-02-01`, customerId: id, campaign: 'keepInTouch', state: 'suppressed', reason: `the address is suppressed: hard bounce: 550 ${id} unknown`, updatedAt: '2027-02-01T08:00:00.000Z' })],
    };
    // Act
    const text = formatExplain(story);
    const unknown = formatExplain({ customerId: id, records: [], messages: [] } as unknown as CustomerStory);
    // Assess
    expect(text).toContain('l***@example.se <l***@example.se>: en, Europe/Stockholm');
    expect(text).toContain('(l***@example.se#keepInTouch#2027-02-01)');
    expect(text).toContain('hard bounce: 550 l***@example.se unknown');
    expect(text).toContain('next floor check    none: off the contact floor since a message met the suppression of their address');
    expect(text + unknown).not.toContain('lena.berg');
    expect(unknown).toBe('No customer l***@example.se on record.');
    // Without marketing consent there is no floor a lift would put them back on
    const withoutConsent = formatExplain({ ...story, records: [{ ...story.records[0]!, marketingOptIn: false }] });
    expect(withoutConsent).toMatch(/next floor check\s+none \(nothing to check\)/);
  });

  it('says the customer’s holdout group, and unknown when the configuration could not be read', () => {
    // Prepare
    const story: CustomerStory = { customerId: 'c-9', records: [{ type: 'customer', customerId: 'c-9', email: 'c9@example.jp', timeZone: 'Asia/Tokyo', marketingOptIn: true }], messages: [] };

    // Act
    const lines = [
      { group: 'treated', heldOutOf: [] },
      { group: 'heldOut', heldOutOf: ['birthday', 'renewal', 'survey', 'keepInTouch'] },
      { group: 'mixed', heldOutOf: ['birthday'] },
      undefined,
    ].map((holdout) => formatExplain({ ...story, ...(holdout ? { holdout: holdout as CustomerStory['holdout'] } : {}) }).split('\n').find((line) => line.startsWith('Holdout:')));

    // Assess
    expect(lines).toEqual([
      "Holdout:     treated (in no holdout: every campaign's messages go)",
      'Holdout:     HELD OUT of every campaign that can be (birthday, renewal, survey, keepInTouch) (measurement): those messages are recorded heldOut, never sent; complaint follow-ups always go',
      'Holdout:     mixed: held out of birthday (measurement): those messages are recorded heldOut, never sent; complaint follow-ups always go',
      'Holdout:     unknown (the stored configuration does not validate: see `retention config get`)',
    ]);
  });

  it('says when there is no such customer', () => {
    expect(formatExplain({ customerId: 'c-0', records: [], messages: [] })).toBe('No customer c-0 on record.');
  });
});
