import { describe, expect, it, vi } from 'vitest';
import { DynamoSuppressionStore } from '../../functions/adapters/dynamo-suppressions.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { liftOn } from '../../functions/cli/suppression.js';
import { dynamoDbClient } from '../../functions/local/local-stack.js';
import { defaultConfig } from '../../functions/core/config.js';
import { liftSuppression, type LiftedSuppression } from '../../functions/core/jobs/lift-suppression.js';
import { addressKey, suppressionOf } from '../../functions/core/suppression.js';
import { LocalSystem, VirtualClock, simulate } from '../../functions/local/simulation.js';
import { endpoints, stateOf, uniquePrefix } from './helpers.js';

/**
 * A suppression lifted by hand (`retention suppression remove`) puts back on the contact floor the
 * customers the dispatcher took off it when it met the suppression, as a write of their profile would;
 * a customer who since moved to another address is not touched by it. On the local stack, through
 * the real handlers, over 100 days.
 */

const start = new Date('2027-03-01T00:00:00Z');
const day = (n: number, hour = 12) => new Date(start.getTime() + n * 86_400_000 + hour * 3_600_000);
const LIFTED_ON = 50;
const MOVED_ON = 40;

describe('lifting a suppression', () => {
  it('puts the customers it took off the floor back on it, their floor kept from then on; no one else changes', async () => {
    // Prepare: sl-1 and sl-3 share an address suppressed from the start; sl-3 moves to another address
    // on day 40; sl-2 was never suppressed. Nobody has a birthday or a record in the window: only the floor writes.
    const prefix = uniquePrefix('sl');
    const shared = `${prefix}shared@example.com`;
    const profile = (id: string, email: string, at?: Date) =>
      JSON.stringify({ type: 'customer', customerId: `${prefix}${id}`, email, timeZone: 'Europe/Madrid', birthday: '1990-11-20', marketingOptIn: true, createdAt: '2026-01-10T00:00:00Z', ...(at ? { at: at.toISOString() } : {}) });
    const data = [profile('sl-1', shared), profile('sl-2', `${prefix}sl-2@example.com`), profile('sl-3', shared), profile('sl-3', `${prefix}sl-3@example.com`, day(MOVED_ON))];
    const lifts: LiftedSuppression[] = [];
    const lift = async (system: LocalSystem, now: Date) => {
      const stores = system.runtime('customerStream').stores();
      lifts.push(await liftSuppression({ ...stores, config: defaultConfig }, shared, now));
    };

    // Act: the lift on day 50, and again on day 51 (nothing left to do)
    const result = await simulate({
      ...endpoints(),
      data: data.join('\n'),
      start,
      days: 100,
      config: defaultConfig,
      tablePrefix: uniquePrefix('sl-tables'),
      seed: (system) => system.runtime('customerStream').stores().suppressions.suppress([suppressionOf(shared, 'hard bounce: 550 no such user', start)]),
      operations: [
        { at: day(LIFTED_ON), run: lift },
        { at: day(LIFTED_ON + 1), run: lift },
      ],
    });

    // Assess: the lift named sl-1 alone (sl-3's new profile had put it back already); the second found nothing
    expect(lifts.map((l) => [l.lifted?.reason, l.backOnFloor.map((id) => id.slice(prefix.length)), l.invalidProfiles])).toEqual([
      ['hard bounce: 550 no such user', ['sl-1'], []],
      [undefined, [], []],
    ]);
    const messages = (id: string) => result.report.messages.filter((m) => m.customerId === `${prefix}${id}`).sort((a, b) => a.messageId.localeCompare(b.messageId));
    const sentDays = (id: string) => messages(id).filter((m) => m.state === 'sent').map((m) => m.sentAt!.slice(0, 10)).sort();
    const gaps = (dates: readonly string[]) => dates.slice(1).map((date, i) => (Date.parse(date) - Date.parse(dates[i]!)) / 86_400_000);

    // sl-1: one keep-in-touch met the suppression and took them off the floor; nothing was planned (and
    // suppressed) after it until the lift; then the floor, overdue, is kept at once and every 30 days after.
    const suppressed = messages('sl-1').filter((m) => m.state === 'suppressed');
    expect(suppressed.map((m) => [m.campaign, m.reason])).toEqual([['keepInTouch', 'the address is suppressed: hard bounce: 550 no such user']]);
    const afterLift = sentDays('sl-1');
    expect(afterLift.length).toBeGreaterThanOrEqual(2);
    expect(afterLift[0]! >= day(LIFTED_ON).toISOString().slice(0, 10)).toBe(true);
    expect(Date.parse(afterLift[0]!) - day(LIFTED_ON, 0).getTime()).toBeLessThanOrEqual(2 * 86_400_000);
    expect(Math.max(...gaps(afterLift))).toBeLessThanOrEqual(defaultConfig.cadence.maxDaysBetween);
    expect(Date.parse(result.report.window.end) - Date.parse(afterLift.at(-1)!)).toBeLessThanOrEqual(defaultConfig.cadence.maxDaysBetween * 86_400_000);

    // sl-3: the same suppressed keep-in-touch, then kept on the floor by its new address's profile from day 40, before and regardless of the lift
    expect(messages('sl-3').filter((m) => m.state === 'suppressed').map((m) => m.campaign)).toEqual(['keepInTouch']);
    const sl3 = sentDays('sl-3');
    expect(sl3[0]! >= day(MOVED_ON).toISOString().slice(0, 10) && sl3[0]! < day(LIFTED_ON).toISOString().slice(0, 10)).toBe(true);
    expect(Math.max(...gaps(sl3))).toBeLessThanOrEqual(defaultConfig.cadence.maxDaysBetween);

    // sl-2: the floor all along, nothing suppressed
    expect(messages('sl-2').every((m) => m.state === 'sent' || m.state === 'planned')).toBe(true);
    expect(Math.max(...gaps(['2027-03-01', ...sentDays('sl-2')]))).toBeLessThanOrEqual(defaultConfig.cadence.maxDaysBetween);
    expect(result.parked).toEqual([]);
  }, 240_000);

  it('made while a dispatcher run is under way, is not undone by what that run read before it', async () => {
    // Prepare: a customer off the floor since a message met their suppressed address; their birthday greeting due today
    const prefix = uniquePrefix('sl-race');
    const id = `${prefix}r`;
    const address = `${prefix}r@example.com`;
    // Ops lift the suppression just after the dispatcher run read it, before the run reaches the greeting
    // (installed before the system is made: its stores take the method when they are made).
    let lift: (() => Promise<LiftedSuppression>) | undefined;
    let lifted: LiftedSuppression | undefined;
    const read = DynamoSuppressionStore.prototype.suppressedAmong;
    const spy = vi.spyOn(DynamoSuppressionStore.prototype, 'suppressedAmong').mockImplementation(async function (this: DynamoSuppressionStore, keys) {
      const suppressed = await read.call(this, keys);
      if (lift !== undefined && lifted === undefined && suppressed.has(addressKey(address))) lifted = await lift();
      return suppressed;
    });
    const clock = new VirtualClock(new Date('2027-04-10T00:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(defaultConfig, clock.now());
    const stores = system.runtime('customerStream').stores();
    await stores.suppressions.suppress([suppressionOf(address, 'hard bounce: 550 no such user', new Date('2027-03-01T00:00:00Z'))]);
    await system.importText(JSON.stringify({ type: 'customer', customerId: id, email: address, timeZone: 'UTC', birthday: '1990-04-10', marketingOptIn: true, createdAt: '2026-01-10T00:00:00Z' }));
    await system.drainStreams();
    await system.runPlanner();
    await stores.ledger.markUnreachable(id, addressKey(address));
    expect(await stores.ledger.get(id)).toMatchObject({ marketingOptIn: false, unreachableAddress: addressKey(address) });

    // Act: the lift as the CLI makes it, with clients of its own
    lift = () => liftOn(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables, address, clock.now());
    clock.set(new Date('2027-04-10T12:00:00Z'));
    try {
      await system.runDispatcher();
    } finally {
      spy.mockRestore();
    }

    // Assess: the run suppressed the greeting on what it had read, but left the customer where the lift put them: on the floor
    expect(system.failedSendWork).toEqual([]);
    expect(lifted?.backOnFloor).toEqual([id]);
    expect(await stateOf(system, `${id}#birthday#2027`)).toEqual(['suppressed', 'the address is suppressed: hard bounce: 550 no such user']);
    const ledger = await stores.ledger.get(id);
    expect(ledger).toMatchObject({ marketingOptIn: true });
    expect(ledger!.unreachableAddress).toBeUndefined();
    expect(ledger!.floorCheckDate).toBeDefined();
    expect(await stores.ledger.unreachableBecauseOf(addressKey(address))).toEqual([]);
  });
});
