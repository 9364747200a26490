import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { expiryOf, hasExpired } from '../../functions/core/messages.js';

describe('when an ended message expires', () => {
  it('is messagesDays after it ended, in whole epoch seconds, as DynamoDB TTL reads it', () => {
    // Prepare
    const endedAt = new Date('2027-03-04T09:00:00.750Z');

    // Act
    const expiresAt = expiryOf(endedAt, defaultConfig.retention);

    // Assess
    expect(defaultConfig.retention.messagesDays).toBe(400);
    expect(Number.isInteger(expiresAt)).toBe(true);
    expect(new Date(expiresAt * 1000).toISOString()).toBe('2028-04-07T09:00:00.000Z');
    expect(expiryOf(endedAt, { messagesDays: 370 })).toBe(Math.floor(endedAt.getTime() / 1000) + 370 * 86_400);
  });

  it('has expired from its second on, and only an item with a number in expiresAt expires', () => {
    const expiresAt = expiryOf(new Date('2027-03-04T09:00:00Z'), { messagesDays: 400 });
    const at = new Date(expiresAt * 1000);
    expect(hasExpired(expiresAt, new Date(at.getTime() - 1000))).toBe(false);
    expect(hasExpired(expiresAt, new Date(at.getTime() - 1))).toBe(false);
    expect(hasExpired(expiresAt, at)).toBe(true);
    expect(hasExpired(expiresAt, new Date(at.getTime() + 86_400_000))).toBe(true);
    // A waiting message has none; DynamoDB ignores an attribute that is not a number.
    expect(hasExpired(undefined, at)).toBe(false);
    expect(hasExpired(String(expiresAt), at)).toBe(false);
  });
});
