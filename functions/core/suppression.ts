import { createHash } from 'node:crypto';
import { InvalidRecordError } from './errors.js';
import { maskEmail } from './mask.js';

/**
 * Addresses the mail service told us to stop writing to (SPEC.md, Email): a hard bounce or a spam
 * complaint suppresses the address for every message, service ones too; a soft bounce does not.
 */

/** The key of an address: a hash of it, trimmed and lower-cased, so no table holds it in clear. */
export const addressKey = (email: string): string => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

export interface Suppression {
  readonly addressKey: string;
  /** The address, masked (`a***@example.com`), for people reading the table. */
  readonly address: string;
  readonly reason: string;
  readonly since: string;
}
/** A suppression of an address, kept under its key with the address masked. */
export const suppressionOf = (address: string, reason: string, now: Date): Suppression => ({ addressKey: addressKey(address), address: maskEmail(address), reason, since: now.toISOString() });

export type MailEventOutcome =
  /** `unreadable`: recipients of the notification that could not be read (each with its field and reason); the others are suppressed. */
  | { readonly kind: 'suppress'; readonly cause: 'Bounce' | 'Complaint'; readonly suppressions: readonly Suppression[]; readonly unreadable: readonly InvalidRecordError[] }
  | { readonly kind: 'ignore'; readonly why: string };

/** What cannot be read in a notification: the field and why. */
const unreadableField = (field: string, reason: string): InvalidRecordError => new InvalidRecordError('SES notification', field, `SES notification.${field}: ${reason}`);

const invalid = (field: string, reason: string): never => {
  throw unreadableField(field, reason);
};

/** The recipients that can be read, and why each other one cannot: one bad entry never costs the others their suppression. */
const recipientsOf = (list: unknown, field: string): { readonly addresses: string[]; readonly unreadable: InvalidRecordError[] } => {
  if (!Array.isArray(list) || list.length === 0) invalid(field, 'must be a non-empty list of recipients');
  const addresses: string[] = [];
  const unreadable: InvalidRecordError[] = [];
  (list as unknown[]).forEach((recipient, index) => {
    const address = (recipient as { emailAddress?: unknown } | null)?.emailAddress;
    if (typeof address === 'string' && address.includes('@') && address.length <= 320) addresses.push(address);
    else unreadable.push(unreadableField(`${field}[${index}].emailAddress`, 'is not an e-mail address'));
  });
  if (addresses.length === 0) throw unreadable[0]!;
  return { addresses, unreadable };
};

/**
 * What an SES event (configuration-set event destination, or identity notification) means for
 * suppression. Throws InvalidRecordError, naming the field, for a notification that cannot be read.
 */
export const mailEventOutcome = (notification: unknown, now: Date): MailEventOutcome => {
  if (typeof notification !== 'object' || notification === null || Array.isArray(notification)) return invalid('eventType', 'not a JSON object');
  const event = notification as Record<string, unknown>;
  const type = event.eventType ?? event.notificationType;
  // Each of our e-mails goes to one address: a hard bounce or a complaint about it is about that address,
  // whatever address the report names (a forwarding mailbox's report names the one it forwarded to).
  const destination = (event.mail as { destination?: unknown } | undefined)?.destination;
  const sentTo = Array.isArray(destination) && destination.length === 1 && typeof destination[0] === 'string' && destination[0].includes('@') ? destination[0] : undefined;
  const suppress = (cause: 'Bounce' | 'Complaint', recipients: ReturnType<typeof recipientsOf>, reason: string): MailEventOutcome => {
    const named = recipients.addresses.some((address) => addressKey(address) === addressKey(sentTo ?? ''));
    const addresses = sentTo === undefined || named ? recipients.addresses : [...recipients.addresses, sentTo];
    return { kind: 'suppress', cause, suppressions: addresses.map((address) => suppressionOf(address, reason, now)), unreadable: recipients.unreadable };
  };
  if (type === 'Bounce') {
    const bounce = event.bounce as { bounceType?: unknown; bounceSubType?: unknown; bouncedRecipients?: unknown } | undefined;
    if (typeof bounce?.bounceType !== 'string') return invalid('bounce.bounceType', 'is missing');
    const recipients = recipientsOf(bounce.bouncedRecipients, 'bounce.bouncedRecipients');
    if (bounce.bounceType !== 'Permanent') return { kind: 'ignore', why: `a ${bounce.bounceType.toLowerCase()} bounce suppresses nothing` };
    return suppress('Bounce', recipients, `hard bounce${typeof bounce.bounceSubType === 'string' ? ` (${bounce.bounceSubType})` : ''}`);
  }
  if (type === 'Complaint') {
    const complaint = event.complaint as { complainedRecipients?: unknown; complaintFeedbackType?: unknown } | undefined;
    const recipients = recipientsOf(complaint?.complainedRecipients, 'complaint.complainedRecipients');
    // A mailbox provider's "not-spam" report says the reader does not take it for spam: nothing to suppress.
    if (complaint?.complaintFeedbackType === 'not-spam') return { kind: 'ignore', why: 'a not-spam report suppresses nothing' };
    return suppress('Complaint', recipients, 'spam complaint');
  }
  if (typeof type !== 'string') return invalid('eventType', 'is missing');
  return { kind: 'ignore', why: `a ${type} event suppresses nothing` };
};
