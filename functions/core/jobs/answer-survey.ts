import { verifyLink } from '../links.js';
import type { CustomerStore } from '../ports.js';

export type SurveyAnswerOutcome =
  | { readonly kind: 'recorded' | 'updated' | 'unchanged'; readonly score: number; readonly locale: string }
  | { readonly kind: 'expired'; readonly locale: string }
  | { readonly kind: 'invalid' };

/**
 * A click on one of a survey's answer links: a genuine, unexpired link records its score as the
 * survey's answer (the same click again changes nothing; another score replaces it). A tampered or
 * expired link records nothing.
 */
export const answerSurvey = async (customers: CustomerStore, token: string, secret: string, now: Date): Promise<SurveyAnswerOutcome> => {
  const verified = verifyLink(token, secret, now);
  if (!verified.ok) return verified.problem === 'expired' ? { kind: 'expired', locale: verified.link.locale } : { kind: 'invalid' };
  const { customerId, surveyId, score, locale } = verified.link;
  const kind = await customers.recordSurveyAnswer({ type: 'surveyResponse', surveyId, customerId, score, respondedAt: now.toISOString() });
  return { kind, score, locale };
};
