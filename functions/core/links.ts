import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click links (SPEC.md, Email): what a link does travels in the link itself, signed with an
 * HMAC-SHA256 of a secret only the system knows, with an expiry. A changed byte breaks the signature,
 * so a tampered link can do nothing; an expired one is refused even though it is genuine.
 *
 * A token is `base64url(JSON payload).base64url(signature)`.
 */

export interface SurveyAnswerLink {
  readonly action: 'surveyAnswer';
  readonly customerId: string;
  readonly surveyId: string;
  readonly score: number;
  /** The language of the page the click lands on. */
  readonly locale: string;
}

/** Unsubscribe from marketing (one click, RFC 8058), or open the preference page: who, and the page's language. */
export interface PreferenceLink {
  readonly action: 'unsubscribe' | 'preferences';
  readonly customerId: string;
  readonly locale: string;
}

export type LinkAction = SurveyAnswerLink | PreferenceLink;
const linkActions: readonly string[] = ['surveyAnswer', 'unsubscribe', 'preferences'];

interface Payload {
  readonly link: LinkAction;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

export type VerifiedLink =
  | { readonly ok: true; readonly link: LinkAction }
  /** `expired` links are genuine, so their locale can be trusted for the error page. */
  | { readonly ok: false; readonly problem: 'invalid' }
  | { readonly ok: false; readonly problem: 'expired'; readonly link: LinkAction };

const signatureOf = (body: string, secret: string): Buffer => createHmac('sha256', secret).update(body).digest();

export const signLink = (link: LinkAction, expiresAt: Date, secret: string): string => {
  const payload: Payload = { link, exp: Math.floor(expiresAt.getTime() / 1000) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${signatureOf(body, secret).toString('base64url')}`;
};

/**
 * A token exactly as `signLink` writes it: base64url body, a dot, and the 43 characters of a
 * SHA-256 signature. Node's base64 decoder skips what is not base64 and ignores the spare bits
 * of the last character, so without this `sig`, `sig=`, `sig!!` and `sig ` would all verify:
 * one signature, many tokens. Only the canonical one is accepted.
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

export const verifyLink = (token: string, secret: string, now: Date): VerifiedLink => {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, problem: 'invalid' };
  const [body, signature] = token.split('.') as [string, string];
  const expected = signatureOf(body, secret);
  const given = Buffer.from(signature, 'base64url');
  // A spare bit set in the last character decodes to the same bytes: refuse it by re-encoding.
  if (given.toString('base64url') !== signature) return { ok: false, problem: 'invalid' };
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'invalid' };
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (typeof payload.exp !== 'number' || !linkActions.includes(payload.link?.action)) return { ok: false, problem: 'invalid' };
  if (now.getTime() >= payload.exp * 1000) return { ok: false, problem: 'expired', link: payload.link };
  return { ok: true, link: payload.link };
};

/**
 * The language a token says it is in, read without trusting it: only to answer a rejected link (tampered,
 * misplaced) in the language of the e-mail it came from. Nothing else is ever taken from an unverified token.
 */
export const claimedLocaleOf = (token: string): string | undefined => {
  try {
    const locale = (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Partial<Payload>).link?.locale;
    return typeof locale === 'string' && /^[A-Za-z]{2}(-[A-Za-z0-9]{2,8})?$/.test(locale) ? locale : undefined;
  } catch {
    return undefined;
  }
};

/** Where links point: the link endpoint's base URL and the secret they are signed with. */
export interface LinkSigning {
  readonly baseUrl: string;
  readonly secret: string;
}

export const SURVEY_ANSWER_PATH = '/survey';
export const UNSUBSCRIBE_PATH = '/unsubscribe';
export const PREFERENCES_PATH = '/preferences';

const linkUrl = (signing: LinkSigning, path: string, link: LinkAction, expiresAt: Date) =>
  `${signing.baseUrl.replace(/\/+$/, '')}${path}?t=${signLink(link, expiresAt, signing.secret)}`;

/** The links every e-mail carries: the preference page, and (for marketing) one-click unsubscribe. */
export const preferenceUrls = (signing: LinkSigning, customer: { customerId: string; locale: string }, expiresAt: Date) => ({
  unsubscribe: linkUrl(signing, UNSUBSCRIBE_PATH, { action: 'unsubscribe', customerId: customer.customerId, locale: customer.locale }, expiresAt),
  preferences: linkUrl(signing, PREFERENCES_PATH, { action: 'preferences', customerId: customer.customerId, locale: customer.locale }, expiresAt),
});

/** The survey's eleven one-click answers, 0 to 10, each its own signed link. */
export const surveyAnswerUrls = (
  signing: LinkSigning,
  survey: Omit<SurveyAnswerLink, 'action' | 'score'>,
  expiresAt: Date,
): { readonly score: number; readonly url: string }[] =>
  Array.from({ length: 11 }, (_, score) => ({
    score,
    url: linkUrl(signing, SURVEY_ANSWER_PATH, { action: 'surveyAnswer', ...survey, score }, expiresAt),
  }));
