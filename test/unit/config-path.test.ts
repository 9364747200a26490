import { describe, expect, it } from 'vitest';
import { withSetting } from '../../functions/core/config-path.js';
import { defaultConfig } from '../../functions/core/config.js';

describe('config set <path>=<value>', () => {
  it('changes one setting by its path, and says what it was', () => {
    const change = withSetting(defaultConfig, 'cadence.minDaysBetween=10');
    expect([change.config.cadence.minDaysBetween, change.from, change.to]).toEqual([10, 7, 10]);
  });

  it('sets a campaign\'s own holdout share by its path, though the shipped document has none yet', () => {
    const change = withSetting(defaultConfig, 'measurement.campaigns.birthday.holdoutPercent=5');
    expect(change.config.measurement.campaigns).toEqual({ birthday: { holdoutPercent: 5 } });
    expect(change.from).toBeUndefined();
  });

  it.each([
    ['measurement.campaigns.complaintFollowUp.holdoutPercent=5', 'complaint follow-ups are never held out'],
    ['measurement.campaigns.birthdy.holdoutPercent=5', 'measurement.campaigns: Unrecognized key: "birthdy"'],
    ['measurement.campaigns.birthday.holdoutPct=5', 'Unrecognized key: "holdoutPct"'],
    ['cadence.minDaysBetwen=3', "unknown setting 'cadence.minDaysBetwen'"],
    ['brand.colours.accent=1', "unknown setting 'brand.colours.accent'"],
    ['measurement.campaigns.__proto__.polluted=5', "unknown setting 'measurement.campaigns.__proto__.polluted'"],
    ['cadence.constructor=1', "unknown setting 'cadence.constructor'"],
    ['cadence.toString=1', "unknown setting 'cadence.toString'"],
  ])('refuses %s with the reason', (assignment, reason) => {
    expect(() => withSetting(defaultConfig, assignment)).toThrow(reason);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
