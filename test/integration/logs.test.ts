import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock, type LocalSystem } from '../../functions/local/simulation.js';
import type { LinkServer } from '../../functions/local/link-server.js';
import type { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { emailsTo, systemWithLinks, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('logs');
const customerId = `${prefix}kim`;

/**
 * Everything the handlers log through a whole feedback loop, at the most talkative level, read the
 * way an attacker with log access would: no full e-mail address, no link token.
 */
describe('what the handlers log', () => {
  const clock = new VirtualClock(new Date('2027-03-01T00:00:00Z'));
  const written: string[] = [];
  const originalWrite = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let system: LocalSystem;
  let server: LinkServer;
  let customers: DynamoCustomerStore;

  beforeAll(async () => {
    const level = process.env.RETENTION_LOG_LEVEL;
    process.env.RETENTION_LOG_LEVEL = 'DEBUG';
    ({ system, server, customers } = await systemWithLinks(prefix, clock));
    process.env.RETENTION_LOG_LEVEL = level;
    process.stdout.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
  });
  afterAll(async () => {
    process.stdout.write = originalWrite.out;
    process.stderr.write = originalWrite.err;
    await server.close();
  });

  it('never contain an e-mail address or a link token', async () => {
    await system.importText(
      [
        JSON.stringify({ type: 'customer', customerId, email: `kim.secret@example.com`, timeZone: 'UTC', name: 'Kim', marketingOptIn: true }),
        JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId, completedAt: '2027-03-01T09:00:00Z' }),
      ].join('\n'),
    );
    // A profile written straight into the table, bypassing the import's validation: the stream handler rejects it.
    await customers.putRecords([{ type: 'customer', customerId: `${prefix}bad`, email: 'lee.secret@example.com', timeZone: 'Mars/Olympus' } as never]);
    await system.drainStreams();
    clock.set(new Date('2027-03-04T09:00:00Z'));
    await system.runDispatcher();
    const [survey] = await emailsTo((to) => to === 'kim.secret@example.com');
    const links = [...survey!.body.text!.matchAll(/https?:\/\/\S+\?t=(\S+)/g)];
    for (const [url] of links.slice(0, 3)) await fetch(url!);
    await fetch(links.at(-1)![0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    await fetch(`${server.url}/survey?t=${links[0]![1]!.slice(0, -3)}xyz`);
    await system.drainStreams();
    await system.deliverMailEvents([{ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'kim.secret@example.com' }] } }, '{']);

    const logs = written.join('');
    // The handlers did speak, at every level they use:
    for (const message of ['skipped an invalid customer profile', 'dispatcher ran', 'link followed', 'mail event', 'an unreadable mail event']) expect(logs).toContain(message);
    expect(logs).toMatch(/k\*\*\*@example\.com/); // the suppressed address, masked
    expect(logs).not.toMatch(/secret@/);
    for (const [, token] of links) expect(logs).not.toContain(token!.slice(0, 40));
  });
});
