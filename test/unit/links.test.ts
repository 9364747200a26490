import { describe, expect, it } from 'vitest';
import { signLink, surveyAnswerUrls, verifyLink, type SurveyAnswerLink } from '../../functions/core/links.js';

const secret = 'a-test-secret-of-enough-length-0123456789';
const link: SurveyAnswerLink = { action: 'surveyAnswer', customerId: 'c-1', surveyId: 'o-5', score: 7, locale: 'es' };
const now = new Date('2027-03-01T00:00:00Z');
const inAMonth = new Date('2027-03-31T00:00:00Z');

describe('signed one-click links', () => {
  it('verify with the secret they were signed with, until they expire', () => {
    const token = signLink(link, inAMonth, secret);
    expect(verifyLink(token, secret, now)).toEqual({ ok: true, link });
    expect(verifyLink(token, secret, new Date('2027-03-30T23:59:59Z')).ok).toBe(true);
    expect(verifyLink(token, secret, inAMonth)).toEqual({ ok: false, problem: 'expired', link });
  });

  it('are URL-safe as they are', () => {
    expect(signLink(link, inAMonth, secret)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuse any change to what they say, their signature, or a different secret', () => {
    const token = signLink(link, inAMonth, secret);
    const [body, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ link: { ...link, score: 10 }, exp: Math.floor(inAMonth.getTime() / 1000) })).toString('base64url');
    expect(verifyLink(`${forged}.${signature}`, secret, now)).toEqual({ ok: false, problem: 'invalid' });
    const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');
    expect(verifyLink(`${body}.${flipped}`, secret, now)).toEqual({ ok: false, problem: 'invalid' });
    expect(verifyLink(token, 'another-secret', now)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuse a genuine token with anything added to its signature, or its signature written another way', () => {
    // Node's base64 decoder skips what is not base64 and the spare bits of the last character,
    // so each of these decoded to the genuine signature and was accepted.
    const token = signLink(link, inAMonth, secret);
    expect(token).toMatch(/\.[A-Za-z0-9_-]{43}$/);
    for (const junk of ['=', '==', '!', '!!!!', ' ', '\n', '~~~', '@@', '%'])
      expect(verifyLink(`${token}${junk}`, secret, now), JSON.stringify(junk)).toEqual({ ok: false, problem: 'invalid' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const sameBytes = [0, 1, 2, 3].map((spare) => alphabet[(last & ~3) + spare]!).filter((char) => char !== token.at(-1));
    expect(sameBytes).toHaveLength(3);
    for (const char of sameBytes) {
      const respelt = token.slice(0, -1) + char;
      expect(Buffer.from(respelt.split('.')[1]!, 'base64url').equals(Buffer.from(token.split('.')[1]!, 'base64url'))).toBe(true);
      expect(verifyLink(respelt, secret, now)).toEqual({ ok: false, problem: 'invalid' });
    }
    expect(verifyLink(` ${token}`, secret, now)).toEqual({ ok: false, problem: 'invalid' });
    expect(verifyLink(token, secret, now).ok).toBe(true);
  });

  it.each(['', 'abc', 'a.b.c', '.', '%%%.***'])('refuse a malformed token %j', (token) => {
    expect(verifyLink(token, secret, now)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('give a survey eleven answers, 0 to 10, each its own link to the endpoint', () => {
    const urls = surveyAnswerUrls({ baseUrl: 'https://links.example.com/', secret }, { customerId: 'c-1', surveyId: 'o-5', locale: 'en' }, inAMonth);
    expect(urls.map((u) => u.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const { score, url } of urls) {
      expect(url).toMatch(/^https:\/\/links\.example\.com\/survey\?t=/);
      const verified = verifyLink(new URL(url).searchParams.get('t')!, secret, now);
      expect(verified).toEqual({ ok: true, link: { action: 'surveyAnswer', customerId: 'c-1', surveyId: 'o-5', locale: 'en', score } });
    }
  });
});
