import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Logger } from '@aws-lambda-powertools/logger';
import { FALLBACK_SEND_RATE, type PacingClock, type SendRate } from '../core/pacing.js';
import type { SendPacing } from './runtime.js';
import { keptFor } from './kept-for.js';
import { sesFailureFacts } from './ses-mailer.js';

/** How long a function instance keeps the account's rate it read; a failed read is tried again sooner. */
export const SEND_RATE_TTL_MS = 5 * 60_000;
export const FALLBACK_TTL_MS = 60_000;

/** The SES account's `SendQuota.MaxSendRate` (SESv2 `GetAccount`); throws when SES answers none. */
export const readMaxSendRate = async (client: SESv2Client): Promise<number> => {
  const account = await client.send(new GetAccountCommand({}));
  const rate = account.SendQuota?.MaxSendRate;
  if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) throw new Error(`GetAccount answered no usable SendQuota.MaxSendRate (${String(rate)})`);
  return rate;
};

/**
 * The account's rate, read at most once every `ttlMs` per function instance. When it cannot be read
 * (no permission, SES down, an emulator without an account) the run sends at FALLBACK_SEND_RATE, SES's
 * sandbox rate, which no account is below, and `onFallback` is told why; it is tried again after `fallbackTtlMs`.
 * Sending never stops because of it.
 */
export const cachedAccountSendRate = (
  read: () => Promise<number>,
  now: () => number,
  onFallback: (reason: string) => void,
  ttls: { readonly ttlMs?: number; readonly fallbackTtlMs?: number } = {},
): (() => Promise<SendRate>) => {
  const readOrFallBack = async (): Promise<SendRate> => {
    try {
      return { perSecond: await read(), source: 'account' };
    } catch (error) {
      const facts = sesFailureFacts(error);
      onFallback(`${facts.name}${facts.status === undefined ? '' : ` (HTTP ${facts.status})`}: ${facts.message}`);
      return { perSecond: FALLBACK_SEND_RATE, source: 'fallback' };
    }
  };
  return keptFor(readOrFallBack, now, (rate) => (rate.source === 'account' ? (ttls.ttlMs ?? SEND_RATE_TTL_MS) : (ttls.fallbackTtlMs ?? FALLBACK_TTL_MS)));
};

/** What the dispatcher logs when it cannot read the account's rate and sends at the fallback. */
export const SEND_RATE_FALLBACK = `the SES account's sending rate could not be read (GetAccount); sending at ${FALLBACK_SEND_RATE} a second until it can`;

/** Real time, for the pacer in Lambda and in the paced benchmark. */
export const realTime: PacingClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * The dispatcher's pacing: real time, and the account's rate read through `client` (cached, with the
 * fallback logged as a warning).
 */
export const sesPacing = (client: SESv2Client, logger: Pick<Logger, 'warn'>): SendPacing => ({
  clock: realTime,
  accountRate: cachedAccountSendRate(
    () => readMaxSendRate(client),
    realTime.now,
    (reason) => logger.warn(SEND_RATE_FALLBACK, { reason }),
  ),
});
