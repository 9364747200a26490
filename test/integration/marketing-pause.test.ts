import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { withSettings } from '../../functions/core/config-path.js';
import { MARKETING_PAUSED } from '../../functions/core/jobs/dispatch.js';
import type { CollectedMetrics } from '../../functions/local/local-runtime.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

const cli = (...args: string[]) => promisify(execFile)('node', ['bin/retention.mjs', ...args], { timeout: 120_000 });

const messagesOf = async (system: LocalSystem, customerId: string) =>
  (await readAllMessages(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Messages)).filter((m) => m.customerId === customerId);

/** The `Messages` count of one outcome in the dispatcher's figures since the last look. */
const messagesWithOutcome = (system: LocalSystem, outcome: string): number | undefined => {
  const documents = (system.runtime('dispatcher').metrics as CollectedMetrics).take() as EmfOutput[];
  // Each sender of the run writes its own; CloudWatch adds them up.
  const written = documents.filter((doc) => doc.outcome === outcome && doc.campaign === undefined);
  return written.length === 0 ? undefined : written.reduce((sum, doc) => sum + (doc.Messages as number), 0);
};

describe('sending.marketingPaused', () => {
  it('an SES reputation alarm pauses marketing: the birthday greeting waits while the renewal reminder goes; ops resume it with config set and it goes the same day', async () => {
    // Prepare: a birthday (marketing) and a renewal reminder (service), both due on 2027-07-05 at 09:00 UTC.
    const prefix = uniquePrefix('pause');
    const clock = new VirtualClock(new Date('2027-07-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(defaultConfig, clock.now());
    const [fan, renewer] = [`${prefix}fan`, `${prefix}renewer`];
    const customer = (customerId: string, extra: object) => JSON.stringify({ type: 'customer', customerId, email: `${customerId}@example.com`, timeZone: 'UTC', marketingOptIn: true, ...extra });
    await system.importText(
      [
        customer(fan, { birthday: '1990-07-05' }),
        customer(renewer, {}),
        JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: renewer, endsOn: '2027-07-12', autoRenew: false, status: 'active' }),
      ].join('\n'),
    );
    await system.drainStreams();
    await system.runPlanner();
    const birthdayId = `${fan}#birthday#2027`;
    const renewal = (await messagesOf(system, renewer)).find((m) => m.campaign === 'renewal' && m.state === 'planned' && m.sendAfter.startsWith('2027-07-05'));
    expect(renewal, 'the 7-day reminder is planned for 2027-07-05').toBeDefined();

    // Act: the bounce rate alarm goes off on 2027-07-04.
    clock.set(new Date('2027-07-04T12:00:00Z'));
    const paused = await system.reputationAlarm('BounceRate', 0.06);

    // Assess: the setting is stored, everything else as it was.
    expect(paused).toEqual({ paused: true, alreadyPaused: false });
    const stored = await system.configStore.get();
    expect(stored.sending.marketingPaused).toBe(true);
    expect({ ...stored, sending: defaultConfig.sending }).toEqual(defaultConfig);

    // Act: the morning both are due.
    clock.set(new Date('2027-07-05T09:00:00Z'));
    await system.runDispatcher();

    // Assess: the service message went, the marketing one waits (planned, with the reason), nothing is lost.
    const sentTo = async (customerId: string) => (await emailsTo((to) => to === `${customerId}@example.com`)).length;
    expect(await sentTo(renewer)).toBe(1);
    expect(await sentTo(fan)).toBe(0);
    const held = (await messagesOf(system, fan)).find((m) => m.messageId === birthdayId)!;
    expect(held).toMatchObject({ state: 'planned', reason: MARKETING_PAUSED });
    expect(new Date(held.sendAfter).getTime()).toBeGreaterThan(clock.now().getTime());
    expect(messagesWithOutcome(system, 'paused')).toBeGreaterThanOrEqual(1);

    // The alarm clearing does not resume marketing; the other reputation alarm finds it paused already.
    await system.reputationAlarm('BounceRate', 0.01, 'OK');
    expect((await system.configStore.get()).sending.marketingPaused).toBe(true);
    expect(await system.reputationAlarm('ComplaintRate', 0.002)).toEqual({ paused: true, alreadyPaused: true });

    // Act: a later try, still paused, then ops resume marketing with the CLI.
    clock.set(new Date(held.sendAfter));
    await system.runDispatcher();
    expect(await sentTo(fan)).toBe(0);
    const { stdout } = await cli('config', 'set', 'sending.marketingPaused=false', '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix);
    expect(stdout).toContain('sending.marketingPaused: true → false');
    const waiting = (await messagesOf(system, fan)).find((m) => m.messageId === birthdayId)!;
    expect(waiting.state).toBe('planned');
    // Handlers see the change within their one-minute cache; the message at its next try.
    clock.set(new Date(Math.max(new Date(waiting.sendAfter).getTime(), clock.now().getTime() + 60_000)));
    await system.runDispatcher();

    // Assess: the greeting went, on the birthday itself.
    expect(await sentTo(fan)).toBe(1);
    const sent = (await messagesOf(system, fan)).find((m) => m.messageId === birthdayId)!;
    expect(sent.state).toBe('sent');
    expect(sent.sentAt?.slice(0, 10)).toBe('2027-07-05');
    expect(await sentTo(renewer)).toBe(1);
  });

  it('a marketing message paused past its deadline expires saying why; service messages are never paused', async () => {
    const prefix = uniquePrefix('pause-expiry');
    const clock = new VirtualClock(new Date('2027-07-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(withSettings(defaultConfig, ['sending.marketingPaused=true']).config, clock.now());
    const fan = `${prefix}fan`;
    await system.importText(JSON.stringify({ type: 'customer', customerId: fan, email: `${fan}@example.com`, timeZone: 'UTC', marketingOptIn: true, birthday: '1990-07-05' }));
    await system.drainStreams();
    await system.runPlanner();

    // Every try while paused, up to the greeting's deadline and a day beyond.
    for (let at = new Date('2027-07-05T09:00:00Z').getTime(); at < new Date('2027-07-07T00:00:00Z').getTime(); at += 30 * 60_000) {
      clock.set(new Date(at));
      await system.runDispatcher();
    }

    const greeting = (await messagesOf(system, fan)).find((m) => m.campaign === 'birthday')!;
    expect(greeting.state).toBe('expired');
    expect(greeting.reason).toBe(`${MARKETING_PAUSED} until its deadline`);
    expect(await emailsTo((to) => to === `${fan}@example.com`)).toHaveLength(0);
  });
});

describe('the stored configuration', () => {
  it('ops\' config set and the alarm\'s pause, at the same moment, both stay (a conditional write on the revision)', async () => {
    const prefix = uniquePrefix('config-race');
    const clock = new VirtualClock(new Date('2027-07-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(defaultConfig, clock.now());

    await Promise.all([
      system.configStore.update((stored) => withSettings(stored, ['cadence.minDaysBetween=9']), clock.now()),
      system.reputationAlarm('ComplaintRate', 0.003),
      system.configStore.update((stored) => withSettings(stored, ['planner.lookAheadDays=40']), clock.now()),
    ]);

    const stored = await system.configStore.get();
    expect([stored.cadence.minDaysBetween, stored.sending.marketingPaused, stored.planner.lookAheadDays]).toEqual([9, true, 40]);
  });

  it('one stored before a rule it breaks was added: get names the setting, and config set of that setting mends it', async () => {
    const prefix = uniquePrefix('config-mend');
    const clock = new VirtualClock(new Date('2027-07-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    // As an older version stored it: no revision, no `sending`, a lease the dispatcher's timeout now outlives.
    const old = { ...structuredClone(defaultConfig), sending: undefined, dispatcher: { ...defaultConfig.dispatcher, claimLeaseMinutes: 5 } };
    await documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)).send(new PutCommand({ TableName: system.tables.Control, Item: { key: 'config', document: JSON.stringify(old), updatedAt: '2026-01-01T00:00:00.000Z' } }));
    const target = ['--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix];

    const get = await cli('config', 'get', ...target).catch((error: { code: number; stderr: string }) => error);
    expect((get as { code: number }).code).not.toBe(0);
    expect((get as { stderr: string }).stderr).toContain('dispatcher.claimLeaseMinutes');

    const { stdout } = await cli('config', 'set', 'dispatcher.claimLeaseMinutes=10', ...target);
    expect(stdout).toContain('dispatcher.claimLeaseMinutes: 5 → 10');
    const mended = await system.configStore.get();
    expect(mended.dispatcher.claimLeaseMinutes).toBe(10);
    expect(mended.sending.marketingPaused).toBe(false); // the shipped value of a setting added since
  });

  it('one a newer version stored (settings this one does not know): the functions go on with what they know, and the alarm’s pause keeps the rest as it was', async () => {
    // Prepare: a newer CLI's `config set` stored a section and a setting this version has not heard of.
    const prefix = uniquePrefix('config-newer');
    const clock = new VirtualClock(new Date('2027-07-01T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
    const newer = { ...structuredClone(defaultConfig), futureSection: { on: true }, sending: { ...defaultConfig.sending, futureRate: 3 } };
    await db.send(new PutCommand({ TableName: system.tables.Control, Item: { key: 'config', document: JSON.stringify(newer), updatedAt: '2027-06-30T00:00:00.000Z', revision: 4 } }));
    const fan = `${prefix}fan`;
    await system.importText(JSON.stringify({ type: 'customer', customerId: fan, email: `${fan}@example.com`, timeZone: 'UTC', birthday: '1990-07-05', marketingOptIn: true }));
    await system.drainStreams();
    await system.runPlanner();

    // Act: the reputation alarm pauses marketing; the morning of the birthday
    clock.set(new Date('2027-07-04T12:00:00Z'));
    expect(await system.reputationAlarm('BounceRate', 0.06)).toEqual({ paused: true, alreadyPaused: false });
    clock.set(new Date('2027-07-05T09:00:00Z'));
    await system.runDispatcher();

    // Assess: the greeting planned and held by the pause (the functions read what they know), the newer settings still stored
    expect((await messagesOf(system, fan)).find((m) => m.campaign === 'birthday')).toMatchObject({ state: 'planned', reason: MARKETING_PAUSED });
    const { Item } = await db.send(new GetCommand({ TableName: system.tables.Control, Key: { key: 'config' } }));
    expect(JSON.parse(String(Item!.document))).toMatchObject({ futureSection: { on: true }, sending: { marketingPaused: true, futureRate: 3 } });
    // config get shows what this version knows, and names the rest.
    const got = await cli('config', 'get', '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix);
    expect(JSON.parse(got.stdout).sending).toEqual({ ...defaultConfig.sending, marketingPaused: true });
    expect(got.stderr).toMatch(/settings this version does not know \(a newer one stored them\), not shown: .*futureSection/);
    expect(got.stderr).toContain('sending.futureRate');
  });
});
