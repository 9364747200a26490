import { describe, expect, it } from 'vitest';
import { formatPreview, type StoredState } from '../../functions/cli/preview.js';
import { defaultConfig } from '../../functions/core/config.js';
import type { Message } from '../../functions/core/messages.js';
import type { SimulationResult } from '../../functions/local/simulation.js';

/** What the run forward reported: a keep-in-touch sent before the window, and a survey sent in it. */
const result = {
  report: {
    window: { start: '2027-03-01T00:00:00.000Z', end: '2027-03-31T00:00:00.000Z' },
    config: defaultConfig,
    messages: [
      { messageId: 'c-1#keepInTouch#2027-02-10', campaign: 'keepInTouch', state: 'sent', reason: null, dueAt: '2027-02-10T09:00:00.000Z', sentAt: '2027-02-10T09:00:00.000Z', subject: 'Hello' },
      { messageId: 'c-1#survey#o-1', campaign: 'survey', state: 'sent', reason: null, dueAt: '2027-03-02T09:00:00.000Z', sentAt: '2027-03-03T09:00:00.000Z', subject: 'How did we do?' },
    ],
  },
  waiting: [],
} as unknown as SimulationResult;

const stored = (survey: Partial<Message> & Record<string, unknown>): StoredState => ({
  customerId: 'c-1',
  messages: [
    { messageId: 'c-1#keepInTouch#2027-02-10', state: 'sent' } as Message,
    { messageId: 'c-1#survey#o-1', ...survey } as Message,
  ],
});

describe('retention preview', () => {
  const profile = { customerId: 'c-1', timeZone: 'UTC', marketingOptIn: true };

  it('leaves out what had ended for good before the window, and shows a message ended only for now that then went', () => {
    // Act: the survey had given way to another message (ended provisionally, still waiting by customer)
    const shown = formatPreview('c-1', profile, result, stored({ state: 'cancelled', waitingCustomerId: 'c-1' }));

    // Assess
    expect(shown).not.toContain('keepInTouch');
    expect(shown).toMatch(/sends\s+2027-03-03 09:00\s+survey\s+"How did we do\?"/);
  });

  it('leaves out a message that had ended for good before the window', () => {
    expect(formatPreview('c-1', profile, result, stored({ state: 'sent' }))).not.toContain('survey');
  });

  it('masks a customer id that is an address, and one a reason quotes', () => {
    const id = 'lena.berg@example.se';
    const ended = { messageId: `${id}#survey#o-1`, campaign: 'survey', state: 'suppressed', reason: `the address is suppressed: 550 ${id} unknown`, dueAt: '2027-03-02T09:00:00.000Z' };
    const shown = formatPreview(id, { ...profile, customerId: id }, { ...result, report: { ...result.report, messages: [ended] } } as unknown as SimulationResult);
    expect(shown).toContain('l***@example.se: en, UTC');
    expect(shown).toContain('suppressed: the address is suppressed: 550 l***@example.se unknown');
    expect(shown).not.toContain('lena.berg');
  });
});
