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
  | { readonly kind: 'suppress'; readonly cause: 'Bounce' | 'Complaint'; readonly suppressions: readonly Suppression[] }
  | { readonly kind: 'ignore'; readonly why: string };

const invalid = (field: string, reason: string): never => {
  throw new InvalidRecordError('SES notification', field, `SES notification.${field}: ${reason}`);
};

const recipientsOf = (list: unknown, field: string): string[] => {
  if (!Array.isArray(list) || list.length === 0) invalid(field, 'must be a non-empty list of recipients');
  return (list as unknown[]).map((recipient, index) => {
    const address = (recipient as { emailAddress?: unknown } | null)?.emailAddress;
    if (typeof address !== 'string' || !address.includes('@') || address.length > 320) invalid(`${field}[${index}].emailAddress`, 'is not an e-mail address');
    return address as string;
  });
};

/**
 * What an SES event (configuration-set event destination, or identity notification) means for
 * suppression. Throws InvalidRecordError, naming the field, for a notification that cannot be read.
 */
export const mailEventOutcome = (notification: unknown, now: Date): MailEventOutcome => {
  if (typeof notification !== 'object' || notification === null || Array.isArray(notification)) return invalid('eventType', 'not a JSON object');
  const event = notification as Record<string, unknown>;
  const type = event.eventType ?? event.notificationType;
  const suppress = (cause: 'Bounce' | 'Complaint', addresses: string[], reason: string): MailEventOutcome => ({
    kind: 'suppress',
    cause,
    suppressions: addresses.map((address) => suppressionOf(address, reason, now)),
  });
  if (type === 'Bounce') {
    const bounce = event.bounce as { bounceType?: unknown; bounceSubType?: unknown; bouncedRecipients?: unknown } | undefined;
    if (typeof bounce?.bounceType !== 'string') return invalid('bounce.bounceType', 'is missing');
    const addresses = recipientsOf(bounce.bouncedRecipients, 'bounce.bouncedRecipients');
    if (bounce.bounceType !== 'Permanent') return { kind: 'ignore', why: `a ${bounce.bounceType.toLowerCase()} bounce suppresses nothing` };
    return suppress('Bounce', addresses, `hard bounce${typeof bounce.bounceSubType === 'string' ? ` (${bounce.bounceSubType})` : ''}`);
  }
  if (type === 'Complaint') {
    const complaint = event.complaint as { complainedRecipients?: unknown } | undefined;
    return suppress('Complaint', recipientsOf(complaint?.complainedRecipients, 'complaint.complainedRecipients'), 'spam complaint');
  }
  if (typeof type !== 'string') return invalid('eventType', 'is missing');
  return { kind: 'ignore', why: `a ${type} event suppresses nothing` };
};
