import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { withSettings } from '../../functions/core/config-path.js';
import { VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, systemWithLinks, uniquePrefix } from './helpers.js';

describe('the brand, from the configuration', () => {
  it('is changed at run time: the next e-mail is signed with the new business name and sender name, and the link pages show it', async () => {
    // Prepare
    const prefix = uniquePrefix('brand');
    const clock = new VirtualClock(new Date('2027-05-01T00:00:00Z'));
    const { system, server } = await systemWithLinks(prefix, clock);
    try {
      const fan = `${prefix}fan`;
      await system.importText(JSON.stringify({ type: 'customer', customerId: fan, email: `${fan}@example.com`, timeZone: 'UTC', marketingOptIn: true, birthday: '1990-05-03', name: 'Ana' }));
      await system.drainStreams();
      await system.runPlanner();

      // Act: ops set the brand (no restart; the handlers' one-minute cache lets it in)
      let config = defaultConfig;
      for (const assignment of ['brand.name="Larkspur Coffee"', 'brand.senderName="Larkspur Coffee Club"']) config = withSettings(config, [assignment]).config;
      await system.configStore.put(config, clock.now());
      clock.set(new Date('2027-05-03T09:00:00Z'));
      await system.runDispatcher();

      // Assess
      const [greeting] = await emailsTo((to) => to === `${fan}@example.com`);
      expect(greeting!.from).toMatch(/^"Larkspur Coffee Club" <[^@]+@[^>]+>$/);
      expect(greeting!.body.text).toContain('Everyone at Larkspur Coffee');
      const unsubscribe = greeting!.headers!.find((header) => header.name === 'List-Unsubscribe')!.value.slice(1, -1);
      const page = await (await fetch(unsubscribe)).text();
      expect(page).toContain('Larkspur Coffee');
    } finally {
      await server.close();
    }
  });
});
