import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { dispatchAt, emailsTo, endpoints, stateOf, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('suppress');
const id = (name: string) => `${prefix}${name}`;
const address = (name: string) => `${id(name)}@example.com`;

/** SES event notifications as the configuration set's event destination publishes them (trimmed to what matters). */
const bounce = (to: string, bounceType: 'Permanent' | 'Transient') => ({
  eventType: 'Bounce',
  bounce: { bounceType, bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull', bouncedRecipients: [{ emailAddress: to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], timestamp: '2027-03-03T10:00:00.000Z', feedbackId: 'x' },
  mail: { timestamp: '2027-03-03T09:59:00.000Z', source: 'hello@example.com', messageId: 'ses-1', destination: [to], tags: { campaign: ['renewal'] } },
});
const complaint = (to: string) => ({
  eventType: 'Complaint',
  complaint: { complainedRecipients: [{ emailAddress: to }], complaintFeedbackType: 'abuse', timestamp: '2027-03-03T10:00:00.000Z', feedbackId: 'y' },
  mail: { timestamp: '2027-03-03T09:59:00.000Z', source: 'hello@example.com', messageId: 'ses-2', destination: [to] },
});

describe('bounce and complaint suppression on the real local stack', () => {
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  let system: LocalSystem;
  const at = (instant: string) => dispatchAt(system, clock, instant);

  beforeAll(async () => {
    system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(defaultConfig, clock.now());
    await system.importText(
      [
        JSON.stringify({ type: 'customer', customerId: id('hal'), email: address('hal'), timeZone: 'UTC', locale: 'en', name: 'Hal', marketingOptIn: true }),
        JSON.stringify({ type: 'complaint', complaintId: 'q-1', customerId: id('hal'), openedAt: '2027-03-02T10:00:00Z', subject: 'Broken' }),
        JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: id('hal'), endsOn: '2027-03-20', plan: 'Basic' }),
        JSON.stringify({ type: 'customer', customerId: id('ivy'), email: address('ivy'), timeZone: 'UTC', locale: 'en', name: 'Ivy', birthday: '1990-03-10', marketingOptIn: true }),
        JSON.stringify({ type: 'customer', customerId: id('joe'), email: address('joe'), timeZone: 'UTC', locale: 'en', name: 'Joe', birthday: '1990-03-10', marketingOptIn: true }),
      ].join('\n'),
    );
    await system.drainStreams();
  });

  it('suppresses nothing for a soft bounce', async () => {
    await system.deliverMailEvents([bounce(address('hal'), 'Transient')]);
    await at('2027-03-03T10:00:00Z'); // the apology, a day after the complaint opened
    expect(await stateOf(system, `${id('hal')}#complaintFollowUp#q-1#1`)).toEqual(['sent', null]);
  });

  it('stops every message to an address that bounced hard or complained, service ones too; an unreadable notification is parked with its reason', async () => {
    const result = await system.deliverMailEvents([
      bounce(address('hal').toUpperCase(), 'Permanent'), // addresses match whatever their case
      '{"eventType": "Bounce", "bounce": ',
      { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 42 }] } },
      complaint(address('ivy')),
    ]);
    expect(result).toEqual({ suppressed: 2, ignored: 0, unreadable: 2 });
    // Tried as Lambda tries an asynchronous event, then parked: the dead-letter queue's alarm tells a person.
    expect(system.mailEventsParked.map(({ attempts, reason }) => [attempts, reason])).toEqual([
      [3, expect.stringMatching(/^unreadable SES notifications, parked for a person to look at: local-\d+ SES notification: SES notification\.Message: is not JSON$/)],
      [3, expect.stringMatching(/bounce\.bouncedRecipients\[0\]\.emailAddress: is not an e-mail address$/)],
    ]);

    await at('2027-03-10T10:00:00Z'); // the check-in and both birthdays
    expect(await stateOf(system, `${id('hal')}#complaintFollowUp#q-1#2`)).toEqual(['suppressed', 'the address is suppressed: hard bounce (General)']);
    expect(await stateOf(system, `${id('ivy')}#birthday#2027`)).toEqual(['suppressed', 'the address is suppressed: spam complaint']);
    expect(await stateOf(system, `${id('joe')}#birthday#2027`)).toEqual(['sent', null]);
    await at('2027-03-13T09:00:00Z'); // the renewal reminder
    expect(await stateOf(system, `${id('hal')}#renewal#k-1#7`)).toEqual(['suppressed', 'the address is suppressed: hard bounce (General)']);
    expect((await emailsTo((to) => to.startsWith(prefix))).map((e) => e.destination.to[0]).sort()).toEqual([address('hal'), address('joe')]);
  });
});
