import { describe, expect, it } from 'vitest';
import { withSettings } from '../../functions/core/config-path.js';
import { defaultConfig } from '../../functions/core/config.js';

describe('config set <path>=<value>', () => {
  it('changes one setting by its path, and says what it was', () => {
    const { config, changes } = withSettings(defaultConfig, ['cadence.minDaysBetween=10']);
    expect([config.cadence.minDaysBetween, changes]).toEqual([10, [{ path: 'cadence.minDaysBetween', from: 7, to: 10 }]]);
  });

  it('sets a campaign\'s own holdout share by its path, though the shipped document has none yet', () => {
    const { config, changes } = withSettings(defaultConfig, ['measurement.campaigns.birthday.holdoutPercent=5']);
    expect(config.measurement.campaigns).toEqual({ birthday: { holdoutPercent: 5 } });
    expect(changes[0]!.from).toBeUndefined();
  });

  it.each([
    [['cadence.minDaysBetween=40', 'cadence.maxDaysBetween=60', 'planner.lookAheadDays=60'], { cadence: { minDaysBetween: 40, maxDaysBetween: 60 }, planner: { lookAheadDays: 60 } }],
    [['cadence.minDaysBetween=40', 'planner.lookAheadDays=60', 'cadence.maxDaysBetween=60'], { cadence: { minDaysBetween: 40, maxDaysBetween: 60 }, planner: { lookAheadDays: 60 } }],
    [['cadence.quietHours.start="09:00"', 'cadence.quietHours.end="20:00"'], { cadence: { quietHours: { start: '09:00', end: '20:00' } } }],
  ])('takes %j together and validates the whole once, whatever the order', (assignments, expected) => {
    // Prepare: the first alone is refused
    expect(() => withSettings(defaultConfig, [assignments[0]!])).toThrow('invalid configuration');

    // Act
    const { config, changes } = withSettings(defaultConfig, assignments);

    // Assess
    expect(config).toMatchObject(expected);
    expect(changes.map((change) => change.path)).toEqual(assignments.map((assignment) => assignment.split('=')[0]));
  });

  it('refuses several settings that are impossible together, naming why', () => {
    expect(() => withSettings(defaultConfig, ['cadence.minDaysBetween=40', 'cadence.maxDaysBetween=35'])).toThrow('the cap (40 days) is longer than the floor (35 days)');
  });

  it('mends a stored configuration that lacks whole sections and breaks a rule: what it lacks comes from the shipped settings, its own values stay', () => {
    // Prepare: stored by hand, without `sending` and `email`, its lease shorter than a run
    const { sending: _sending, email: _email, ...rest } = structuredClone(defaultConfig);
    const stored = { ...rest, cadence: { ...rest.cadence, minDaysBetween: 9 }, dispatcher: { ...rest.dispatcher, claimLeaseMinutes: 5 } };

    // Act: the runbook's pause, with the setting the validation names
    const { config, changes } = withSettings(stored, ['dispatcher.claimLeaseMinutes=10', 'sending.marketingPaused=true', 'email.preferenceLinkValidDays=60']);

    // Assess
    expect([config.sending.marketingPaused, config.email.preferenceLinkValidDays, config.dispatcher.claimLeaseMinutes, config.cadence.minDaysBetween]).toEqual([true, 60, 10, 9]);
    expect(changes.map((change) => change.from)).toEqual([5, false, 90]);
    expect(config.sending.maxSendRate).toBe(defaultConfig.sending.maxSendRate);
    // A section stored as null is missing too.
    expect(withSettings({ ...defaultConfig, email: null }, ['email.preferenceLinkValidDays=30']).config.email).toEqual({ preferenceLinkValidDays: 30 });
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
    expect(() => withSettings(defaultConfig, [assignment])).toThrow(reason);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
