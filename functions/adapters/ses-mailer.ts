import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { requiredEnv } from './runtime.js';
import { PermanentError, TransientError } from '../core/errors.js';
import type { Mailer, OutgoingEmail } from '../core/ports.js';

/** SES errors that say "not now" rather than "never": worth another try before the deadline. */
const transientErrorNames = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException', 'SendingPausedException', 'InternalFailure', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout']);

/** Decides once whether an SES failure is transient or permanent. Unknown errors count as transient: losing a message is worse than a retry. */
export const classifySesError = (error: unknown): TransientError | PermanentError => {
  const err = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const message = `${name}: ${err.message ?? 'no message'}`;
  if (transientErrorNames.has(name) || err.$retryable || status === undefined || status >= 500 || status === 429) return new TransientError(message);
  return new PermanentError(message);
};

/** Sends through SESv2 `SendEmail` with simple content, the configuration set and tags naming campaign and message. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly settings: { readonly from: string; readonly configurationSetName?: string },
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    let response;
    try {
      response = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.settings.from,
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
    if (!response.MessageId) throw new TransientError('SES accepted the e-mail without a message id');
    return response.MessageId;
  }
}

/** SES tag values allow only ASCII letters, digits, `_`, `-`, `.`, `@`: a message id's `#` becomes `.`. */
export const sesTagValue = (value: string): string => value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);

/** The SES mailer of a deployed function, from its environment: only the dispatcher's handler imports it. */
export const sesMailerFromEnv = (): SesMailer =>
  new SesMailer(new SESv2Client({}), { from: requiredEnv('SENDER_ADDRESS'), configurationSetName: process.env.SES_CONFIGURATION_SET });
