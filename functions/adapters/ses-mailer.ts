import { SendEmailCommand, SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { requiredEnv } from './runtime.js';
import { MailFailure, type MailFailureKind } from '../core/errors.js';
import { maskEmailsIn } from '../core/mask.js';
import type { Mailer, OutgoingEmail } from '../core/ports.js';

/** What an SES failure shows of itself: the error's name (or Node's code), the HTTP status when an answer came, its text. */
export interface SesFailureFacts {
  readonly name: string;
  readonly code?: string;
  readonly status?: number;
  readonly message: string;
}

/** How the SDK's HTTP handler words a connection it could not make in time (nothing was sent; a request timeout after connecting stays ambiguous). */
export const CONNECTION_NOT_MADE = /did not establish a connection/i;

const names = (...list: string[]) => (f: SesFailureFacts) => list.includes(f.name);

/**
 * Every SES failure by what it means for the message: the first row that matches decides, the last
 * matches everything. docs/architecture.md ("When SES fails") shows this table; a unit test keeps the two equal.
 */
export const sesFailureTable: readonly { readonly kind: MailFailureKind; readonly when: string; readonly matches: (f: SesFailureFacts) => boolean }[] = [
  {
    kind: 'account',
    when: "the account's sending quota for the day used up (\"Daily message quota exceeded\", whatever the error's name): no send goes until the quota frees up or is raised",
    // Worded as a throttle, but not one a backoff of minutes outlasts: held and alarmed, and the run claims nothing more.
    matches: (f) => /daily message quota/i.test(f.message),
  },
  {
    kind: 'refused',
    when: 'throttled (TooManyRequestsException, ThrottlingException, LimitExceededException, HTTP 429): SES answered and took nothing',
    matches: (f) => names('TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException')(f) || f.status === 429,
  },
  {
    kind: 'refused',
    when: 'no connection (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, no connection made within connectionTimeout): the request never reached SES',
    matches: (f) => ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(f.code ?? '') || (f.name === 'TimeoutError' && CONNECTION_NOT_MADE.test(f.message)),
  },
  {
    kind: 'account',
    when: 'the sending account or its setup (AccessDenied, SendingPaused, AccountSuspended, MailFromDomainNotVerified, NotFound such as a missing configuration set, a MessageRejected about an identity not verified in the SES sandbox or sending paused or suspended, invalid or expired credentials, HTTP 401/403)',
    matches: (f) =>
      names(
        'AccessDeniedException',
        'AccessDenied',
        'SendingPausedException',
        'AccountSuspendedException',
        'MailFromDomainNotVerifiedException',
        'NotFoundException',
        'UnrecognizedClientException',
        'InvalidClientTokenId',
        'InvalidSignatureException',
        'SignatureDoesNotMatch',
        'ExpiredTokenException',
        'CredentialsProviderError',
      )(f) ||
      f.status === 401 ||
      f.status === 403 ||
      // SES words an account paused or suspended as MessageRejected too (the v1 API always did).
      (f.name === 'MessageRejected' && /not verified|paused|suspended|account|configuration set/i.test(f.message)),
  },
  {
    kind: 'address',
    when: "the recipient's address refused for good (a MessageRejected or BadRequestException about the address)",
    // Only an answer about the address blames it: a MessageRejected for the content is ours to mend (the next row).
    matches: (f) => ['MessageRejected', 'BadRequestException'].includes(f.name) && /address|recipient|mailbox|blacklist/i.test(f.message),
  },
  {
    kind: 'account',
    when: 'any other answer in 400–499: a request SES will never take as it stands (our setup or our bug); held and alarmed, never blamed on the customer',
    matches: (f) => f.status !== undefined && f.status >= 400 && f.status < 500,
  },
  {
    kind: 'ambiguous',
    when: 'anything else (timeout, reset connection, HTTP 5xx, an unknown error): SES may have taken it',
    matches: () => true,
  },
];

/** The facts of an SES SDK error. */
export const sesFailureFacts = (error: unknown): SesFailureFacts => {
  const err = (error ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return { name: err.name ?? 'Error', code: err.code, status: err.$metadata?.httpStatusCode, message: err.message ?? 'no message' };
};

/** Decides once what an SES failure means; its text never carries an address (the recipient's may be in it). */
export const classifySesError = (error: unknown): MailFailure => {
  const facts = sesFailureFacts(error);
  const row = sesFailureTable.find((candidate) => candidate.matches(facts))!;
  const status = facts.status === undefined ? '' : ` (HTTP ${facts.status})`;
  return new MailFailure(row.kind, maskEmailsIn(`${facts.name}${status}: ${facts.message}`));
};

/**
 * How the SES client sends: one attempt (a retry after a lost answer would be a second e-mail; the
 * dispatcher retries what was definitely refused, later), and bounded waits, so a hung call ends
 * well inside the claim lease.
 */
export const sendingClientConfig = { maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true } } as const satisfies SESv2ClientConfig;

/** Sends through SESv2 `SendEmail` with simple content, the configuration set and tags naming campaign and message. */
export class SesMailer implements Mailer {
  /** Made here, so no caller can give the mailer one that retries; public so the local runner can watch its calls. */
  readonly client: SESv2Client;

  constructor(
    clientConfig: SESv2ClientConfig,
    private readonly settings: { readonly from: string; readonly configurationSetName?: string },
  ) {
    this.client = new SESv2Client({ ...clientConfig, ...sendingClientConfig });
  }

  async send(email: OutgoingEmail): Promise<string> {
    let response;
    try {
      response = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: fromHeader(email.fromName, this.settings.from),
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: this.settings.configurationSetName,
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: sesTagValue(Value) })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              Headers: email.headers ? Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })) : undefined,
            },
          },
        }),
      );
    } catch (error) {
      throw classifySesError(error);
    }
    // A 200 without an id still means SES took it.
    return response.MessageId ?? 'unknown';
  }
}

/**
 * `Name <address>`: the display name as a quoted string (RFC 5322), or RFC 2047 encoded when it is not
 * ASCII, which SES requires of a From header; line breaks were refused by the configuration.
 */
export const fromHeader = (name: string, address: string): string => {
  const display = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${display} <${address}>`;
};

/** SES tag values allow only ASCII letters, digits, `_`, `-`, `.`, `@`: a message id's `#` becomes `.`. */
export const sesTagValue = (value: string): string => value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);

/** The SES mailer of a deployed function, from its environment: only the dispatcher's handler imports it. */
export const sesMailerFromEnv = (): SesMailer => new SesMailer({}, { from: requiredEnv('SENDER_ADDRESS'), configurationSetName: process.env.SES_CONFIGURATION_SET });
