import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MailFailure } from '../../functions/core/errors.js';
import { classifySesError, fromHeader, sendingClientConfig, sesFailureTable, sesTagValue } from '../../functions/adapters/ses-mailer.js';

const sesError = (name: string, status?: number, message = `${name} happened`) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const networkError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('what an SES failure means for the message', () => {
  it.each([
    ['TooManyRequestsException', 429],
    ['ThrottlingException', 400],
    ['LimitExceededException', 400],
  ])('%s (HTTP %s) is a refusal: SES took nothing, try again later', (name, status) => {
    expect(classifySesError(sesError(name, status)).kind).toBe('refused');
  });

  it('a refused connection is a refusal: the request never reached SES', () => {
    expect(classifySesError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443')).kind).toBe('refused');
  });

  it('a connection not made within connectionTimeout is a refusal, worded as the SDK that ships words it; a request timeout after connecting stays ambiguous', () => {
    const shipped = readFileSync(new URL('../../node_modules/@smithy/node-http-handler/dist-es/set-connection-timeout.js', import.meta.url), 'utf8');
    const wording = /new Error\(`([^`]*)`\)/.exec(shipped)![1]!.replace('${timeoutInMs}', '5000');
    expect(classifySesError(Object.assign(new Error(wording), { name: 'TimeoutError' })).kind).toBe('refused');
    const requestTimeout = '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 30000 ms requestTimeout.';
    expect(classifySesError(Object.assign(new Error(requestTimeout), { name: 'TimeoutError', code: 'ETIMEDOUT' })).kind).toBe('ambiguous');
  });

  it.each([
    ['a timeout', Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError' })],
    ['a reset connection', networkError('ECONNRESET', 'socket hang up')],
    ['HTTP 500', sesError('InternalFailure', 500)],
    ['HTTP 503', sesError('ServiceUnavailable', 503)],
    ['an error with no status', new Error('something odd')],
  ])('%s is ambiguous: SES may have taken it', (_, error) => {
    expect(classifySesError(error).kind).toBe('ambiguous');
  });

  it.each([
    ['AccessDeniedException', 403, 'User is not authorized to perform ses:SendEmail'],
    ['SendingPausedException', 400, 'Email sending is disabled for this account'],
    ['AccountSuspendedException', 400, 'The account has been suspended'],
    ['MailFromDomainNotVerifiedException', 400, 'MAIL FROM domain not verified'],
    ['NotFoundException', 404, 'Configuration set <retention> does not exist.'],
    ['MessageRejected', 400, 'Email address is not verified. The following identities failed the check in region EU-WEST-1: ana@example.com'],
    ['UnrecognizedClientException', 400, 'The security token included in the request is invalid.'],
    ['BadRequestException', 400, 'Tag value contains invalid characters'],
    ['MessageRejected', 400, 'Sending paused for this account. For more information, please check the AWS SES console.'],
    ['MessageRejected', 400, 'Sending suspended for this account. For more information, please check the AWS SES console.'],
    ['MessageRejected', 400, 'Email sending for the configuration set retention is paused.'],
    ['MessageRejected', 400, 'The message contains invalid content.'],
    // The day's quota used up: worded as a throttle, outlasting any backoff of minutes.
    ['TooManyRequestsException', 429, 'Daily message quota exceeded.'],
    ['LimitExceededException', 400, 'Daily message quota exceeded'],
    ['Throttling', 400, 'Daily message quota exceeded.'],
  ])('%s is a fault of the sending account: the message is held, never suppressed', (name, status, message) => {
    expect(classifySesError(sesError(name, status, message)).kind).toBe('account');
  });

  it.each([
    ['MessageRejected', 'Address blacklisted.'],
    ['MessageRejected', 'Illegal address'],
    ['BadRequestException', 'Missing final @domain in address'],
  ])('%s "%s" is a fault of the address', (name, message) => {
    expect(classifySesError(sesError(name, 400, message)).kind).toBe('address');
  });

  it('names the error and status, and never carries the recipient address', () => {
    const failure = classifySesError(sesError('MessageRejected', 400, 'Email address is not verified. The following identities failed the check in region EU-WEST-1: ana.garcia@example.com, b@shop.example'));
    expect(failure).toBeInstanceOf(MailFailure);
    expect(failure.message).toBe('MessageRejected (HTTP 400): Email address is not verified. The following identities failed the check in region EU-WEST-1: a***@example.com, b***@shop.example');
  });

  it('the table ends with a row that matches everything', () => {
    expect(sesFailureTable.at(-1)!.matches({ name: 'Anything', message: '' })).toBe(true);
  });

  it('the SDK never retries a send by itself', () => {
    expect(sendingClientConfig.maxAttempts).toBe(1);
  });

  it('turns a message id into a valid tag value', () => {
    expect(sesTagValue('c-1#birthday#2027')).toBe('c-1_birthday_2027');
  });
});

describe('docs/architecture.md shows the table the mailer uses', () => {
  it('has a row for every row of sesFailureTable, with its meaning', () => {
    const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    for (const row of sesFailureTable) expect(doc).toContain(`| ${row.when} | ${row.kind} |`);
  });
});

describe('the From header', () => {
  it('shows the brand\'s sender name, quoted, or encoded when it is not ASCII', () => {
    expect(fromHeader('Acme Coffee', 'hello@mail.acme.example')).toBe('"Acme Coffee" <hello@mail.acme.example>');
    expect(fromHeader('Acme "the best", Inc.\\', 'a@b.example')).toBe('"Acme \\"the best\\", Inc.\\\\" <a@b.example>');
    const encoded = fromHeader('Cafetería Ñu', 'a@b.example');
    expect(encoded).toBe(`=?UTF-8?B?${Buffer.from('Cafetería Ñu').toString('base64')}?= <a@b.example>`);
  });
});
