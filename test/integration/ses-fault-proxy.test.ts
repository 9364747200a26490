import { SendEmailCommand, SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { faults, startSesFaultProxy, tokenBucket, windowLimiter, type Fault, type SesFaultProxy } from '../../functions/local/ses-fault-proxy.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

/**
 * The fault proxy between a real SESv2 client and the real SES emulator: for each fault, what the
 * SDK raises and whether the e-mail reached the emulator's inbox; and the SDK's own retries, which
 * turn a lost answer into a second e-mail unless `maxAttempts` is 1.
 */

let proxy: SesFaultProxy;
const clients: SESv2Client[] = [];

beforeAll(async () => {
  proxy = await startSesFaultProxy({ target: endpoints().sesEndpoint });
});
afterEach(() => {
  proxy.clearRule();
  proxy.reset();
  clients.splice(0).forEach((client) => client.destroy());
});
afterAll(async () => {
  await proxy.close();
});

const clientThroughProxy = (config: Partial<SESv2ClientConfig> = {}): SESv2Client => {
  const client = new SESv2Client({ endpoint: proxy.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, ...config });
  clients.push(client);
  return client;
};

const sendTo = (client: SESv2Client, to: string, messageId = 'msg.1') =>
  client.send(
    new SendEmailCommand({
      FromEmailAddress: 'news@retention.example',
      Destination: { ToAddresses: [to] },
      ConfigurationSetName: 'retention',
      EmailTags: [
        { Name: 'messageId', Value: messageId },
        { Name: 'campaign', Value: 'birthday' },
      ],
      Content: { Simple: { Subject: { Data: 'Hello', Charset: 'UTF-8' }, Body: { Text: { Data: 'Hi', Charset: 'UTF-8' } } } },
    }),
  );

interface SdkError {
  name: string;
  message: string;
  code?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const failure = async (promise: Promise<unknown>): Promise<SdkError> => {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the send to fail');
};

const inbox = (address: string) => emailsTo((to) => to === address);

describe('the SES fault proxy', () => {
  it('passes a send through unchanged: the client gets the emulator message id, the e-mail is in the inbox', async () => {
    // Prepare
    const to = `${uniquePrefix('pass')}a@example.com`;
    const client = clientThroughProxy();

    // Act
    const response = await sendTo(client, to);

    // Assess
    const mails = await inbox(to);
    expect(mails.map((mail) => mail.messageId)).toEqual([response.MessageId]);
    expect(proxy.counters()).toEqual({ seen: 1, forwarded: 1, accepted: 1, other: 0, faults: { pass: 1 } });
    expect(proxy.log[0]).toMatchObject({ n: 1, to: [to], messageId: 'msg.1', attempt: 1, fault: 'pass', upstreamStatus: 200, sesMessageId: response.MessageId, outcome: 200 });
  });

  it('shows the rule the decoded SendEmail: recipients, tags, configuration set, the SDK attempt', async () => {
    const to = `${uniquePrefix('decode')}a@example.com`;
    const seen: unknown[] = [];
    proxy.setRule((request, n) => {
      seen.push({ n, to: request.to, from: request.from, subject: request.subject, tags: request.tags, messageId: request.messageId, cs: request.configurationSetName, attempt: request.attempt, max: request.maxAttempts, id: typeof request.invocationId });
      return undefined;
    });

    await sendTo(clientThroughProxy(), to, 'msg.42');

    expect(seen).toEqual([{ n: 1, to: [to], from: 'news@retention.example', subject: 'Hello', tags: { messageId: 'msg.42', campaign: 'birthday' }, messageId: 'msg.42', cs: 'retention', attempt: 1, max: 3, id: 'string' }]);
  });

  // What the SDK raises for each fault, with retries off so one send is one request.
  const answerFaults: [string, Fault, { name: string; status: number; message: string | RegExp; fault: string }][] = [
    ['status(500)', faults.status(500), { name: 'InternalFailure', status: 500, message: 'The request processing has failed because of an unknown error, exception or failure.', fault: 'server' }],
    ['status(500) without an error type', faults.status(500, { errorType: null }), { name: 'Unknown', status: 500, message: 'UnknownError', fault: 'server' }],
    ['status(503) ServiceUnavailable', faults.status(503, { errorType: 'ServiceUnavailable', message: 'Service unavailable.' }), { name: 'ServiceUnavailable', status: 503, message: 'Service unavailable.', fault: 'server' }],
    ['throttle', faults.throttle(), { name: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.', fault: 'client' }],
    ['accessDenied', faults.accessDenied(), { name: 'AccessDeniedException', status: 403, message: /is not authorized to perform `ses:SendEmail' on resource `arn:aws:ses:eu-west-1:/, fault: 'client' }],
    ['notVerified', faults.notVerified('someone@example.com'), { name: 'MessageRejected', status: 400, message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@example.com', fault: 'client' }],
    ['sendingPaused', faults.sendingPaused(), { name: 'SendingPausedException', status: 400, message: /^Sending paused for this account\./, fault: 'client' }],
    ['configurationSetDoesNotExist', faults.configurationSetDoesNotExist('retention'), { name: 'NotFoundException', status: 404, message: 'Configuration set <retention> does not exist.', fault: 'client' }],
    ['accountSuspended', faults.accountSuspended(), { name: 'AccountSuspendedException', status: 400, message: /permanently restricted/, fault: 'client' }],
    ['mailFromDomainNotVerified', faults.mailFromDomainNotVerified(), { name: 'MailFromDomainNotVerifiedException', status: 400, message: /sending domain isn't verified/, fault: 'client' }],
    ['badRecipient', faults.badRecipient(), { name: 'BadRequestException', status: 400, message: 'Illegal address', fault: 'client' }],
  ];

  it.each(answerFaults)('answers %s without forwarding: the SDK raises its error, nothing reaches the inbox', async (_, fault, expected) => {
    // Prepare
    const to = `${uniquePrefix('answer')}a@example.com`;
    proxy.setRule(() => fault);

    // Act
    const error = await failure(sendTo(clientThroughProxy({ maxAttempts: 1 }), to));

    // Assess
    expect(error.name).toBe(expected.name);
    expect(error.$metadata?.httpStatusCode).toBe(expected.status);
    expect(error.message).toMatch(expected.message);
    expect(error.$fault).toBe(expected.fault);
    expect(error.$retryable).toBeUndefined(); // no SESv2 error carries the retryable trait
    expect(await inbox(to)).toHaveLength(0);
    expect(proxy.counters()).toMatchObject({ seen: 1, forwarded: 0, accepted: 0, faults: { [fault.kind]: 1 } });
  });

  it('loseAnswer: the emulator accepts, the client sees a reset (TimeoutError "socket hang up", ECONNRESET, no status)', async () => {
    const to = `${uniquePrefix('lose')}a@example.com`;
    proxy.setRule(() => faults.loseAnswer());

    const error = await failure(sendTo(clientThroughProxy({ maxAttempts: 1 }), to));

    expect(error).toMatchObject({ name: 'TimeoutError', message: 'socket hang up', code: 'ECONNRESET' });
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(error.$retryable).toBeUndefined();
    expect(await inbox(to)).toHaveLength(1);
    expect(proxy.counters()).toMatchObject({ seen: 1, forwarded: 1, accepted: 1, faults: { loseAnswer: 1 } });
    expect(proxy.log[0]?.outcome).toBe('destroyed');
  });

  it('timeout with requestTimeout + throwOnRequestTimeout: TimeoutError ETIMEDOUT after the timeout, the e-mail delivered', async () => {
    const to = `${uniquePrefix('timeout')}a@example.com`;
    proxy.setRule(() => faults.timeout());
    const started = Date.now();

    const error = await failure(sendTo(clientThroughProxy({ maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } }), to));

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', message: '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 300 ms requestTimeout.' });
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(await inbox(to)).toHaveLength(1);
  });

  it('timeout with socketTimeout: TimeoutError after that much silence, the e-mail delivered', async () => {
    const to = `${uniquePrefix('sockettimeout')}a@example.com`;
    proxy.setRule(() => faults.timeout());

    const error = await failure(sendTo(clientThroughProxy({ maxAttempts: 1, requestHandler: { socketTimeout: 300 } }), to));

    expect(error.name).toBe('TimeoutError');
    expect(error.message).toMatch(/the request socket timed out after 300 ms of inactivity/);
    expect(await inbox(to)).toHaveLength(1);
  });

  it('timeout with requestTimeout alone only warns: the client waits until the proxy gives up on it', async () => {
    const to = `${uniquePrefix('warnonly')}a@example.com`;
    proxy.setRule(() => faults.timeout(800));
    const warn = vi.fn();
    const started = Date.now();

    const error = await failure(sendTo(clientThroughProxy({ maxAttempts: 1, requestHandler: { requestTimeout: 100, logger: { warn, debug() {}, info() {}, error() {} } } }), to));

    expect(Date.now() - started).toBeGreaterThanOrEqual(790);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[WARN] a request has exceeded the configured 100 ms requestTimeout'));
    expect(error).toMatchObject({ name: 'TimeoutError', message: 'socket hang up', code: 'ECONNRESET' });
    expect(proxy.log[0]?.outcome).toBe('destroyed');
  });

  it('delay: forwards, then answers late; the send succeeds', async () => {
    const to = `${uniquePrefix('delay')}a@example.com`;
    proxy.setRule(() => faults.delay(300));
    const started = Date.now();

    const response = await sendTo(clientThroughProxy(), to);

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await inbox(to)).map((mail) => mail.messageId)).toEqual([response.MessageId]);
    expect(proxy.counters().faults).toEqual({ delay: 1 });
  });

  describe("the SDK's retries", () => {
    it('turn one lost answer into TWO deliveries with the default maxAttempts (3): the send then succeeds', async () => {
      // Prepare: only the first attempt's answer is lost
      const to = `${uniquePrefix('retry-lose')}a@example.com`;
      proxy.setRule((request) => (request.attempt === 1 ? faults.loseAnswer() : undefined));

      // Act
      const response = await sendTo(clientThroughProxy(), to);

      // Assess
      expect(response.$metadata.attempts).toBe(2);
      const mails = await inbox(to);
      expect(mails).toHaveLength(2); // the bug of finding 2: one send, two e-mails
      expect(mails.map((mail) => mail.messageId)).toContain(response.MessageId);
      expect(proxy.log.map((entry) => [entry.attempt, entry.fault, entry.outcome])).toEqual([
        [1, 'loseAnswer', 'destroyed'],
        [2, 'pass', 200],
      ]);
      expect(new Set(proxy.log.map((entry) => entry.invocationId)).size).toBe(1); // one client.send
      expect(proxy.counters()).toMatchObject({ seen: 2, forwarded: 2, accepted: 2 });
    });

    it('deliver three times when every answer is lost, and still fail', async () => {
      const to = `${uniquePrefix('retry-lose-all')}a@example.com`;
      proxy.setRule(() => faults.loseAnswer());

      const error = await failure(sendTo(clientThroughProxy(), to));

      expect(error).toMatchObject({ name: 'TimeoutError', message: 'socket hang up' });
      expect(error.$metadata?.attempts).toBe(3);
      expect(await inbox(to)).toHaveLength(3);
    });

    it('with maxAttempts 1, a lost answer is one delivery and an error', async () => {
      const to = `${uniquePrefix('no-retry-lose')}a@example.com`;
      proxy.setRule((request) => (request.attempt === 1 ? faults.loseAnswer() : undefined));

      const error = await failure(sendTo(clientThroughProxy({ maxAttempts: 1 }), to));

      expect(error.name).toBe('TimeoutError');
      expect(await inbox(to)).toHaveLength(1);
      expect(proxy.counters().seen).toBe(1);
    });

    it('retry 500 and 429 (three requests) but not the 4xx refusals (one request)', async () => {
      const to = `${uniquePrefix('retry-kinds')}a@example.com`;
      const requestsFor = async (fault: Fault) => {
        proxy.reset();
        proxy.setRule(() => fault);
        const error = await failure(sendTo(clientThroughProxy(), to));
        return [error.name, error.$metadata?.attempts, proxy.counters().seen];
      };

      expect(await requestsFor(faults.status(500))).toEqual(['InternalFailure', 3, 3]);
      expect(await requestsFor(faults.throttle())).toEqual(['TooManyRequestsException', 3, 3]);
      expect(await requestsFor(faults.accessDenied())).toEqual(['AccessDeniedException', 1, 1]);
      expect(await requestsFor(faults.notVerified(to))).toEqual(['MessageRejected', 1, 1]);
      expect(await requestsFor(faults.sendingPaused())).toEqual(['SendingPausedException', 1, 1]);
      expect(await inbox(to)).toHaveLength(0);
    });
  });

  describe('scripting', () => {
    it('targets one message by its messageId tag', async () => {
      const prefix = uniquePrefix('target');
      proxy.setRule((request) => (request.messageId === 'msg.2' ? faults.notVerified(request.to) : undefined));
      const client = clientThroughProxy({ maxAttempts: 1 });

      const results = await Promise.allSettled([1, 2, 3].map((i) => sendTo(client, `${prefix}${i}@example.com`, `msg.${i}`)));

      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await emailsTo((to) => to.startsWith(prefix))).map((mail) => mail.destination.to[0]).sort()).toEqual([`${prefix}1@example.com`, `${prefix}3@example.com`]);
      expect(proxy.counters()).toMatchObject({ seen: 3, forwarded: 2, accepted: 2, faults: { pass: 2, notVerified: 1 } });
    });

    it('opens a time window on the caller\'s (virtual) clock: access denied from t=10 to t=20', async () => {
      const to = `${uniquePrefix('window')}a@example.com`;
      let now = 0; // the drill's virtual clock
      proxy.setRule(() => (now >= 10 && now < 20 ? faults.accessDenied() : undefined));
      const client = clientThroughProxy({ maxAttempts: 1 });

      now = 5;
      await sendTo(client, to);
      now = 15;
      const denied = await failure(sendTo(client, to));
      now = 25;
      await sendTo(client, to);

      expect(denied.name).toBe('AccessDeniedException');
      expect(await inbox(to)).toHaveLength(2);
      expect(proxy.counters().faults).toEqual({ pass: 2, accessDenied: 1 });
    });

    it('throttles deterministically with a window limiter: two a (virtual) second, the third gets 429', async () => {
      const to = `${uniquePrefix('limiter')}a@example.com`;
      let second = 0;
      const limiter = windowLimiter(2, () => second);
      proxy.setRule(() => (limiter.take() ? undefined : faults.throttle()));
      const client = clientThroughProxy({ maxAttempts: 1 });

      const first = await Promise.allSettled([1, 2, 3].map(() => sendTo(client, to)));
      second = 1;
      await sendTo(client, to);

      expect(first.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
      const refused = first.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect(refused?.reason).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
      expect(await inbox(to)).toHaveLength(3);
      expect(proxy.counters()).toMatchObject({ seen: 4, forwarded: 3, faults: { pass: 3, throttle: 1 } });
    });

    it('throttles with a token bucket at N per second of any clock', async () => {
      const to = `${uniquePrefix('bucket')}a@example.com`;
      let ms = 0;
      const bucket = tokenBucket(2, { now: () => ms });
      proxy.setRule(() => (bucket.take() ? undefined : faults.throttle()));
      const client = clientThroughProxy({ maxAttempts: 1 });
      const outcome = () =>
        sendTo(client, to).then(
          () => 'sent',
          (error: Error) => error.name,
        );

      const burst = [await outcome(), await outcome(), await outcome()];
      ms = 250; // half a token
      const tooSoon = await outcome();
      ms = 500; // one token
      const refilled = [await outcome(), await outcome()];

      expect(burst).toEqual(['sent', 'sent', 'TooManyRequestsException']);
      expect(tooSoon).toBe('TooManyRequestsException');
      expect(refilled).toEqual(['sent', 'TooManyRequestsException']);
      expect(await inbox(to)).toHaveLength(3);
    });

    it('passes other requests through untouched, outside the counters of SendEmail', async () => {
      const response = await fetch(`${proxy.url}/store`);

      expect(response.status).toBe(200);
      expect(await response.json()).toHaveProperty('emails');
      expect(proxy.counters()).toMatchObject({ seen: 0, other: 1 });
    });
  });
});
