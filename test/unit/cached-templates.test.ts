import { describe, expect, it } from 'vitest';
import { cachedTemplates, type TemplateVersion } from '../../functions/adapters/dynamo-templates.js';
import { shippedTemplates } from '../../functions/core/templates/index.js';

describe('the dispatcher\'s templates', () => {
  it('are the active version, its number read again once a minute has passed on the clock, a version fetched only when the number changes', async () => {
    let active = 0;
    const reads: string[] = [];
    const pushed = { ...shippedTemplates, birthday: { ...shippedTemplates.birthday, en: { ...shippedTemplates.birthday.en, subject: 'Pushed' } } };
    const store = {
      activeVersion: async () => (reads.push('activeVersion'), active),
      version: async (version: number): Promise<TemplateVersion> => (reads.push(`version ${version}`), { version, set: version === 0 ? shippedTemplates : pushed }),
    };
    let now = Date.parse('2027-07-05T09:00:00Z');
    const templates = cachedTemplates(store, () => new Date(now));

    expect(await templates()).toBe(shippedTemplates);
    active = 1; // a push
    now += 59_000;
    expect(await templates()).toBe(shippedTemplates); // within the minute: as it was, nothing read
    now += 1_000;
    expect(await templates()).toBe(pushed);
    now += 60_000;
    expect(await templates()).toBe(pushed); // the same number: the version is not fetched again

    expect(reads).toEqual(['activeVersion', 'version 0', 'activeVersion', 'version 1', 'activeVersion']);
  });
});
