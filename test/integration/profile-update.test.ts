import { describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { readCustomerStory } from '../../functions/adapters/customer-story.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { LocalSystem, simulate, VirtualClock } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

const line = (record: Record<string, unknown>) => JSON.stringify(record);
const joined = '2025-02-03T10:00:00.000Z';

/** Reads a stored profile as written (the simulation leaves its tables behind). */
const storedProfile = async (prefix: string, customerId: string) => {
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock: new VirtualClock(new Date()), config: async () => defaultConfig });
  const { records } = await readCustomerStory(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables, customerId);
  return records.find((record) => record.type === 'customer');
};

/** Re-sending a profile is how a business updates it: a line that leaves out createdAt does not make the customer new. */
describe('a profile sent again without createdAt, on the real local stack', () => {
  it('import: keeps the stored createdAt and takes the other fields; a new customer joins at the import time', async () => {
    // Prepare: a customer who joined in 2025
    const prefix = uniquePrefix('upd');
    const clock = new VirtualClock(new Date('2027-03-01T10:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
    const profile = { type: 'customer', customerId: `${prefix}ana`, email: 'ana@example.com', timeZone: 'Europe/Madrid', marketingOptIn: true };
    await system.importText(line({ ...profile, createdAt: joined }));

    // Act: next week's file, without createdAt, with a new customer
    clock.set(new Date('2027-03-08T10:00:00Z'));
    await system.importText([line({ ...profile, tier: 'gold' }), line({ ...profile, customerId: `${prefix}bea` })].join('\n'));

    // Assess
    expect(await storedProfile(prefix, `${prefix}ana`)).toMatchObject({ tier: 'gold', createdAt: joined });
    expect(await storedProfile(prefix, `${prefix}bea`)).toMatchObject({ createdAt: '2027-03-08T10:00:00.000Z' });
  });

  it('simulate: a timed profile line without createdAt keeps the stored one', async () => {
    // Prepare
    const prefix = uniquePrefix('upd');
    const profile = { type: 'customer', customerId: `${prefix}cai`, email: 'cai@example.com', timeZone: 'UTC', marketingOptIn: true };
    const data = [line({ ...profile, createdAt: joined }), line({ ...profile, tier: 'silver', at: '2027-03-01T12:00:00Z' })].join('\n');

    // Act
    await simulate({ ...endpoints(), data, start: new Date('2027-03-01T00:00:00Z'), days: 1, config: defaultConfig, tablePrefix: prefix });

    // Assess
    expect(await storedProfile(prefix, `${prefix}cai`)).toMatchObject({ tier: 'silver', createdAt: joined });
  });
});
