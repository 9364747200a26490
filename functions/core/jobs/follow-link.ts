import { hasMarketingConsent } from '../consent.js';
import { claimedLocaleOf, PREFERENCES_PATH, SURVEY_ANSWER_PATH, UNSUBSCRIBE_PATH, verifyLink, type LinkAction } from '../links.js';
import { isSubscription, preferencesFromItem, PREFERENCES_RECORD_KEY, type Subscription } from '../preferences.js';
import type { CustomerStore } from '../ports.js';
import { PROFILE_RECORD_KEY } from '../records.js';

/** A request to the link endpoint, as far as it matters: nothing else of it is read. */
export interface LinkRequest {
  readonly method: string;
  readonly path: string;
  /** The `t` of the query string: the token of the link in the e-mail. */
  readonly token: string;
  /** The form fields of a POST (`application/x-www-form-urlencoded`); a `t` among them is the token. */
  readonly form: Readonly<Record<string, string>>;
}

export type LinkOutcome =
  | { readonly kind: 'notFound' }
  /** `locale`: the one the token claims, if it says one (claimedLocaleOf): the page answers in it, nothing else trusts it. */
  | { readonly kind: 'invalid'; readonly locale?: string }
  | { readonly kind: 'expired'; readonly locale: string }
  /** A genuine link of a customer no longer on record (erased): a neutral page, nothing written. */
  | { readonly kind: 'gone'; readonly locale: string }
  | { readonly kind: 'badRequest'; readonly locale: string }
  /** A GET of a survey answer link: it shows the score chosen, ready to send, and records nothing (mail scanners open links). */
  | { readonly kind: 'confirmSurveyAnswer'; readonly score: number; readonly token: string; readonly locale: string }
  | { readonly kind: 'surveyAnswer'; readonly result: 'recorded' | 'updated' | 'unchanged'; readonly score: number; readonly locale: string }
  /** A GET of an unsubscribe link: it asks, it does not act (mail scanners open links). */
  | { readonly kind: 'confirmUnsubscribe'; readonly locale: string }
  /** `receive`: the customer's choice now, `service`, or `nothing` if they had chosen that before (the page says which). */
  | { readonly kind: 'unsubscribed'; readonly receive: Exclude<Subscription, 'marketing'>; readonly locale: string }
  /**
   * `receive` is the customer's choice; `marketingConsent` whether the business recorded their consent,
   * without which "everything" is service messages only (consentBlocks): the page says so, and cannot change it.
   */
  | { readonly kind: 'preferences'; readonly receive: Subscription; readonly marketingConsent: boolean; readonly locale: string; readonly saved: boolean };

const pathOf: Record<LinkAction['action'], string> = { surveyAnswer: SURVEY_ANSWER_PATH, unsubscribe: UNSUBSCRIBE_PATH, preferences: PREFERENCES_PATH };

/** A score as a form sends it: one of 0 to 10, written plainly. */
const scoreFromForm = (value: string | undefined): number | undefined => (value !== undefined && /^(?:10|[0-9])$/.test(value) ? Number(value) : undefined);

/**
 * A click on a link from one of our e-mails. Only a genuine, unexpired link on its own path does
 * anything; a tampered, expired or misplaced one records nothing.
 *
 * A `GET` (or `HEAD`) never changes anything: mail scanners open every link of a message, some
 * with `HEAD`, but they submit no forms. So every change is a `POST`:
 * - `GET /survey` shows the score of the link clicked, preselected, with a button; its `POST` (form
 *   fields `t`, the link's token, and `score`) records the answer: the same score again changes
 *   nothing, another one replaces it.
 * - `POST /unsubscribe` (RFC 8058 one-click, or the confirmation page's button): no more marketing, at once. `GET` asks.
 * - `GET /preferences` shows what the customer receives; `POST` with `receive` = marketing | service | nothing changes it.
 *
 * There are no sessions or cookies: the signed token a request carries is its only authority, so a
 * forged cross-site form can do nothing its author could not do with the token itself, and CSRF
 * tokens would add nothing.
 */
const rejected = (token: string): LinkOutcome => {
  const locale = claimedLocaleOf(token);
  return locale === undefined ? { kind: 'invalid' } : { kind: 'invalid', locale };
};

export const followLink = async (customers: CustomerStore, request: LinkRequest, secret: string, now: Date): Promise<LinkOutcome> => {
  const isKnownPath = Object.values(pathOf).includes(request.path);
  const method = request.method === 'HEAD' ? 'GET' : request.method; // a HEAD is answered as its GET would be
  if (!isKnownPath || (method !== 'GET' && method !== 'POST')) return { kind: 'notFound' };
  const token = method === 'POST' && request.form.t ? request.form.t : request.token;
  const verified = verifyLink(token, secret, now);
  if (!verified.ok) return verified.problem === 'expired' ? { kind: 'expired', locale: verified.link.locale } : rejected(token);
  const link = verified.link;
  if (pathOf[link.action] !== request.path) return rejected(token);
  const { customerId, locale } = link;
  // Whose link it is, as they are now: a customer no longer on record (erased) gets a neutral page, and nothing is written for them.
  const stored = await customers.getItems([
    { customerId, recordKey: PROFILE_RECORD_KEY },
    { customerId, recordKey: PREFERENCES_RECORD_KEY },
  ]);
  const profile = stored.get(`${customerId}|${PROFILE_RECORD_KEY}`) as { readonly marketingOptIn?: unknown } | undefined;
  if (!profile) return { kind: 'gone', locale };
  const marketingConsent = hasMarketingConsent(profile);
  const subscription = preferencesFromItem(stored.get(`${customerId}|${PREFERENCES_RECORD_KEY}`))?.receive ?? 'marketing';
  const setReceive = (receive: Subscription) => customers.setPreferences({ customerId, receive, updatedAt: now.toISOString() });

  switch (link.action) {
    case 'surveyAnswer': {
      if (method === 'GET') return { kind: 'confirmSurveyAnswer', score: link.score, token, locale };
      // The link's token says whose survey it is; the customer may have picked another number on the page.
      const score = scoreFromForm(request.form.score);
      if (score === undefined) return { kind: 'badRequest', locale };
      const result = await customers.recordSurveyAnswer({ type: 'surveyResponse', surveyId: link.surveyId, customerId, score, respondedAt: now.toISOString() });
      return { kind: 'surveyAnswer', result, score, locale };
    }
    case 'unsubscribe': {
      if (method === 'GET') return { kind: 'confirmUnsubscribe', locale };
      if (subscription !== 'marketing') return { kind: 'unsubscribed', receive: subscription, locale }; // "nothing" already includes no marketing
      await setReceive('service');
      return { kind: 'unsubscribed', receive: 'service', locale };
    }
    case 'preferences': {
      if (method === 'GET') return { kind: 'preferences', receive: subscription, marketingConsent, locale, saved: false };
      const receive = request.form.receive;
      if (!isSubscription(receive)) return { kind: 'badRequest', locale };
      await setReceive(receive);
      return { kind: 'preferences', receive, marketingConsent, locale, saved: true };
    }
  }
};
