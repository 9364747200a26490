import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../scripts/demo-data.js';
import { readCustomerExport, readCustomerStory } from '../../functions/adapters/customer-story.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { formatExplain } from '../../functions/cli/explain.js';
import { defaultConfig, type RetentionConfig } from '../../functions/core/config.js';
import { HOLDABLE_CAMPAIGNS, heldOutReason, isHeldOut, isHoldable } from '../../functions/core/measurement/holdout.js';
import { checkBand } from '../../functions/local/band-check.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, simulate, VirtualClock, type SimulationResult } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

/**
 * Holdout groups inside the running system (SPEC.md, "Measuring retention"), through the real
 * handlers on DynamoDB Local and the SES emulator. Customer ids are the generator's own (c-0001 …),
 * so who is held out is the same every run (the tables and addresses carry the test's prefix).
 */

const db = () => documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
const withHoldout = (holdoutPercent: number): RetentionConfig => ({ ...defaultConfig, measurement: { ...defaultConfig.measurement, holdoutPercent } });

describe('a 90-day simulation with 30 % held out', () => {
  const prefix = uniquePrefix('holdout');
  const config = withHoldout(30);
  const data = generateCohort({ customers: 80, seed: 15, startDate: '2027-01-01' })
    .map((line) => line.replaceAll('"email":"', `"email":"${prefix}`))
    .join('\n');
  const customerIds = [...new Set(data.split('\n').map((line) => (JSON.parse(line) as { customerId: string }).customerId))];
  const heldOut = new Set(customerIds.filter((id) => isHeldOut(id, 'birthday', config.measurement)));
  let result: SimulationResult;

  beforeAll(async () => {
    result = await simulate({ ...endpoints(), data, start: new Date('2027-01-01T00:00:00Z'), days: 90, config, tablePrefix: prefix });
  }, 180_000);

  it('holds out about 30 % of the customers', () => {
    // 80 customers at 30 %: mean 24, binomial sd 4.1; within ±4 sd (these fixed ids give 30).
    expect(heldOut.size).toBeGreaterThanOrEqual(8);
    expect(heldOut.size).toBeLessThanOrEqual(40);
  });

  it('ends every message of a held-out customer of a holdable campaign unsent: heldOut with the reason where it would have gone', () => {
    // Prepare
    const theirs = result.report.messages.filter((m) => heldOut.has(m.customerId) && isHoldable(m.campaign as never));

    // Act
    const inState = (state: string) => theirs.filter((m) => m.state === state);

    // Assess
    expect(inState('sent')).toEqual([]);
    expect(inState('heldOut').length).toBeGreaterThan(10);
    for (const message of inState('heldOut')) expect(message.reason).toBe(heldOutReason(message.campaign as never, config.measurement));
    // Those that did not get as far ended for what would have stopped them anyway (a trigger gone, no consent), never the band.
    for (const message of theirs.filter((m) => m.state !== 'heldOut')) expect(message.reason).not.toMatch(/cap|gave way|slot/);
    // No keep-in-touch is planned for them: the floor does not apply.
    expect(theirs.filter((m) => m.campaign === 'keepInTouch')).toEqual([]);
    expect(result.waiting.filter((m) => heldOut.has(m.customerId) && m.campaign === 'keepInTouch')).toEqual([]);
  });

  it('sends nothing of theirs to the mail service but complaint follow-ups, which they all get', async () => {
    // Prepare
    const addressOf = new Map(data.split('\n').flatMap((line) => {
      const record = JSON.parse(line) as { type: string; customerId: string; email?: string };
      return record.type === 'customer' && record.email ? [[record.email.toLowerCase(), record.customerId] as const] : [];
    }));
    const campaignOfSesId = new Map(result.report.messages.filter((m) => m.sesMessageId).map((m) => [m.sesMessageId!, m.campaign]));

    // Act
    const toHeldOut = await emailsTo((to) => heldOut.has(addressOf.get(to.toLowerCase()) ?? ''));

    // Assess
    const followUps = result.report.messages.filter((m) => heldOut.has(m.customerId) && m.campaign === 'complaintFollowUp');
    expect(followUps.filter((m) => m.state === 'sent').length).toBeGreaterThan(0);
    expect(followUps.filter((m) => m.state === 'heldOut')).toEqual([]);
    expect(toHeldOut.length).toBe(followUps.filter((m) => m.state === 'sent').length);
    expect(new Set(toHeldOut.map((email) => campaignOfSesId.get(email.messageId)))).toEqual(new Set(['complaintFollowUp']));
  });

  it('keeps the band for everyone: no cap or floor violation, nothing in quiet hours, no id twice', () => {
    expect(result.floorSubjects.length).toBeGreaterThan(40);
    expect(checkBand(result.report, result.report.config, result.floorSubjects)).toEqual({ cap: [], floor: [], quietHours: [], duplicates: [] });
  });

  it('sends the treated customers’ messages as usual, every campaign, none held out', async () => {
    // Prepare
    const treated = result.report.messages.filter((m) => !heldOut.has(m.customerId));

    // Act
    const sentCampaigns = new Set(treated.filter((m) => m.state === 'sent').map((m) => m.campaign));

    // Assess
    expect(treated.filter((m) => m.state === 'heldOut')).toEqual([]);
    expect([...sentCampaigns].sort()).toEqual(['birthday', 'complaintFollowUp', 'keepInTouch', 'renewal', 'survey']);
    expect(result.report.summary.heldOut).toBe(result.report.messages.filter((m) => m.state === 'heldOut').length);
    const stored = new Set((await emailsTo((to) => to.startsWith(prefix))).map((email) => email.messageId));
    for (const message of result.report.messages.filter((m) => m.state === 'sent')) expect(stored.has(message.sesMessageId!)).toBe(true);
  });

  it('shows the group in explain and in the export, from the stored configuration', async () => {
    // Prepare
    const someoneHeldOut = [...heldOut][0]!;
    const someoneTreated = customerIds.find((id) => !heldOut.has(id))!;

    // Act
    const exported = await Promise.all([someoneHeldOut, someoneTreated].map((id) => readCustomerExport(db(), result.tables, id, new Date())));
    const explained = formatExplain(await readCustomerStory(db(), result.tables, someoneHeldOut));

    // Assess
    expect(exported.map((document) => document.holdout)).toEqual([
      { group: 'heldOut', heldOutOf: [...HOLDABLE_CAMPAIGNS] },
      { group: 'treated', heldOutOf: [] },
    ]);
    expect(Object.keys(exported[0]!).indexOf('holdout')).toBe(Object.keys(exported[0]!).indexOf('suppression') + 1);
    expect(explained).toContain('Holdout:     HELD OUT of every campaign that can be (birthday, renewal, survey, keepInTouch)');
  });
});

