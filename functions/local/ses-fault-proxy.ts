import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A fault-injecting HTTP proxy between an SESv2 client and the SES emulator (Toxiproxy's model, for
 * one API): every `SendEmail` (`POST /v2/email/outbound-emails`) is shown to a rule the caller sets
 * at run time, which answers with a fault; anything else (`/store`, templates…) passes untouched.
 *
 * Faults that reach the emulator (`pass`, `delay`, `loseAnswer`, `timeout`) deliver the e-mail to
 * its inbox whatever the client then sees; answer faults (`status`, `throttle`, the SES refusals)
 * answer as SES does and never forward. The refusals copy SESv2's wire shape: the status of the
 * error in the SESv2 model, `x-amzn-ErrorType: <name>`, `x-amzn-RequestId`, and a JSON body
 * `{"message": …}`; the SDK turns them into its modelled exception classes.
 *
 * The rule decides from whatever clock it closes over (the drill's virtual clock), so time windows
 * need no wall time here. For throttling, `tokenBucket` (N per second of any clock, wall by
 * default) and `windowLimiter` (N per caller-named window: deterministic) build the "may this one
 * pass?" half; the rule answers `faults.throttle()` when it may not.
 *
 * `GetAccount` (`GET /v2/email/account`) passes to the emulator, unless the proxy is given an account
 * (`account`, `setAccount`): then it answers with that account's `SendQuota`, as SES answers for an
 * account with that quota, so a paced dispatcher reads the rate the throttle rule enforces.
 *
 * Loopback only; `port` 0 (the default) picks a free port.
 */

/** A `SendEmail` request as the rule sees it: the decoded body and the SDK's retry headers. */
export interface SendEmailRequest {
  /** 1-based: the n-th `SendEmail` this proxy has seen (retries count; the same as the rule's `n`). */
  readonly n: number;
  readonly from?: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject?: string;
  readonly configurationSetName?: string;
  /** `EmailTags` as a record (our mailer tags `messageId`, `campaign`…). */
  readonly tags: Readonly<Record<string, string>>;
  /** `tags.messageId`: what a rule targeting one message compares (the mailer's `sesTagValue` form). */
  readonly messageId?: string;
  /** The SDK's `amz-sdk-request: attempt=N; max=M`: 1 on the first try, 2 on its first retry… */
  readonly attempt?: number;
  readonly maxAttempts?: number;
  /** The SDK's `amz-sdk-invocation-id`: the same on every attempt of one `client.send`. */
  readonly invocationId?: string;
  /** The parsed JSON body as sent (undefined when it was not JSON). */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}

export type ErrorFaultKind =
  | 'status'
  | 'throttle'
  | 'accessDenied'
  | 'notVerified'
  | 'sendingPaused'
  | 'configurationSetDoesNotExist'
  | 'accountSuspended'
  | 'mailFromDomainNotVerified'
  | 'badRecipient';

/** An answer given instead of forwarding. `errorType` null sends no error type at all (a bare status). */
export interface ErrorFault {
  readonly kind: ErrorFaultKind;
  readonly status: number;
  readonly errorType: string | null;
  readonly message: string;
}

export type Fault =
  | { readonly kind: 'pass' }
  /** Forward; the emulator accepts; then the client's socket is destroyed without an answer. */
  | { readonly kind: 'loseAnswer' }
  /** Forward; the emulator accepts; the answer is held until the client gives up (or `maxHoldMs`, then the socket is destroyed). */
  | { readonly kind: 'timeout'; readonly maxHoldMs: number }
  /** Forward; the emulator accepts; the answer goes out `ms` later (a slow send). */
  | { readonly kind: 'delay'; readonly ms: number }
  | ErrorFault;

export type FaultKind = Fault['kind'];

/** What the rule returns; `undefined` means `pass`. */
export type FaultRule = (request: SendEmailRequest, n: number) => Fault | undefined;

const INTERNAL_FAILURE_MESSAGE = 'The request processing has failed because of an unknown error, exception or failure.';

/** The faults, built as SESv2 answers them (see the module's test for what the SDK makes of each). */
export const faults = {
  pass: { kind: 'pass' } as Fault,
  loseAnswer: (): Fault => ({ kind: 'loseAnswer' }),
  timeout: (maxHoldMs = 120_000): Fault => ({ kind: 'timeout', maxHoldMs }),
  delay: (ms: number): Fault => ({ kind: 'delay', ms }),
  /** A server error: by default 500 `InternalFailure` (SES's common error); `errorType: null` for a bare 500 with an empty JSON body. */
  status: (status = 500, options: { errorType?: string | null; message?: string } = {}): ErrorFault => ({
    kind: 'status',
    status,
    errorType: options.errorType === undefined ? 'InternalFailure' : options.errorType,
    message: options.message ?? INTERNAL_FAILURE_MESSAGE,
  }),
  /** 429 `TooManyRequestsException`, as SESv2 answers beyond the account's sending rate. */
  throttle: (): ErrorFault => ({ kind: 'throttle', status: 429, errorType: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' }),
  /** 403 `AccessDeniedException` (IAM; not in the SESv2 model, so the SDK raises a plain `SESv2ServiceException` of that name). */
  accessDenied: (options: { principal?: string; resource?: string; action?: string } = {}): ErrorFault => ({
    kind: 'accessDenied',
    status: 403,
    errorType: 'AccessDeniedException',
    message: `User \`${options.principal ?? 'arn:aws:sts::123456789012:assumed-role/retention-dispatcher/retention-dispatcher'}' is not authorized to perform \`${options.action ?? 'ses:SendEmail'}' on resource \`${options.resource ?? 'arn:aws:ses:eu-west-1:123456789012:identity/example.com'}'`,
  }),
  /** 400 `MessageRejected`: the sandbox's (or an unverified sender's) answer, listing the identities that failed. */
  notVerified: (identities: string | readonly string[], region = 'eu-west-1'): ErrorFault => ({
    kind: 'notVerified',
    status: 400,
    errorType: 'MessageRejected',
    message: `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${[identities].flat().join(', ')}`,
  }),
  /** 400 `SendingPausedException`: the account's sending paused (SES's review). */
  sendingPaused: (): ErrorFault => ({
    kind: 'sendingPaused',
    status: 400,
    errorType: 'SendingPausedException',
    message: 'Sending paused for this account. For more information, please check the inbox of the email address associated with your AWS account.',
  }),
  /** 404 `NotFoundException` for a configuration set that does not exist. */
  configurationSetDoesNotExist: (name: string): ErrorFault => ({ kind: 'configurationSetDoesNotExist', status: 404, errorType: 'NotFoundException', message: `Configuration set <${name}> does not exist.` }),
  /** 400 `AccountSuspendedException` (the text is the model's description: no real message was found). */
  accountSuspended: (): ErrorFault => ({
    kind: 'accountSuspended',
    status: 400,
    errorType: 'AccountSuspendedException',
    message: "The message can't be sent because the account's ability to send email has been permanently restricted.",
  }),
  /** 400 `MailFromDomainNotVerifiedException` (a custom MAIL FROM domain whose MX SES cannot read; the text is the model's description). */
  mailFromDomainNotVerified: (): ErrorFault => ({
    kind: 'mailFromDomainNotVerified',
    status: 400,
    errorType: 'MailFromDomainNotVerifiedException',
    message: "The message can't be sent because the sending domain isn't verified.",
  }),
  /** 400 `BadRequestException` "Illegal address": what SESv2 answers for a malformed recipient (not `MessageRejected`). */
  badRecipient: (message = 'Illegal address'): ErrorFault => ({ kind: 'badRecipient', status: 400, errorType: 'BadRequestException', message }),
} as const;

/** One `SendEmail` as it went: for the drill's report and for assertions. */
export interface ProxyLogEntry {
  readonly n: number;
  readonly at: Date;
  readonly to: readonly string[];
  readonly messageId?: string;
  readonly attempt?: number;
  readonly invocationId?: string;
  readonly fault: FaultKind;
  /** The emulator's status when forwarded (200 = the e-mail is in its inbox). */
  readonly upstreamStatus?: number;
  /** The emulator's `MessageId` when it accepted. */
  readonly sesMessageId?: string;
  /** What the client got: an HTTP status, or `destroyed` (no answer), or `gone` (it hung up first). */
  outcome?: number | 'destroyed' | 'gone';
}

export interface ProxyCounters {
  /** `SendEmail` requests received. */
  readonly seen: number;
  /** Forwarded to the emulator. */
  readonly forwarded: number;
  /** Accepted by the emulator (2xx): e-mails now in its inbox through this proxy. */
  readonly accepted: number;
  /** Requests (of any fault) by fault kind, `pass` included. */
  readonly faults: Readonly<Partial<Record<FaultKind, number>>>;
  /** Other requests passed through untouched. */
  readonly other: number;
}

/** The sending quota an account has: what `GetAccount` answers in `SendQuota`. */
export interface SesAccountQuota {
  readonly maxSendRate: number;
  readonly max24HourSend?: number;
  readonly sentLast24Hours?: number;
}

/** SESv2's `GetAccount` answer for a production account with `quota` (the fields the SDK reads; the rest as SES shows them). */
export const getAccountAnswer = (quota: SesAccountQuota) => ({
  DedicatedIpAutoWarmupEnabled: false,
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: quota.max24HourSend ?? 50_000, MaxSendRate: quota.maxSendRate, SentLast24Hours: quota.sentLast24Hours ?? 0 },
  SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
});

export interface SesFaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the SESv2 client. */
  readonly url: string;
  /** Answers `GetAccount` with this quota from now on; `undefined`: pass it to the emulator. */
  setAccount(quota: SesAccountQuota | undefined): void;
  /** Replaces the rule (from now on; a request already decided keeps its fault). */
  setRule(rule: FaultRule): void;
  /** Back to passing everything. */
  clearRule(): void;
  counters(): ProxyCounters;
  readonly log: readonly ProxyLogEntry[];
  /** Zeroes the counters and the log (`n` starts again at 1). */
  reset(): void;
  close(): Promise<void>;
}

export interface SesFaultProxyOptions {
  /** The SES emulator's endpoint, e.g. `http://127.0.0.1:8005`. */
  readonly target: string;
  readonly port?: number;
  readonly rule?: FaultRule;
  /** The account whose quota `GetAccount` answers (see `setAccount`). */
  readonly account?: SesAccountQuota;
}

const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
const GET_ACCOUNT_PATH = '/v2/email/account';

/** A request's or an answer's whole body (the fault proxies read it before deciding). */
export const readBody = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

interface SendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ConfigurationSetName?: string;
  EmailTags?: { Name?: string; Value?: string }[];
  Content?: { Simple?: { Subject?: { Data?: string } } };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export const decodeSendEmail = (n: number, headers: IncomingHttpHeaders, raw: Buffer): SendEmailRequest => {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  const b = (typeof body === 'object' && body !== null ? body : {}) as SendEmailBody;
  const tags: Record<string, string> = {};
  for (const tag of Array.isArray(b.EmailTags) ? b.EmailTags : []) if (typeof tag?.Name === 'string' && typeof tag.Value === 'string') tags[tag.Name] = tag.Value;
  const sdkRequest = /attempt=(\d+)(?:;\s*max=(\d+))?/.exec(String(headers['amz-sdk-request'] ?? ''));
  const invocationId = headers['amz-sdk-invocation-id'];
  return {
    n,
    from: typeof b.FromEmailAddress === 'string' ? b.FromEmailAddress : undefined,
    to: strings(b.Destination?.ToAddresses),
    cc: strings(b.Destination?.CcAddresses),
    bcc: strings(b.Destination?.BccAddresses),
    subject: typeof b.Content?.Simple?.Subject?.Data === 'string' ? b.Content.Simple.Subject.Data : undefined,
    configurationSetName: typeof b.ConfigurationSetName === 'string' ? b.ConfigurationSetName : undefined,
    tags,
    messageId: tags.messageId,
    attempt: sdkRequest?.[1] ? Number(sdkRequest[1]) : undefined,
    maxAttempts: sdkRequest?.[2] ? Number(sdkRequest[2]) : undefined,
    invocationId: typeof invocationId === 'string' ? invocationId : undefined,
    body,
    headers,
  };
};

interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

const forward = (target: URL, req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers.host = target.host;
    headers['content-length'] = String(body.length);
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
      readBody(res).then((answer) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: answer }), reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });

