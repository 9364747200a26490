import { PREFERENCES_PATH, SURVEY_ANSWER_PATH, UNSUBSCRIBE_PATH, verifyLink, type LinkAction } from '../links.js';
import { isSubscription, preferencesFromItem, PREFERENCES_RECORD_KEY, type Subscription } from '../preferences.js';
import type { CustomerStore } from '../ports.js';

/** A request to the link endpoint, as far as it matters: nothing else of it is read. */
export interface LinkRequest {
  readonly method: string;
  readonly path: string;
  readonly token: string;
  /** The form fields of a POST (`application/x-www-form-urlencoded`). */
  readonly form: Readonly<Record<string, string>>;
}

export type LinkOutcome =
  | { readonly kind: 'notFound' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'expired'; readonly locale: string }
  | { readonly kind: 'badRequest'; readonly locale: string }
  | { readonly kind: 'surveyAnswer'; readonly result: 'recorded' | 'updated' | 'unchanged'; readonly score: number; readonly locale: string }
  /** A GET of an unsubscribe link: it asks, it does not act (mail scanners open links). */
  | { readonly kind: 'confirmUnsubscribe'; readonly locale: string }
  | { readonly kind: 'unsubscribed'; readonly locale: string }
  | { readonly kind: 'preferences'; readonly receive: Subscription; readonly locale: string; readonly saved: boolean };

const pathOf: Record<LinkAction['action'], string> = { surveyAnswer: SURVEY_ANSWER_PATH, unsubscribe: UNSUBSCRIBE_PATH, preferences: PREFERENCES_PATH };

/**
 * A click on a link from one of our e-mails. Only a genuine, unexpired link on its own path does
 * anything; a tampered, expired or misplaced one records nothing.
 * - `GET /survey`: records the survey answer (the same click again changes nothing; another score replaces it).
 * - `POST /unsubscribe` (RFC 8058 one-click, or the confirmation page's button): no more marketing, at once. `GET` asks.
 * - `GET /preferences` shows what the customer receives; `POST` with `receive` = marketing | service | nothing changes it.
 */
export const followLink = async (customers: CustomerStore, request: LinkRequest, secret: string, now: Date): Promise<LinkOutcome> => {
  const isKnownPath = Object.values(pathOf).includes(request.path);
  if (!isKnownPath || (request.method !== 'GET' && request.method !== 'POST')) return { kind: 'notFound' };
  const verified = verifyLink(request.token, secret, now);
  if (!verified.ok) return verified.problem === 'expired' ? { kind: 'expired', locale: verified.link.locale } : { kind: 'invalid' };
  const link = verified.link;
  if (pathOf[link.action] !== request.path) return { kind: 'invalid' };
  const { customerId, locale } = link;
  const setReceive = (receive: Subscription) => customers.setPreferences({ customerId, receive, updatedAt: now.toISOString() });

  switch (link.action) {
    case 'surveyAnswer': {
      if (request.method !== 'GET') return { kind: 'badRequest', locale };
      const result = await customers.recordSurveyAnswer({ type: 'surveyResponse', surveyId: link.surveyId, customerId, score: link.score, respondedAt: now.toISOString() });
      return { kind: 'surveyAnswer', result, score: link.score, locale };
    }
    case 'unsubscribe': {
      if (request.method === 'GET') return { kind: 'confirmUnsubscribe', locale };
      const current = await currentSubscription(customers, customerId);
      if (current === 'marketing') await setReceive('service'); // "nothing" already includes no marketing
      return { kind: 'unsubscribed', locale };
    }
    case 'preferences': {
      if (request.method === 'GET') return { kind: 'preferences', receive: await currentSubscription(customers, customerId), locale, saved: false };
      const receive = request.form.receive;
      if (!isSubscription(receive)) return { kind: 'badRequest', locale };
      await setReceive(receive);
      return { kind: 'preferences', receive, locale, saved: true };
    }
  }
};

const currentSubscription = async (customers: CustomerStore, customerId: string): Promise<Subscription> => {
  const item = (await customers.getItems([{ customerId, recordKey: PREFERENCES_RECORD_KEY }])).get(`${customerId}|${PREFERENCES_RECORD_KEY}`);
  return preferencesFromItem(item)?.receive ?? 'marketing';
};
