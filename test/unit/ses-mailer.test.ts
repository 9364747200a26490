import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../functions/core/errors.js';
import { classifySesError, sesTagValue } from '../../functions/adapters/ses-mailer.js';

const sesError = (name: string, status?: number) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('SES failures', () => {
  it.each([
    ['TooManyRequestsException', 429],
    ['ThrottlingException', 400],
    ['SendingPausedException', 400],
    ['InternalFailure', 500],
    ['TimeoutError', undefined],
  ])('%s is transient', (name, status) => {
    expect(classifySesError(sesError(name, status))).toBeInstanceOf(TransientError);
  });

  it.each([
    ['MessageRejected', 400],
    ['MailFromDomainNotVerifiedException', 400],
    ['BadRequestException', 400],
    ['AccountSuspendedException', 403],
  ])('%s is permanent', (name, status) => {
    const classified = classifySesError(sesError(name, status));
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified.message).toBe(`${name}: ${name} happened`);
  });

  it('turns a message id into a valid tag value', () => {
    expect(sesTagValue('c-1#birthday#2027')).toBe('c-1_birthday_2027');
  });
});
