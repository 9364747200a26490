/**
 * Failures of a job, decided here once: a transient one is worth trying again (a stream record is
 * retried); a permanent one is not (the record is set aside with its reason). A send has its own
 * kinds (MailFailure, below).
 */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
}

export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** A stored record that does not satisfy its schema: names the record, the field and the value. */
/**
 * What a failed send means for the message, decided once by the mail adapter's table (README, "When
 * SES fails"):
 * - `refused`: the mail service definitely did not take it and says "not now" (throttling): try again
 *   until the message's deadline;
 * - `ambiguous`: it may have taken it (timeout, reset connection, server error): recorded as sent,
 *   unconfirmed, never sent again;
 * - `account`: the sending account or its setup is at fault (access denied, sending paused, unverified
 *   identity, missing configuration set): the message is held until the fault is mended or its
 *   deadline passes, and the fault is logged for an alarm; never the customer's loss;
 * - `address`: the recipient's address is refused for good: the address is suppressed.
 */
export type MailFailureKind = 'refused' | 'ambiguous' | 'account' | 'address';

export class MailFailure extends Error {
  override readonly name = 'MailFailure';
  constructor(
    readonly kind: MailFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidRecordError extends PermanentError {
  override readonly name = 'InvalidRecordError';
  constructor(
    readonly record: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${record}: ${reason}`);
  }
}
