import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { readAllMessages } from '../../functions/local/report.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { endpoints, uniquePrefix } from './helpers.js';

/**
 * DynamoDB streams deliver at least once: Lambda may hand a whole batch over again (after a timeout),
 * and the local runner does so with `streamDeliveries: 2`. Each batch below holds two versions of one
 * record; on the second delivery the first version comes again after the second was applied. A
 * replayed version must never undo a later one.
 */
const replaySystem = async (name: string) => {
  const prefix = uniquePrefix(name);
  const customerId = `${prefix}ana`;
  const clock = new VirtualClock(new Date('2027-05-01T00:00:00Z'));
  const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock, config: async () => defaultConfig, streamDeliveries: 2 });
  const db = documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint));
  const put = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: system.tables.Customers, Item: { customerId, ...item } }));
  const remove = (recordKey: string) => db.send(new DeleteCommand({ TableName: system.tables.Customers, Key: { customerId, recordKey } }));
  const ledger = async () => (await db.send(new GetCommand({ TableName: system.tables.Ledger, Key: { customerId } }))).Item;
  const profile = { recordKey: 'customer', type: 'customer', email: `${customerId}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Ana', marketingOptIn: true };
  /** The customer's messages of one campaign: occurrence, state, reason. */
  const messagesOf = async (campaign: string) =>
    (await readAllMessages(db, system.tables.Messages))
      .filter((m) => m.customerId === customerId && m.campaign === campaign)
      .map((m) => [m.messageId.slice(`${customerId}#${campaign}#`.length), m.state, m.reason ?? null])
      .sort();
  return { system, put, remove, ledger, profile, messagesOf };
};

describe('a stream batch delivered twice', () => {
  it('keeps a resolved complaint resolved: the replayed opened version does not cancel the "how did we do?"', async () => {
    // Prepare
    const { system, put, profile, messagesOf } = await replaySystem('replay-complaint');
    await put(profile);
    await system.drainStreams();

    // Act: opened and resolved in one batch, which is delivered twice.
    const complaint = { recordKey: 'complaint#q-1', type: 'complaint', complaintId: 'q-1', subject: 'Late delivery', openedAt: '2027-04-30T20:00:00Z' };
    await put(complaint);
    await put({ ...complaint, status: 'resolved', resolvedAt: '2027-04-30T23:00:00Z' });
    await system.drainStreams();

    // Assess: the "how did we do?" waits, and no open-state check-in does (every delivery of the opened
    // version sees the complaint resolved, so none is planned; acted on as written, the replayed opened
    // version cancelled the "how did we do?" for good as "reopened").
    expect(await messagesOf('complaintFollowUp')).toEqual([['q-1#resolved', 'planned', null]]);
    expect(system.parked).toEqual([]);
  });

  it('keeps the reminders of a contract whose automatic renewal was switched off: the replayed earlier version does not cancel them', async () => {
    // Prepare
    const { system, put, profile, messagesOf } = await replaySystem('replay-contract');
    await put(profile);
    await system.drainStreams();

    // Act: a contract that renews itself, then the customer switches that off; one batch, delivered twice.
    const contract = { recordKey: 'contract#k-1', type: 'contract', contractId: 'k-1', plan: 'Gold', endsOn: '2027-05-20', autoRenew: true };
    await put(contract);
    await put({ ...contract, autoRenew: false });
    await system.drainStreams();

    // Assess: the 7-day reminder is inside the horizon and waits (the 30-day one's day has passed).
    expect(await messagesOf('renewal')).toEqual([['k-1#7', 'planned', null]]);
    expect(system.parked).toEqual([]);
  });

  it('keeps the follow-up of a survey answer changed to a detractor score: the replayed earlier answer does not cancel it', async () => {
    // Prepare
    const { system, put, profile, messagesOf } = await replaySystem('replay-survey');
    await put(profile);
    await system.drainStreams();

    // Act: a promoter's answer, then the customer changes it to 3 (a later click updates the answer); one batch, delivered twice.
    const answer = { recordKey: 'surveyResponse#o-1', type: 'surveyResponse', surveyId: 'o-1', score: 9, respondedAt: '2027-04-30T20:00:00Z' };
    await put(answer);
    await put({ ...answer, score: 3, respondedAt: '2027-04-30T21:00:00Z' });
    await system.drainStreams();

    // Assess
    expect(await messagesOf('complaintFollowUp')).toEqual([['o-1#detractor', 'planned', null]]);
    expect(system.parked).toEqual([]);
  });

  it('plans no birthday greeting for a profile whose consent was withdrawn in the same batch: every delivery of the earlier version sees the profile as it is now', async () => {
    // Prepare
    const { system, put, profile, messagesOf } = await replaySystem('replay-consent');

    // Act: a profile with consent and a birthday inside the horizon, then consent withdrawn; one batch, delivered twice.
    await put({ ...profile, birthday: '1990-05-20' });
    await put({ ...profile, birthday: '1990-05-20', marketingOptIn: false });
    await system.drainStreams();

    // Assess: nothing marketing is planned for her (the earlier version, acted on as it was written, planned a greeting).
    expect(await messagesOf('birthday')).toEqual([]);
    expect(await messagesOf('keepInTouch')).toEqual([]);
    expect(system.parked).toEqual([]);
  });

  it('plans nothing for a profile deleted before its stream records are applied', async () => {
    // Prepare
    const { system, put, remove, ledger, profile, messagesOf } = await replaySystem('replay-gone');

    // Act: a profile written, then deleted (as an erasure would); both stream records wait, and are delivered twice.
    await put({ ...profile, birthday: '1990-05-20' });
    await remove('customer');
    await system.drainStreams();

    // Assess: no contact ledger opened, nothing planned.
    expect(await ledger()).toBeUndefined();
    expect(await messagesOf('birthday')).toEqual([]);
    expect(await messagesOf('keepInTouch')).toEqual([]);
    expect(system.parked).toEqual([]);
  });

  it('keeps a given consent given: the replayed earlier profile does not end the birthday greeting for good', async () => {
    // Prepare
    const { system, put, profile, messagesOf } = await replaySystem('replay-optin');

    // Act: a profile without consent, then the customer opts in; one batch, delivered twice.
    await put({ ...profile, birthday: '1990-05-20', marketingOptIn: false });
    await put({ ...profile, birthday: '1990-05-20' });
    await system.drainStreams();

    // Assess
    expect(await messagesOf('birthday')).toEqual([['2027', 'planned', null]]);
    expect(system.parked).toEqual([]);
  });
});
