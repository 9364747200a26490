import { describe, expect, it } from 'vitest';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { ConfigError, parseConfig } from '../../functions/core/config.js';

const withCadence = (cadence: Record<string, unknown>) => ({ ...defaults, cadence: { ...defaults.cadence, ...cadence } });

describe('configuration', () => {
  it('accepts the shipped defaults', () => {
    expect(parseConfig(defaults).cadence).toEqual({ minDaysBetween: 7, maxDaysBetween: 30, quietHours: { start: '20:00', end: '09:00' } });
  });

  it.each([
    [withCadence({ minDaysBetween: 31 }), 'cadence.minDaysBetween: the cap (31 days) is longer than the floor (30 days)'],
    [{ ...defaults, planner: { lookAheadDays: 10 } }, 'planner.lookAheadDays: the planner must look at least maxDaysBetween (30) days ahead'],
    [withCadence({ quietHours: { start: '09:00', end: '09:00' } }), 'cadence.quietHours: quiet hours start and end at the same time'],
    [withCadence({ minDaysBetween: 'seven' }), 'cadence.minDaysBetween'],
    [{ ...defaults, campaigns: { ...defaults.campaigns, birthday: { ...defaults.campaigns.birthday, leapDayPolicy: 'feb30' } } }, 'campaigns.birthday.leapDayPolicy'],
    [{ ...defaults, surprise: true }, 'surprise'],
  ])('refuses an impossible or malformed configuration with the reason (%#)', (document, reason) => {
    expect(() => parseConfig(document)).toThrow(ConfigError);
    expect(() => parseConfig(document)).toThrow(reason);
  });
});
