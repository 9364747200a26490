import { brandNamed } from './brand.js';
import { describe, expect, it } from 'vitest';
import { isUpcoming, reminderIdFor, reminderOffsetOf, renewalIndexKey, renewalReminder, renewalTriggerGone } from '../../functions/core/campaigns/renewal.js';
import { defaultConfig } from '../../functions/core/config.js';
import type { MessageState } from '../../functions/core/messages.js';
import type { Contract, Customer } from '../../functions/core/records.js';
import { renderEmail } from '../../functions/core/templates/index.js';

const customer: Customer = { type: 'customer', customerId: 'c-1', email: 'ion@example.com', timeZone: 'Europe/Bucharest', locale: 'ro', name: 'Ion', tier: 'gold', loyaltyPoints: 0, marketingOptIn: false, createdAt: '2020-01-01T00:00:00Z' };
const contract = (fields: Partial<Contract> = {}): Contract => ({ type: 'contract', contractId: 'k-7', customerId: 'c-1', endsOn: '2027-06-30', plan: 'Family plan', autoRenew: false, status: 'active', ...fields });

describe('a renewal reminder', () => {
  it('is due at 09:00 local, offset days before the end, until the contract ends, without needing marketing consent', () => {
    expect(renewalReminder(contract(), customer, 30, defaultConfig)).toMatchObject({
      messageId: 'c-1#renewal#k-7#30',
      messageClass: 'service',
      priority: 90,
      dueAt: '2027-05-31T06:00:00.000Z',
      deadline: '2027-06-29T21:00:00.000Z',
      localDate: '2027-05-31',
      sourceKey: 'contract#k-7',
    });
    expect(renewalReminder(contract(), customer, 7, defaultConfig)?.localDate).toBe('2027-06-23');
    expect(renewalReminder(contract(), customer, 14, defaultConfig)).toBeNull(); // not a configured offset
  });

  it('exists only for contracts that may lapse, and only they are indexed', () => {
    for (const fields of [{ autoRenew: true }, { status: 'renewed' as const }, { status: 'cancelled' as const }]) {
      expect(renewalReminder(contract(fields), customer, 30, defaultConfig)).toBeNull();
      expect(renewalIndexKey(contract(fields))).toBeUndefined();
    }
    expect(renewalIndexKey(contract())).toBe('2027-06-30');
  });

  it('for a new or changed contract, covers only reminders still to come inside the horizon', () => {
    const now = new Date('2027-06-01T12:00:00Z');
    const upcoming = [30, 7].map((offset) => renewalReminder(contract(), customer, offset, defaultConfig)!).filter((reminder) => isUpcoming(reminder, now, defaultConfig));
    expect(upcoming.map((r) => r.occurrence)).toEqual(['k-7#7']);
    expect(isUpcoming(renewalReminder(contract({ endsOn: '2027-08-30' }), customer, 30, defaultConfig)!, now, defaultConfig)).toBe(false); // 31 July: beyond 35 days
  });

  it('of a later term, takes the term’s own id once the contract’s own has ended for an earlier one', () => {
    // Prepare: the 30-day reminder of the term that ended on 30 June, and of the next, as stored
    const firstTerm = renewalReminder(contract(), customer, 30, defaultConfig)!;
    const extended = contract({ endsOn: '2028-06-30' });
    const secondTerm = renewalReminder(extended, customer, 30, defaultConfig, 'term')!;
    const held = (message: typeof firstTerm, state: MessageState, waiting = false) => ({ message: { ...message, state }, waiting });
    const own = (message: typeof firstTerm, state: MessageState = 'sent', waiting = false) => ({ own: held(message, state, waiting), term: undefined });
    // Act, Assess
    expect(reminderIdFor(extended, { own: undefined, term: undefined })).toBe('contract'); // the contract's own id is free
    expect(reminderIdFor(extended, own(firstTerm))).toBe('term'); // it went for the first term
    expect(reminderIdFor(extended, own(firstTerm, 'cancelled'))).toBe('term'); // or ended: it names the first term's end
    expect(reminderIdFor(extended, own(firstTerm, 'planned', true))).toBe('contract'); // still waiting: it moves to the new end
    expect(reminderIdFor(contract(), own(firstTerm))).toBe('contract'); // this very term's
    // The same term seen from another zone (the customer moved since it was sent) is still this term.
    expect(reminderIdFor(contract(), own({ ...firstTerm, timeZone: 'Pacific/Kiritimati', deadline: '2027-06-29T10:00:00.000Z' }))).toBe('contract');
    // The term's own, once taken, stays the term's, though the contract's own has since been deleted (its time to live).
    expect(reminderIdFor(extended, { own: undefined, term: held(secondTerm, 'sent') })).toBe('term');
    // One term, one reminder, whichever id it went under: the one waiting, else the one that went, else the cancelled one comes back.
    const movedOwn = { ...firstTerm, deadline: secondTerm.deadline };
    expect(reminderIdFor(extended, { own: held(movedOwn, 'planned', true), term: held(secondTerm, 'cancelled') })).toBe('contract');
    expect(reminderIdFor(extended, { own: held(movedOwn, 'sent'), term: held(secondTerm, 'cancelled') })).toBe('contract');
    expect(reminderIdFor(extended, { own: held(movedOwn, 'cancelled'), term: held(secondTerm, 'planned', true) })).toBe('term');
    expect(reminderIdFor(extended, { own: held(firstTerm, 'sent'), term: held(secondTerm, 'cancelled') })).toBe('term');
    // The contract's own, waiting for another end, does not move onto a term whose reminder went under the term's own id.
    expect(reminderIdFor(extended, { own: held(firstTerm, 'planned', true), term: held(secondTerm, 'sent') })).toBe('term');
    expect(secondTerm).toMatchObject({ messageId: 'c-1#renewal#k-7#2028-06-30#30', occurrence: 'k-7#2028-06-30#30', localDate: '2028-05-31', sourceKey: 'contract#k-7' });
    expect([firstTerm, secondTerm].map(reminderOffsetOf)).toEqual([30, 30]);
  });

  it('is cancelled at send time when the contract renewed, was cancelled, renews itself or moved its end', () => {
    const reminder = renewalReminder(contract(), customer, 7, defaultConfig)!;
    expect(renewalTriggerGone(reminder, contract())).toBeNull();
    expect(renewalTriggerGone(reminder, contract({ status: 'renewed' }))).toBe('the contract was renewed');
    expect(renewalTriggerGone(reminder, contract({ autoRenew: true }))).toBe('the contract renews automatically');
    expect(renewalTriggerGone(reminder, contract({ endsOn: '2027-07-31' }))).toBe('the contract now ends on 2027-07-31');
    expect(renewalTriggerGone(reminder, undefined)).toBe('the contract no longer exists');
  });

  it('names the plan and the date in the customer’s language, escaped', () => {
    const ro = renderEmail('renewal', customer, { brand: brandNamed('Acme'), contract: contract() });
    expect(ro.subject).toBe('Abonamentul tău (Family plan) se încheie pe 30 iunie 2027');
    const en = renderEmail('renewal', { ...customer, locale: 'en' }, { brand: brandNamed('Acme'), contract: contract({ plan: '<i>Pro</i>' }) });
    expect(en.subject).toBe('Your subscription (<i>Pro</i>) ends on June 30, 2027');
    expect(en.html).toContain('&lt;i&gt;Pro&lt;/i&gt;');
  });

  it.each([
    ['en-GB', 'Your subscription (Family plan) ends on 30 June 2027'],
    ['en-AU', 'Your subscription (Family plan) ends on 30 June 2027'],
    ['es-MX', 'Tu suscripción (Family plan) termina el 30 de junio de 2027'],
    // A language without templates is written to in English, its dates too: no French month in an English sentence.
    ['fr', 'Your subscription (Family plan) ends on June 30, 2027'],
    // A tag the schema lets through and Intl refuses: the language's dates, not a failed e-mail.
    ['en-US-US', 'Your subscription (Family plan) ends on June 30, 2027'],
  ])('writes the date as a customer in %s writes it', (locale, subject) => {
    // Prepare
    const regional = { ...customer, locale };

    // Act
    const email = renderEmail('renewal', regional, { brand: brandNamed('Acme'), contract: contract() });

    // Assess
    expect(email.subject).toBe(subject);
  });
});