const writeUpstream = (res: ServerResponse, answer: UpstreamAnswer): void => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
};

const writeError = (res: ServerResponse, fault: ErrorFault): void => {
  const body = Buffer.from(fault.errorType === null ? '{}' : JSON.stringify({ message: fault.message }));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.length), 'x-amzn-requestid': randomUUID() };
  if (fault.errorType !== null) headers['x-amzn-errortype'] = fault.errorType;
  res.writeHead(fault.status, headers);
  res.end(body);
};

const emptyCounters = () => ({ seen: 0, forwarded: 0, accepted: 0, other: 0, faults: {} as Partial<Record<FaultKind, number>> });

/** Starts the proxy on `127.0.0.1`; resolves once it listens. */
export const startSesFaultProxy = async (options: SesFaultProxyOptions): Promise<SesFaultProxy> => {
  const target = new URL(options.target);
  let rule: FaultRule | undefined = options.rule;
  let account: SesAccountQuota | undefined = options.account;
  let counts = emptyCounters();
  let log: ProxyLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => (timers.delete(timer), fn()), ms);
    timers.add(timer);
  };

  const handleSendEmail = async (req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> => {
    const n = ++counts.seen;
    const request = decodeSendEmail(n, req.headers, raw);
    let fault: Fault;
    try {
      fault = rule?.(request, n) ?? faults.pass;
    } catch (error) {
      fault = faults.status(500, { message: `ses-fault-proxy: the rule threw: ${(error as Error).message}` });
    }
    counts.faults[fault.kind] = (counts.faults[fault.kind] ?? 0) + 1;
    const entry: ProxyLogEntry = { n, at: new Date(), to: request.to, messageId: request.messageId, attempt: request.attempt, invocationId: request.invocationId, fault: fault.kind };
    log.push(entry);
    let clientGone = false;
    res.on('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      entry.outcome ??= 'gone';
    });

    if (fault.kind !== 'pass' && fault.kind !== 'loseAnswer' && fault.kind !== 'timeout' && fault.kind !== 'delay') {
      writeError(res, fault);
      entry.outcome = fault.status;
      return;
    }

    counts.forwarded++;
    let answer: UpstreamAnswer;
    try {
      answer = await forward(target, req, raw);
    } catch (error) {
      writeError(res, faults.status(502, { errorType: null, message: (error as Error).message }));
      entry.outcome = 502;
      return;
    }
    const accepted = answer.status >= 200 && answer.status < 300;
    if (accepted) counts.accepted++;
    let sesMessageId: string | undefined;
    try {
      sesMessageId = (JSON.parse(answer.body.toString('utf8')) as { MessageId?: string }).MessageId;
    } catch {
      sesMessageId = undefined;
    }
    Object.assign(entry, { upstreamStatus: answer.status, sesMessageId });

    const answerNow = () => {
      if (clientGone || res.destroyed) {
        entry.outcome = 'gone';
        return;
      }
      writeUpstream(res, answer);
      entry.outcome = answer.status;
    };
    switch (fault.kind) {
      case 'pass':
        answerNow();
        return;
      case 'delay':
        later(fault.ms, answerNow);
        return;
      case 'loseAnswer':
        entry.outcome = 'destroyed';
        req.socket.destroy();
        return;
      case 'timeout':
        later(fault.maxHoldMs, () => {
          if (clientGone) return;
          entry.outcome = 'destroyed';
          req.socket.destroy();
        });
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then(async (raw) => {
        if (req.method === 'POST' && (req.url ?? '').split('?')[0] === SEND_EMAIL_PATH) return handleSendEmail(req, res, raw);
        counts.other++;
        if (account && req.method === 'GET' && (req.url ?? '').split('?')[0] === GET_ACCOUNT_PATH) {
          const body = Buffer.from(JSON.stringify(getAccountAnswer(account)));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-amzn-requestid': randomUUID() });
          res.end(body);
          return;
        }
        const answer = await forward(target, req, raw);
        writeUpstream(res, answer);
      })
      .catch((error: Error) => {
        if (!res.headersSent) writeError(res, faults.status(502, { errorType: null, message: error.message }));
        else res.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the SES fault proxy did not start');

  return {
    url: `http://127.0.0.1:${address.port}`,
    setRule: (next) => void (rule = next),
    setAccount: (quota) => void (account = quota),
    clearRule: () => void (rule = undefined),
    counters: () => ({ ...counts, faults: { ...counts.faults } }),
    get log() {
      return log;
    },
    reset: () => {
      counts = emptyCounters();
      log = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/**
 * A token bucket: `ratePerSecond` tokens a second up to `burst` (default: one second's worth).
 * `take()` spends one and says true, or says false and spends nothing (SES does not count refused
 * sends). `now` is milliseconds of any clock: wall time by default, the drill's virtual clock if given.
 */
export const tokenBucket = (ratePerSecond: number, options: { burst?: number; now?: () => number } = {}) => {
  const now = options.now ?? Date.now;
  const capacity = options.burst ?? Math.max(1, ratePerSecond);
  let tokens = capacity;
  let last = now();
  return {
    take(): boolean {
      const t = now();
      tokens = Math.min(capacity, tokens + ((t - last) / 1000) * ratePerSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    get tokens() {
      return tokens;
    },
  };
};

/**
 * The deterministic alternative: at most `perWindow` admitted per window, the window being whatever
 * key the caller names (a virtual second, a dispatcher tick, a burst number). Refused ones are not counted.
 */
export const windowLimiter = (perWindow: number, window: () => string | number) => {
  let current: string | number | undefined;
  let used = 0;
  return {
    take(): boolean {
      const key = window();
      if (key !== current) {
        current = key;
        used = 0;
      }
      if (used >= perWindow) return false;
      used++;
      return true;
    },
  };
};

/** The most of `times` (ms) in any window of `windowMs` (closed at its start, open at its end): how bunched sends were. */
export const mostInAnyWindow = (times: readonly number[], windowMs: number): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};
