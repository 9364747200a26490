import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../functions/core/errors.js';
import { addressKey, mailEventOutcome } from '../../functions/core/suppression.js';

const now = new Date('2027-03-03T10:00:00Z');
const recipients = (...addresses: string[]) => addresses.map((emailAddress) => ({ emailAddress }));

describe('what an SES event means for suppression', () => {
  it('suppresses every recipient of a hard bounce, by the hash of the address, masked for people', () => {
    const outcome = mailEventOutcome({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail', bouncedRecipients: recipients('ana@example.com', 'Bo@Example.com') } }, now);
    expect(outcome).toEqual({
      kind: 'suppress',
      cause: 'Bounce',
      suppressions: [
        { addressKey: addressKey('ana@example.com'), address: 'a***@example.com', reason: 'hard bounce (NoEmail)', since: '2027-03-03T10:00:00.000Z' },
        { addressKey: addressKey('bo@example.com'), address: 'B***@Example.com', reason: 'hard bounce (NoEmail)', since: '2027-03-03T10:00:00.000Z' },
      ],
      unreadable: [],
    });
    expect(JSON.stringify(outcome)).not.toContain('ana@example.com');
  });

  it('suppresses the recipients it can read, and names each it cannot, never losing the good ones to a bad one', () => {
    const outcome = mailEventOutcome({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [...recipients('ana@example.com'), { emailAddress: 'undisclosed-recipients' }] } }, now);
    expect(outcome.kind === 'suppress' && [outcome.suppressions.map((s) => s.address), outcome.unreadable.map((e) => [e.field, e.message])]).toEqual([
      ['a***@example.com'],
      [['bounce.bouncedRecipients[1].emailAddress', 'SES notification: SES notification.bounce.bouncedRecipients[1].emailAddress: is not an e-mail address']],
    ]);
  });

  it.each([
    ['Bounce', { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: recipients('ana.new@elsewhere.example') } }],
    ['Complaint', { complaint: { complainedRecipients: recipients('ana.new@elsewhere.example') } }],
  ])('a %s whose report names another address than the one sent to (a forwarding mailbox) suppresses the one sent to too', (eventType, event) => {
    const outcome = mailEventOutcome({ eventType, ...event, mail: { destination: ['ana@example.com'] } }, now);
    expect(outcome.kind === 'suppress' && outcome.suppressions.map((s) => s.addressKey)).toEqual([addressKey('ana.new@elsewhere.example'), addressKey('ana@example.com')]);
    // Named in the report already (in any case): once.
    const named = mailEventOutcome({ eventType, ...event, mail: { destination: ['Ana.New@Elsewhere.example'] } }, now);
    expect(named.kind === 'suppress' && named.suppressions.map((s) => s.addressKey)).toEqual([addressKey('ana.new@elsewhere.example')]);
  });

  it('suppresses nothing for a "not-spam" report: the reader does not take it for spam', () => {
    expect(mailEventOutcome({ eventType: 'Complaint', complaint: { complaintFeedbackType: 'not-spam', complainedRecipients: recipients('ana@example.com') } }, now)).toEqual({ kind: 'ignore', why: 'a not-spam report suppresses nothing' });
    expect(mailEventOutcome({ eventType: 'Complaint', complaint: { complaintFeedbackType: 'abuse', complainedRecipients: recipients('ana@example.com') } }, now)).toMatchObject({ kind: 'suppress', cause: 'Complaint' });
  });

  it('suppresses a complaint, from a configuration set event or an identity notification', () => {
    for (const type of [{ eventType: 'Complaint' }, { notificationType: 'Complaint' }]) {
      expect(mailEventOutcome({ ...type, complaint: { complainedRecipients: recipients('ana@example.com') } }, now)).toMatchObject({ kind: 'suppress', suppressions: [{ reason: 'spam complaint' }] });
    }
  });

  it.each([
    [{ eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: recipients('ana@example.com') } }, 'a transient bounce suppresses nothing'],
    [{ eventType: 'Bounce', bounce: { bounceType: 'Undetermined', bouncedRecipients: recipients('ana@example.com') } }, 'a undetermined bounce suppresses nothing'],
    [{ eventType: 'Delivery', delivery: {} }, 'a Delivery event suppresses nothing'],
  ])('ignores %j', (event, why) => {
    expect(mailEventOutcome(event, now)).toEqual({ kind: 'ignore', why });
  });

  it.each([
    [null, 'eventType'],
    [[], 'eventType'],
    [{ bounce: {} }, 'eventType'],
    [{ eventType: 'Bounce' }, 'bounce.bounceType'],
    [{ eventType: 'Bounce', bounce: { bounceType: 'Permanent' } }, 'bounce.bouncedRecipients'],
    [{ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [] } }, 'bounce.bouncedRecipients'],
    [{ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'not-an-address' }] } }, 'bounce.bouncedRecipients[0].emailAddress'],
    [{ eventType: 'Complaint', complaint: { complainedRecipients: [null] } }, 'complaint.complainedRecipients[0].emailAddress'],
  ])('refuses %j, naming the field %s', (event, field) => {
    expect(() => mailEventOutcome(event, now)).toThrow(InvalidRecordError);
    try {
      mailEventOutcome(event, now);
    } catch (error) {
      expect((error as InvalidRecordError).field).toBe(field);
    }
  });
});
