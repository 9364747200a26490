import { describe, expect, it } from 'vitest';
import { arrange } from '../../functions/core/arrange.js';
import { NEVER } from '../../functions/core/cadence.js';
import { defaultConfig } from '../../functions/core/config.js';

const now = new Date('2027-03-01T00:00:00Z');
const message = (messageId: string, priority: number, dueAt: string, deadline: string) => ({ messageId, priority, dueAt, deadline, timeZone: 'UTC' });
const result = (arrangement: ReturnType<typeof arrange>) =>
  Object.fromEntries(arrangement.map((a) => ['sendAfter' in a ? [a.messageId, a.sendAfter.toISOString()] : [a.messageId, a.expire]][0]!));

describe('arranging a customer’s capped messages', () => {
  it('lets a renewal reminder with weeks to spare wait for a birthday greeting that is only good today', () => {
    const renewal = message('renewal', 90, '2027-03-02T09:00:00Z', '2027-03-31T00:00:00Z');
    const birthday = message('birthday', 80, '2027-03-04T09:00:00Z', '2027-03-05T00:00:00Z');
    expect(result(arrange([renewal, birthday], NEVER, now, defaultConfig))).toEqual({
      birthday: '2027-03-04T09:00:00.000Z',
      renewal: '2027-03-11T09:00:00.000Z', // 7 local days after the birthday, when quiet hours end
    });
  });

  it('never sends a message before it is due, and keeps the cap after the last capped send', () => {
    const survey = message('survey', 50, '2027-03-02T12:00:00Z', '2027-03-20T00:00:00Z');
    expect(result(arrange([survey], '2027-02-27', now, defaultConfig))).toEqual({ survey: '2027-03-06T09:00:00.000Z' });
  });

  it('expires by priority only when not everything fits, naming what it gave way to', () => {
    const keepInTouch = message('keepInTouch', 10, '2027-03-02T09:00:00Z', '2027-03-06T00:00:00Z');
    const birthday = message('birthday', 80, '2027-03-04T09:00:00Z', '2027-03-05T00:00:00Z');
    expect(result(arrange([keepInTouch, birthday], NEVER, now, defaultConfig))).toEqual({
      birthday: '2027-03-04T09:00:00.000Z',
      keepInTouch: 'gave way under the weekly cap to birthday',
    });
  });

  it('moves a message due in quiet hours to when they end', () => {
    const late = message('late', 50, '2027-03-02T21:30:00Z', '2027-03-10T00:00:00Z');
    expect(result(arrange([late], NEVER, now, defaultConfig))).toEqual({ late: '2027-03-03T09:00:00.000Z' });
  });
});

describe('an expiry reason', () => {
  it('says quiet hours when the window closes before they end, and the cap when that is what blocks', () => {
    // 20:30 local on the last evening of its window: quiet until 09:00, after the deadline.
    const lateEvening = message('lateEvening', 80, '2027-03-01T20:30:00Z', '2027-03-02T00:00:00Z');
    expect(result(arrange([lateEvening], NEVER, now, defaultConfig))).toEqual({ lateEvening: 'no slot before its deadline: quiet hours' });
    const capped = message('capped', 80, '2027-03-02T09:00:00Z', '2027-03-03T00:00:00Z');
    expect(result(arrange([capped], '2027-02-27', now, defaultConfig))).toEqual({ capped: 'no slot before its deadline: the weekly cap (last capped message on 2027-02-27)' });
  });

  it('keeps all of seven when they fit: three contracts’ reminders around a birthday go in their windows, none pushed past its own', () => {
    const reminders = [
      ['kA#30', '2027-03-06', '2027-04-05'],
      ['kB#30', '2027-03-13', '2027-04-12'],
      ['kC#30', '2027-03-27', '2027-04-26'],
      ['kA#7', '2027-03-29', '2027-04-05'],
      ['kB#7', '2027-04-05', '2027-04-12'],
      ['kC#7', '2027-04-19', '2027-04-26'],
    ].map(([id, due, deadline]) => message(id!, 90, `${due}T09:00:00Z`, `${deadline}T00:00:00Z`));
    const birthday = message('birthday', 80, '2027-03-20T09:00:00Z', '2027-03-21T00:00:00Z');
    // Earliest deadline first sent the greeting before the reminders due a fortnight earlier, and the
    // last of them (kB#7) found no slot left before its contract ended.
    expect(result(arrange([...reminders, birthday], NEVER, now, defaultConfig))).toEqual({
      'kA#30': '2027-03-06T09:00:00.000Z',
      'kB#30': '2027-03-13T09:00:00.000Z',
      birthday: '2027-03-20T09:00:00.000Z',
      'kC#30': '2027-03-27T09:00:00.000Z',
      'kA#7': '2027-04-03T09:00:00.000Z',
      'kB#7': '2027-04-10T09:00:00.000Z',
      'kC#7': '2027-04-19T09:00:00.000Z',
    });
  });
});
