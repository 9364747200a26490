/**
 * The two kinds of failure, decided here once: a transient one is worth trying again (the message
 * goes back to wait until its deadline); a permanent one is not (the message or record is set aside
 * with its reason).
 */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
}

export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** A stored record that does not satisfy its schema: names the record, the field and the value. */
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
