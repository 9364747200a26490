import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.js';
import { simulate, type SimulationResult } from '../../functions/local/simulation.js';
import { emailsTo, endpoints, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('renewal');
const id = (name: string) => `${prefix}${name}`;
const customer = (name: string, timeZone: string, locale: string) =>
  JSON.stringify({ type: 'customer', customerId: id(name), email: `${id(name)}@example.com`, timeZone, locale, name: name[0]!.toUpperCase() + name.slice(1), marketingOptIn: true });
const contract = (name: string, fields: Record<string, unknown>) => JSON.stringify({ type: 'contract', contractId: `k-${name}`, customerId: id(name), plan: 'Premium annual', ...fields });

// Window: 20 January – 21 March 2027.
const data = [
  customer('lola', 'Europe/Madrid', 'es'),
  contract('lola', { endsOn: '2027-03-10' }),
  customer('ion', 'Europe/Bucharest', 'ro'),
  contract('ion', { endsOn: '2027-03-10' }),
  customer('kai', 'Pacific/Kiritimati', 'en'),
  contract('kai', { endsOn: '2027-03-10', autoRenew: true }),
  customer('ada', 'America/New_York', 'en'),
  contract('ada', { endsOn: '2027-03-10' }),
  customer('max', 'UTC', 'en'),
  contract('max', { endsOn: '2027-03-10' }),
  // Ion renews after his first reminder; Max cancels; Ada's contract is extended to 30 April.
  JSON.stringify({ ...JSON.parse(contract('ion', { endsOn: '2027-03-10', status: 'renewed' })), at: '2027-02-20T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('max', { endsOn: '2027-03-10', status: 'cancelled' })), at: '2027-02-20T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('ada', { endsOn: '2027-04-30' })), at: '2027-02-01T12:00:00Z' }),
  // Contracts that go on for another term under the same id, once reminders of the first have gone.
  // Eva's is extended on 16 February, after both its reminders; Ben's on 25 January, after the first, to a
  // date whose 30-day reminder only the daily planner sees come (beyond its 35 days); Cleo's is renewed,
  // then written active again for its next term.
  ...['eva', 'ben', 'cleo'].flatMap((name) => [customer(name, 'UTC', 'en'), contract(name, { endsOn: '2027-02-22' })]),
  JSON.stringify({ ...JSON.parse(contract('eva', { endsOn: '2027-03-25' })), at: '2027-02-16T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('ben', { endsOn: '2027-04-15' })), at: '2027-01-25T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('cleo', { endsOn: '2027-02-22', status: 'renewed' })), at: '2027-02-01T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('cleo', { endsOn: '2027-03-10' })), at: '2027-02-02T12:00:00Z' }),
  // Fay's second term is cut short while its 30-day reminder waits; Gus has a second contract whose id
  // holds an '@' and a date; Rob's contract is extended, renewed, then active again with the same end.
  ...['fay', 'gus', 'rob'].flatMap((name) => [customer(name, 'UTC', 'en'), contract(name, { endsOn: '2027-02-22' })]),
  JSON.stringify({ ...JSON.parse(contract('fay', { endsOn: '2027-03-25' })), at: '2027-02-01T10:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('fay', { endsOn: '2027-03-12' })), at: '2027-02-20T10:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('gus', { endsOn: '2027-03-20' })), contractId: 'k-gus@2027-03-25' }),
  JSON.stringify({ ...JSON.parse(contract('gus', { endsOn: '2027-03-25' })), at: '2027-02-01T10:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('rob', { endsOn: '2027-04-15' })), at: '2027-01-25T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('rob', { endsOn: '2027-04-15', status: 'renewed' })), at: '2027-01-26T12:00:00Z' }),
  JSON.stringify({ ...JSON.parse(contract('rob', { endsOn: '2027-04-15' })), at: '2027-01-27T12:00:00Z' }),
  // Dan's contract, its reminders still waiting, is renewed, then its end goes 10 March, 10 May, back to
  // 1 March and to 10 May again, a day apart: reminders cancelled and planned under both ids of one term.
  customer('dan', 'UTC', 'en'),
  contract('dan', { endsOn: '2027-03-01' }),
  ...[{ endsOn: '2027-03-01', status: 'renewed' }, { endsOn: '2027-03-10' }, { endsOn: '2027-05-10' }, { endsOn: '2027-03-01' }, { endsOn: '2027-05-10' }].map((fields, day) =>
    JSON.stringify({ ...JSON.parse(contract('dan', fields)), at: `2027-01-2${day + 1}T12:00:00Z` }),
  ),
  // Dee's contract renews itself for a day, then ends on 23 February (its 30-day reminder goes under that
  // term's own id on 24 January), 25 February, and 23 February again: the contract's own reminder, brought
  // back for 25 February, must not move onto the term whose reminder went.
  customer('dee', 'UTC', 'en'),
  contract('dee', { endsOn: '2027-02-25' }),
  ...[[{ endsOn: '2027-02-25', autoRenew: true }, '2027-01-21T12'], [{ endsOn: '2027-02-23' }, '2027-01-22T12'], [{ endsOn: '2027-02-25' }, '2027-01-25T12'], [{ endsOn: '2027-02-23' }, '2027-01-25T18']].map(
    ([fields, at]) => JSON.stringify({ ...JSON.parse(contract('dee', fields as Record<string, unknown>)), at: `${String(at)}:00:00Z` }),
  ),
].join('\n');