describe('a change of the share', () => {
  it('applies to the next dispatcher run, without a redeploy', async () => {
    // Prepare: customers with birthdays on 12 and 20 June; the handlers read the stored configuration (nobody held out).
    const prefix = uniquePrefix('holdout-change');
    const clock = new VirtualClock(new Date('2027-06-10T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(withHoldout(0), clock.now());
    // Ids chosen so that each day has customers a 30 % holdout takes and customers it leaves (the prefix is random).
    const at30 = withHoldout(30);
    const wanted = { '1990-06-12': { held: 2, treated: 2 }, '1990-06-20': { held: 3, treated: 3 } };
    const birthdays = new Map<string, string>();
    for (let i = 1; Object.values(wanted).some((left) => left.held + left.treated > 0); i++) {
      const id = `${prefix}c-${i}`;
      const bucket = isHeldOut(id, 'birthday', at30.measurement) ? 'held' : 'treated';
      const day = (Object.keys(wanted) as (keyof typeof wanted)[]).find((date) => wanted[date][bucket] > 0);
      if (day === undefined) continue;
      wanted[day][bucket]--;
      birthdays.set(id, day);
    }
    const ids = [...birthdays.keys()];
    const birthdayOf = (id: string) => birthdays.get(id)!;
    await system.importText(ids.map((id) => JSON.stringify({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: birthdayOf(id), marketingOptIn: true })).join('\n'));
    await system.drainStreams();
    await system.runPlanner();
    const greetings = async () => new Map((await readAllMessages(db(), system.tables.Messages)).filter((m) => m.campaign === 'birthday').map((m) => [m.customerId, m]));
    const secondDay = ids.filter((id) => birthdayOf(id) === '1990-06-20');

    // Act: the 12 June run with nothing held out; the share raised to 30 % on the 15th; the 20 June run.
    clock.set(new Date('2027-06-12T09:00:00Z'));
    await system.runDispatcher();
    const first = await greetings();
    clock.set(new Date('2027-06-15T12:00:00Z'));
    await system.configStore.put(at30, clock.now());
    clock.set(new Date('2027-06-20T09:00:00Z'));
    await system.runDispatcher();
    const second = await greetings();

    // Assess: on the 12th everyone's went, those a 30 % holdout would take too; on the 20th the held-out ones ended heldOut.
    const firstDay = ids.filter((id) => birthdayOf(id) === '1990-06-12');
    expect(firstDay.map((id) => first.get(id)?.state)).toEqual(firstDay.map(() => 'sent'));
    const expected = secondDay.map((id) => (isHeldOut(id, 'birthday', at30.measurement) ? 'heldOut' : 'sent'));
    expect(secondDay.map((id) => second.get(id)?.state)).toEqual(expected);
    expect(expected).toContain('heldOut');
    expect(expected).toContain('sent');
    for (const id of secondDay.filter((id) => second.get(id)?.state === 'heldOut')) {
      expect(second.get(id)).toMatchObject({ reason: heldOutReason('birthday', at30.measurement), expiresAt: expect.any(Number) });
      expect(second.get(id)?.sentAt).toBeUndefined();
    }
    const sentTo = new Set((await emailsTo((to) => to.startsWith(prefix))).map((email) => email.destination.to[0]));
    expect(secondDay.filter((id) => second.get(id)?.state === 'heldOut' && sentTo.has(`${id}@example.com`))).toEqual([]);
    expect(sentTo.size).toBe(firstDay.length + expected.filter((state) => state === 'sent').length);
  });
});
