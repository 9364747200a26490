import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { messageIdOf, type PlannedMessage } from '../../functions/core/messages.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

/** One customer in Madrid with a birthday greeting and a keep-in-touch message due on the same morning. */
const setUp = async (name: string, keepInTouchDeadline = '2027-06-30T22:00:00.000Z', keepInTouchDue = '2027-06-10') => {
  const prefix = uniquePrefix(name);
  const customerId = `${prefix}c`;
  const clock = new VirtualClock(new Date('2027-06-01T00:00:00Z'));
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock }); // configuration from the store, as in Lambda
  await system.importText(JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Eva', birthday: '1990-06-10', marketingOptIn: true }));
  await system.drainStreams();
  // The keep-in-touch of the floor the greeting opens (10 June to 10 July): a message of an earlier
  // floor would be cancelled at send time, that floor being met by the greeting.
  const keepInTouch: PlannedMessage = {
    messageId: messageIdOf(customerId, 'keepInTouch', '2027-07-10'), customerId, campaign: 'keepInTouch', occurrence: '2027-07-10',
    messageClass: 'marketing', priority: 10, countsTowardCap: true,
    dueAt: `${keepInTouchDue}T07:00:00.000Z`, deadline: keepInTouchDeadline, localDate: keepInTouchDue, timeZone: 'Europe/Madrid',
  };
  await system.runtime('dispatcher').stores().outbox.plan(keepInTouch, clock.now());
  const messages = async () => readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages);
  return { system, clock, prefix, customerId, messages, emails: () => emailsTo((to) => to.startsWith(prefix)) };
};

describe('the weekly cap on the real local stack', () => {
  it('lets only one of two capped messages through when dispatchers race, and defers the other to the seventh local day', async () => {
    // Prepare
    const { system, clock, messages, emails } = await setUp('cap-race');
    clock.set(new Date('2027-06-10T07:00:00Z')); // 09:00 in Madrid

    // Act
    await Promise.all([system.runDispatcher(), system.runDispatcher()]);

    // Assess
    expect((await emails()).length).toBe(1);
    const byCampaign = Object.fromEntries((await messages()).map((m) => [m.campaign, m]));
    const [sent, held] = byCampaign.birthday!.state === 'sent' ? [byCampaign.birthday!, byCampaign.keepInTouch!] : [byCampaign.keepInTouch!, byCampaign.birthday!];
    expect(sent.state).toBe('sent');
    expect(held.state === 'deferred' || held.state === 'expired').toBe(true);
    if (held.state === 'deferred') {
      expect(held.sendAfter).toBe('2027-06-17T07:00:00.000Z'); // 7 local days after the 10th, when quiet hours end (09:00 Madrid)
      expect(held.reason).toBe('deferred by the weekly cap (last capped message on 2027-06-10)');
    }
  });

  it('sends the deferred message on the first day the cap allows, outside quiet hours', async () => {
    const { system, clock, messages, emails } = await setUp('cap-defer');
    for (const at of ['2027-06-10T07:00:00Z', '2027-06-10T07:00:00Z', '2027-06-16T22:00:00Z', '2027-06-17T07:00:00Z']) {
      clock.set(new Date(at));
      await system.runDispatcher();
    }
    const states = (await messages()).map((m) => [m.campaign, m.state, m.sentAt]).sort();
    // At 00:00 on the 17th it is quiet hours in Madrid: held until 09:00.
    expect(states).toEqual([
      ['birthday', 'sent', '2027-06-10T07:00:00.000Z'],
      ['keepInTouch', 'sent', '2027-06-17T07:00:00.000Z'],
    ]);
    // Which keep-in-touch content goes is chooseKeepInTouchContent's to say (unit-tested); here: both went, in Eva's language.
    expect((await emails()).map((e) => e.subject).sort()).toEqual([expect.stringMatching(/^Eva, .* en Retention$/), '¡Feliz cumpleaños, Eva!']);
  });

  it('expires a capped message with no slot left before its deadline, saying why', async () => {
    const { system, clock, messages } = await setUp('cap-expire', '2027-06-12T22:00:00.000Z');
    clock.set(new Date('2027-06-10T07:00:00Z'));
    await system.runDispatcher();
    await system.runDispatcher();
    const expired = (await messages()).filter((m) => m.state === 'expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.reason).toMatch(/^deferred by the weekly cap \(last capped message on 2027-06-10\), and no slot was left before its deadline$/);
  });
});

describe('runtime configuration', () => {
  it('changes the next run when ops run `config set`, with nothing restarted', async () => {
    // Prepare: a greeting on the 10th, a keep-in-touch message due on the 14th, both capped.
    const { system, clock, prefix, messages } = await setUp('config-set', '2027-06-30T22:00:00.000Z', '2027-06-14');
    clock.set(new Date('2027-06-10T07:00:00Z'));
    await system.runDispatcher();

    // Act: ops narrow the cap to 3 days, through the CLI, against the same tables.
    const { stdout } = await promisify(execFile)('node', ['bin/retention.mjs', 'config', 'set', 'cadence.minDaysBetween=3', '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix]);
    clock.set(new Date('2027-06-14T07:00:00Z'));
    await system.runDispatcher();

    // Assess: under the shipped 7 days it would have waited until the 17th.
    expect(stdout).toContain('cadence.minDaysBetween: 7 → 3');
    const sent = Object.fromEntries((await messages()).map((m) => [m.campaign, [m.state, m.sentAt]]));
    expect(sent).toEqual({ birthday: ['sent', '2027-06-10T07:00:00.000Z'], keepInTouch: ['sent', '2027-06-14T07:00:00.000Z'] });
  });
});
