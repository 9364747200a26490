import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

describe('customer profiles written straight into the table by a business system', () => {
  it('are indexed and greeted through the stream; a malformed one is logged with its key and skipped', async () => {
    // Prepare
    const prefix = uniquePrefix('stream');
    const clock = new VirtualClock(new Date('2027-05-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    const logError = vi.spyOn(system.runtime('customerStream').logger, 'error');
    const put = (id: string, fields: Record<string, unknown>) =>
      db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId: `${prefix}${id}`, recordKey: 'customer', email: `${prefix}${id}@example.com`, ...fields } }));

    // Act: three profiles without the derived index key, the middle one malformed; then a contract.
    await put('a', { timeZone: 'Europe/Bucharest', locale: 'ro', name: 'Ana', birthday: '1991-05-20' });
    await put('bad', { timeZone: 'Europe/Bucharest', birthday: '1991-05-32' });
    await put('c', { timeZone: 'America/Mexico_City', locale: 'es', name: 'Carla', birthday: '--07-01' });
    await db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId: `${prefix}a`, recordKey: 'contract#k-1', type: 'contract', contractId: 'k-1', endsOn: 'not a date' } }));
    await system.drainStreams();

    // Assess: a's greeting is inside the horizon and planned by the stream; c's is not yet.
    const planned = await readAllMessages(db, system.tables.Messages);
    expect(planned.filter((m) => m.campaign === 'birthday').map((m) => [m.messageId, m.state, m.dueAt])).toEqual([[`${prefix}a#birthday#2027`, 'planned', '2027-05-20T06:00:00.000Z']]);
    // Nothing else reaches c inside her first floor: its keep-in-touch is planned from the start (a's greeting holds hers).
    expect(planned.filter((m) => m.campaign === 'keepInTouch' && m.state === 'planned').map((m) => m.customerId)).toEqual([`${prefix}c`]);
    expect(system.parked).toEqual([]);
    expect(logError).toHaveBeenCalledWith('skipped an invalid customer profile', expect.objectContaining({
      key: { customerId: `${prefix}bad`, recordKey: 'customer' },
      field: 'birthday',
    }));

    // Act: the daily planner reaches 1 July through the index the stream filled in; send both.
    for (const day of ['2027-05-20T06:00:00Z', '2027-05-27T00:00:00Z', '2027-07-01T15:00:00Z']) {
      clock.set(new Date(day));
      await system.runPlanner();
      await system.runDispatcher();
    }

    // Assess
    const greetings = (await emailsTo((to) => to.startsWith(prefix))).filter((e) => /mulți ani|cumpleaños/.test(e.subject));
    expect(greetings.map((e) => e.subject).sort()).toEqual(['La mulți ani, Ana!', '¡Feliz cumpleaños, Carla!']);
  });
});