describe('renewal reminders on the real local stack', () => {
  let result: SimulationResult;
  const renewals = () => result.report.messages.filter((m) => m.campaign === 'renewal');
  const of = (name: string) => Object.fromEntries(renewals().filter((m) => m.customerId === id(name)).map((m) => [m.messageId.split('#').pop(), [m.state, m.localDate ?? m.reason, m.localTime]]));

  beforeAll(async () => {
    result = await simulate({ ...endpoints(), data, start: new Date('2027-01-20T00:00:00Z'), days: 60, config: defaultConfig, tablePrefix: prefix });
  });

  it('reminds 30 and 7 days before the contract ends, at 09:00 local, with the plan and the date in the customer’s language', async () => {
    expect(of('lola')).toEqual({ 30: ['sent', '2027-02-08', '09:00'], 7: ['sent', '2027-03-03', '09:00'] });
    const subjects = (await emailsTo((to) => to.startsWith(id('lola')))).map((e) => e.subject);
    expect(subjects).toContain('Tu suscripción (Premium annual) termina el 10 de marzo de 2027');
  });

  it('cancels the reminders still waiting when the contract is renewed or cancelled', () => {
    expect(of('ion')).toEqual({ 30: ['sent', '2027-02-08', '09:00'], 7: ['cancelled', 'the contract was renewed', null] });
    expect(of('max')).toEqual({ 30: ['sent', '2027-02-08', '09:00'], 7: ['cancelled', 'the contract was cancelled', null] });
  });

  it('never reminds a contract that renews by itself', () => {
    expect(of('kai')).toEqual({});
  });

  it('moves the reminders when the end date moves', () => {
    // Extended on 1 February to 30 April: both reminders, already planned for March, move with it, after this window.
    expect(of('ada')).toEqual({});
    const waiting = result.waiting.filter((m) => m.customerId === id('ada') && m.campaign === 'renewal').map((m) => [m.occurrence, m.localDate]);
    expect(waiting.sort()).toEqual([['k-ada#30', '2027-03-31'], ['k-ada#7', '2027-04-23']]);
  });

  it('reminds again for each later term of a contract kept under the same id, each reminder once', () => {
    const byOccurrence = (name: string) => Object.fromEntries(renewals().filter((m) => m.customerId === id(name)).map((m) => [m.messageId.slice(`${id(name)}#renewal#`.length), [m.state, m.localDate ?? m.reason]]));
    expect(byOccurrence('eva')).toEqual({
      'k-eva#30': ['sent', '2027-01-23'],
      'k-eva#7': ['sent', '2027-02-15'],
      'k-eva#2027-03-25#30': ['sent', '2027-02-23'],
      'k-eva#2027-03-25#7': ['sent', '2027-03-18'],
    });
    // Ben's 7-day reminder was still waiting: it moved to the new end (after this window), under the contract's own id.
    expect(byOccurrence('ben')).toEqual({ 'k-ben#30': ['sent', '2027-01-23'], 'k-ben#2027-04-15#30': ['sent', '2027-03-16'] });
    expect(result.waiting.filter((m) => m.customerId === id('ben')).map((m) => [m.occurrence, m.localDate])).toEqual([['k-ben#7', '2027-04-08']]);
    expect(byOccurrence('cleo')).toEqual({
      'k-cleo#30': ['sent', '2027-01-23'],
      'k-cleo#7': ['cancelled', 'the contract was renewed'],
      'k-cleo#2027-03-10#30': ['sent', '2027-02-08'],
      'k-cleo#2027-03-10#7': ['sent', '2027-03-03'],
    });
  });

  it('replaces a later term’s reminder that cannot move, keeps contracts apart, and brings back one cancelled by a renewal', () => {
    const byOccurrence = (name: string) => Object.fromEntries(renewals().filter((m) => m.customerId === id(name)).map((m) => [m.messageId.slice(`${id(name)}#renewal#`.length), [m.state, m.localDate ?? m.reason]]));
    const waiting = (name: string) => result.waiting.filter((m) => m.customerId === id(name) && m.campaign === 'renewal').map((m) => [m.occurrence, m.localDate]).sort();
    // Cut short to 12 March on 20 February: the 30-day reminder for 25 March is cancelled, and the one for
    // 12 March, whose day (10 February) has passed, goes in its place as soon as the cap allows (a
    // keep-in-touch went on 16 February); the 7-day one moved.
    expect(byOccurrence('fay')).toEqual({
      'k-fay#30': ['sent', '2027-01-23'],
      'k-fay#2027-03-25#30': ['cancelled', 'the contract now ends on 2027-03-12'],
      'k-fay#2027-03-12#30': ['sent', '2027-02-23'],
      'k-fay#7': ['sent', '2027-03-05'],
    });
    // Each contract its own reminders: k-gus's second term and the contract named k-gus@2027-03-25.
    expect(byOccurrence('gus')).toMatchObject({ 'k-gus#30': ['sent', '2027-01-23'], 'k-gus@2027-03-25#30': ['sent', '2027-02-18'], 'k-gus#2027-03-25#30': ['sent', '2027-02-25'] });
    expect(renewals().filter((m) => m.customerId === id('gus') && m.state !== 'sent')).toEqual([]);
    // The 7-day reminder moved to 8 April, cancelled by the renewal, comes back once active again (the planner, beyond the stream's 35 days).
    expect(byOccurrence('rob')).toEqual({ 'k-rob#30': ['sent', '2027-01-23'], 'k-rob#2027-04-15#30': ['sent', '2027-03-16'] });
    expect(waiting('rob')).toEqual([['k-rob#7', '2027-04-08']]);
    // One reminder per offset for the term ending 10 May: the contract's own, which moved there; the term's
    // own, cancelled on the way, is not brought back beside it when the planner comes to its day.
    expect(waiting('dan')).toEqual([['k-dan#30', '2027-04-10'], ['k-dan#7', '2027-05-03']]);
    expect(renewals().filter((m) => m.customerId === id('dan') && m.state !== 'cancelled')).toEqual([]);
    expect(byOccurrence('dee')).toMatchObject({ 'k-dee#2027-02-23#30': ['sent', '2027-01-24'], 'k-dee#30': ['cancelled', 'the contract now ends on 2027-02-23'] });
    const deeSent = renewals().filter((m) => m.customerId === id('dee') && m.state === 'sent').map((m) => m.messageId.split('#').pop());
    expect(deeSent.sort()).toEqual(['30', '7']); // one reminder at each offset for the term ending 23 February
  });

  it('keeps the band while it does', () => {
    expect(result.parked).toEqual([]);
    const sent = result.report.messages.filter((m) => m.state === 'sent' && m.customerId === id('lola')).map((m) => m.localDate!).sort();
    for (let i = 1; i < sent.length; i++) expect(Date.parse(sent[i]!) - Date.parse(sent[i - 1]!)).toBeGreaterThanOrEqual(7 * 86_400_000);
  });
});
