import { describe, expect, it } from 'vitest';
import { datesToPlan } from '../../functions/core/jobs/planning-window.js';
import type { ControlStore, PlannerProgress } from '../../functions/core/ports.js';

/**
 * A dated-message planner reads each date once. Dates planned under other settings (new reminder
 * offsets, another leap-day policy) or beyond a horizon made shorter since are planned again from the
 * start, or what those settings call for on those dates would never be planned.
 */
const now = new Date('2027-03-01T10:00:00Z');

const controlWith = (progress: PlannerProgress) => {
  let stored = { ...progress };
  const restarts: string[] = [];
  const control = {
    progress: async () => stored,
    restartPlanning: async (_planner: string, settings: string) => {
      restarts.push(settings);
      stored = { plannedWith: settings };
    },
    setPlannedThrough: async () => undefined,
  } as unknown as ControlStore;
  return { control, restarts };
};

describe('the dates a planner has still to plan', () => {
  it('go on from its watermark when its settings stand', async () => {
    const { control, restarts } = controlWith({ plannedThrough: '2027-04-04', plannedWith: 'offsets 30, 7' });
    const { dates } = await datesToPlan(control, 'renewalPlanner', now, 35, 'offsets 30, 7');
    expect([dates, restarts]).toEqual([['2027-04-05'], []]);
  });

  it('start again from yesterday in UTC when its settings changed', async () => {
    const { control, restarts } = controlWith({ plannedThrough: '2027-04-04', plannedWith: 'offsets 30, 7' });
    const { dates } = await datesToPlan(control, 'renewalPlanner', now, 35, 'offsets 30, 14, 7');
    expect([dates[0], dates.at(-1), dates.length, restarts]).toEqual(['2027-02-28', '2027-04-05', 37, ['offsets 30, 14, 7']]);
  });

  it('start again when the horizon was made shorter than the dates already read', async () => {
    const { control, restarts } = controlWith({ plannedThrough: '2027-04-29', plannedWith: 'offsets 30, 7' });
    const { dates } = await datesToPlan(control, 'renewalPlanner', now, 35, 'offsets 30, 7');
    expect([dates[0], dates.at(-1), restarts]).toEqual(['2027-02-28', '2027-04-05', ['offsets 30, 7']]);
  });

  it('start again once for a watermark kept before the settings were (an upgrade)', async () => {
    const { control, restarts } = controlWith({ plannedThrough: '2027-04-04' });
    const { dates } = await datesToPlan(control, 'birthdayPlanner', now, 35, 'feb28');
    expect([dates[0], restarts]).toEqual(['2027-02-28', ['feb28']]);
  });
});
