import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoTemplateStore } from '../../functions/adapters/dynamo-templates.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { shippedTemplates } from '../../functions/core/templates/index.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { LocalSystem, VirtualClock } from '../../functions/local/simulation.js';
import { cli, emailsTo, endpoints, uniquePrefix } from './helpers.js';

const subjectsTo = async (customerId: string) => (await emailsTo((to) => to === `${customerId}@example.com`)).map((email) => email.subject);

describe('retention templates', () => {
  it('refuses a broken push with its reasons and changes nothing; a valid push is what the next dispatcher run writes, nothing restarted; rollback brings back the one before', async () => {
    // Prepare: two customers with birthdays on 5 and 6 July; the dispatcher has run once, so it holds the shipped templates in its cache.
    const prefix = uniquePrefix('templates');
    const clock = new VirtualClock(new Date('2027-07-04T12:00:00Z'));
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock });
    await system.configStore.put(defaultConfig, clock.now());
    const [first, second] = [`${prefix}first`, `${prefix}second`];
    const customer = (customerId: string, birthday: string) => JSON.stringify({ type: 'customer', customerId, name: 'Ana', email: `${customerId}@example.com`, timeZone: 'UTC', marketingOptIn: true, birthday });
    await system.importText([customer(first, '1990-07-05'), customer(second, '1990-07-06')].join('\n'));
    await system.drainStreams();
    await system.runPlanner();
    await system.runDispatcher();
    const dir = await mkdtemp(join(tmpdir(), 'templates-'));
    expect((await cli(prefix, 'templates', 'pull', dir)).stdout).toContain('version 0 (the shipped templates): 108 files written');

    // Act: a push with an unknown variable and a tag left open.
    const subjectFile = join(dir, 'birthday/en/subject.txt');
    await writeFile(subjectFile, 'Many happy returns{{#if nmae}}, {{nmae}}{{/if}}!\n');
    await writeFile(join(dir, 'renewal/es/body.html'), `${await readFile(join(dir, 'renewal/es/body.html'), 'utf8')}<div>\n`);
    const refused = await cli(prefix, 'templates', 'push', dir);

    // Assess: refused, each problem named by file; still the shipped templates.
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('push refused, nothing changed (3 problems):');
    expect(refused.stdout).toContain('birthday/en/subject.txt line 1: unknown variable {{nmae}} (this e-mail has: name, brand,');
    expect(refused.stdout).toContain('renewal/es/body.html: <div> is never closed');
    expect((await cli(prefix, 'templates', 'versions')).stdout).toBe('* version 0 (the shipped templates)\n');

    // Act: mended and pushed; the next run, over a minute later, writes with it.
    await writeFile(subjectFile, 'Many happy returns{{#if name}}, {{name}}{{/if}}!\n');
    await writeFile(join(dir, 'renewal/es/body.html'), `${shippedTemplates.renewal.es!.html}\n`);
    const pushed = await cli(prefix, 'templates', 'push', dir);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain('version 1 is active (before it: version 0 (the shipped templates)), changing birthday/en/subject.txt\n');
    clock.set(new Date('2027-07-05T09:00:00Z'));
    await system.runDispatcher();

    // Assess
    expect(await subjectsTo(first)).toEqual(['Many happy returns, Ana!']);

    // Act: rolled back; the next day's greeting is the shipped one again.
    expect((await cli(prefix, 'templates', 'rollback')).stdout).toContain('version 0 (the shipped templates) is active again (instead of version 1)');
    clock.set(new Date('2027-07-06T09:00:00Z'));
    await system.runDispatcher();

    // Assess
    expect(await subjectsTo(second)).toEqual(['Happy birthday, Ana!']);
    expect((await cli(prefix, 'templates', 'versions')).stdout).toMatch(/^ {2}version 1 {2}pushed \S+\n\* version 0 \(the shipped templates\)\n$/);
  });

  it('preview renders an e-mail to a file, from the active templates or a directory not yet pushed; test-send mails it, marked, to the SES emulator', async () => {
    const prefix = uniquePrefix('templates-preview');
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock: new VirtualClock(new Date('2027-07-04T12:00:00Z')) });
    await system.configStore.put({ ...defaultConfig, brand: { ...defaultConfig.brand, name: 'Larkspur Coffee', senderName: 'Larkspur Coffee Club' } }, new Date());
    const dir = await mkdtemp(join(tmpdir(), 'preview-'));
    const out = join(dir, 'survey.html');

    const shipped = await cli(prefix, 'templates', 'preview', 'survey', '--locale', 'es', '--tier', 'silver', '--out', out);
    expect(shipped.stdout).toContain('survey for a sample silver customer in es, in es: "¿Qué tal lo hicimos, María José Fernández?"');
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Larkspur Coffee');
    expect(html).toContain('Gracias por elegir Larkspur Coffee');
    expect(await readFile(join(dir, 'survey.txt'), 'utf8')).toMatch(/^Subject: ¿Qué tal lo hicimos, María José Fernández\?\n\nHola María José Fernández:/);

    await cli(prefix, 'templates', 'pull', join(dir, 'work'));
    await writeFile(join(dir, 'work/survey/es/subject.txt'), '¿Nos recomendarías{{#if name}}, {{name}}{{/if}}?\n');
    expect((await cli(prefix, 'templates', 'preview', 'survey', '--locale', 'es', '--dir', join(dir, 'work'), '--out', out)).stdout).toContain('"¿Nos recomendarías, María José Fernández?"');

    const to = `${prefix}ops@example.com`;
    const sent = await cli(prefix, 'templates', 'test-send', 'survey', '--locale', 'es', '--to', to, '--ses-endpoint', endpoints().sesEndpoint);
    expect(sent.code).toBe(0);
    expect(sent.stdout).not.toContain(to);
    const [email] = await emailsTo((address) => address === to);
    expect(email?.subject).toBe('[Test] ¿Qué tal lo hicimos, María José Fernández?');
    expect(email?.from).toContain('Larkspur Coffee Club');
  });

  it('works on a deployed stack: --outputs names the Control table it pushes to, pulls from and rolls back', async () => {
    const tables = await createTables(dynamoDbClient(endpoints().dynamodbEndpoint), uniquePrefix('templates-deployed'));
    const dir = await mkdtemp(join(tmpdir(), 'deployed-'));
    const outputsFile = join(dir, 'outputs.json');
    await writeFile(outputsFile, JSON.stringify({ RetentionData: Object.fromEntries(Object.entries(tables).map(([logical, name]) => [`${logical}TableName`, name])) }));
    const deployed = ['--outputs', outputsFile];
    await cli(deployed, 'templates', 'pull', join(dir, 'templates'));
    await writeFile(join(dir, 'templates/renewal/ro/subject.txt'), 'Abonamentul tău se încheie pe {{endsOn}}\n');

    const pushed = await cli(deployed, 'templates', 'push', join(dir, 'templates'));

    expect(pushed.stderr).toContain(`working on the deployed stack of ${outputsFile}: tables ${tables.Customers}`);
    expect(pushed.stdout).toContain('version 1 is active');
    const store = new DynamoTemplateStore(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), tables.Control);
    expect((await store.active()).set.renewal.ro!.subject).toBe('Abonamentul tău se încheie pe {{endsOn}}');
    expect((await cli(deployed, 'templates', 'rollback')).code).toBe(0);
    expect(await store.activeVersion()).toBe(0);
  });

  it('two pushes at once both become versions, one after the other, and rollback walks back through them', async () => {
    const prefix = uniquePrefix('templates-race');
    const system = await LocalSystem.create({ ...endpoints(), tablePrefix: prefix, clock: new VirtualClock(new Date('2027-07-04T12:00:00Z')) });
    const store = new DynamoTemplateStore(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), system.tables.Control);
    const variant = (subject: string) => ({ ...shippedTemplates, birthday: { ...shippedTemplates.birthday, en: { ...shippedTemplates.birthday.en, subject } } });

    const pushed = await Promise.all([store.push(variant('A'), new Date()), store.push(variant('B'), new Date())]);

    expect(pushed.map((p) => p.version).sort()).toEqual([1, 2]);
    const [earlier, later] = [...pushed].sort((a, b) => a.version - b.version);
    expect(later!.previous).toBe(earlier!.version);
    expect(await store.activeVersion()).toBe(2);
    expect((await store.rollback(new Date())).version).toBe(1);
    expect((await store.rollback(new Date())).version).toBe(0);
    await expect(store.rollback(new Date())).rejects.toThrow('nothing to roll back: the shipped templates are active');
    expect((await store.version(1)).set.birthday.en.subject).toBe(earlier!.version === pushed[0]!.version ? 'A' : 'B');
  });
});
