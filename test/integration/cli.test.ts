import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { endpoints, uniquePrefix } from './helpers.js';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildProgram } from '../../functions/cli/main.js';
import type { CloudFormationLike } from '../../functions/cli/stack-outputs.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { DynamoConfigStore } from '../../functions/adapters/dynamo-config.js';
import { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import type { TableNames } from '../../functions/adapters/tables.js';
import { suppressionOf } from '../../functions/core/suppression.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { DynamoSuppressionStore } from '../../functions/adapters/dynamo-suppressions.js';
import { DynamoLedgerStore } from '../../functions/adapters/dynamo-ledger.js';
import { addressKey } from '../../functions/core/suppression.js';
import { countDynamoRequests, emptyStats } from '../../functions/local/dynamo-stats.js';
import { readCustomerStory } from '../../functions/adapters/customer-story.js';
import { importCorpus } from './import-corpus.js';

const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/retention.mjs', ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

const tempFile = async (name: string, content: string): Promise<string> => {
  const path = join(await mkdtemp(join(tmpdir(), 'retention-cli-')), name);
  await writeFile(path, content);
  return path;
};

describe('retention import', () => {
  it('imports the good lines, prints each reject with its line and reason, and exits 1', async () => {
    const prefix = uniquePrefix('cli');
    const file = await tempFile('records.ndjson', [
      JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid' }),
      JSON.stringify({ type: 'customer', customerId: 'c-2', email: 'ion@example.com', timeZone: 'Mars/Olympus' }),
      JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: 'c-1', endsOn: '2027-06-30' }),
      'not json',
    ].join('\n'));
    const { code, stdout } = await run('import', file, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix);
    expect(code).toBe(1);
    expect(stdout).toContain('Imported 2 records (1 customer, 1 contract); rejected 2');
    expect(stdout).toContain("line 2 (customer c-2): customer.timeZone: unknown time zone 'Mars/Olympus'");
    expect(stdout).toMatch(/line 4: line is not JSON/);
  });

  it('exits 0 when every line is imported; `at` is ignored, a record carrying it written now, the later line of one record winning', async () => {
    // Prepare: a complaint opened, then resolved on a later day (`at`, which only simulate applies at its time)
    const prefix = uniquePrefix('cli');
    const complaint = { type: 'complaint', complaintId: 'q-1', customerId: 'c-1', openedAt: '2027-01-02T10:00:00Z', subject: 'late delivery' };
    const file = await tempFile('ok.ndjson', [
      JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId: 'c-1', completedAt: '2027-01-02T10:00:00Z' }),
      JSON.stringify(complaint),
      JSON.stringify({ ...complaint, status: 'resolved', resolvedAt: '2027-01-05T10:00:00Z', at: '2027-01-05T10:00:00Z' }),
    ].join('\n'));

    // Act
    const { code, stdout } = await run('import', file, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix);

    // Assess
    expect(stdout).toContain('Imported 2 records (1 interaction, 1 complaint); rejected 0; 1 warning; 1 line carried "at", ignored: only simulate applies a record at its time, import writes it now');
    expect(stdout).toContain('line 2: complaint q-1 is given again on line 3; line 3 is imported (the later line wins, as an update would)');
    expect(code).toBe(0);
    const tables = await createTables(dynamoDbClient(endpoints().dynamodbEndpoint), prefix);
    const { records } = await readCustomerStory(documentClientFor(dynamoDbClient(endpoints().dynamodbEndpoint)), tables, 'c-1');
    expect(records.find((record) => record.type === 'complaint')).toMatchObject({ status: 'resolved', resolvedAt: '2027-01-05T10:00:00Z' });
    expect(records.find((record) => record.type === 'complaint')).not.toHaveProperty('at');
  });

  it('warns while the brand is as shipped (a first import is when it matters), and stops once config set sets it', async () => {
    const prefix = uniquePrefix('cli');
    const target = ['--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', prefix];
    const file = await tempFile('one.ndjson', JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid', marketingOptIn: true }));

    const first = await run('import', file, ...target);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Warning: the brand is not set');
    expect(first.stderr).toContain('brand.name is still the shipped "Retention"');
    expect(first.stderr).toContain('brand.postalAddress is empty: marketing e-mails (birthday, survey, keepInTouch) go without the postal address anti-spam law requires');

    // Set in part: what is left is still named, what is set no longer.
    const partly = await run('config', 'set', 'brand.name="Larkspur Coffee"', 'brand.senderName="Larkspur Coffee"', ...target);
    expect(partly.code).toBe(0);
    expect(partly.stderr).toContain('brand.postalAddress is empty');
    expect(partly.stderr).not.toContain('brand.name is still');

    const set = await run('config', 'set', 'brand.postalAddress="12 Harbour Road, Portsmouth PO1 2AB"', ...target);
    expect(set.code).toBe(0);
    expect(set.stderr).not.toContain('Warning: the brand is not set');
    const again = await run('import', file, ...target);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Imported 1 records');
    expect(again.stderr).not.toContain('Warning: the brand is not set');
  });
});

describe('files saved with a byte-order mark (some editors write one first)', () => {
  it('import reads the first line as a record, not as a line that is not JSON', async () => {
    // Prepare
    const file = await tempFile('bom.ndjson', `\uFEFF${[
      JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'Europe/Madrid' }),
      JSON.stringify({ type: 'contract', contractId: 'k-1', customerId: 'c-1', endsOn: '2027-06-30' }),
    ].join('\n')}`);

    // Act
    const { code, stdout } = await run('import', file, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', uniquePrefix('cli'));

    // Assess
    expect(stdout).toContain('Imported 2 records (1 customer, 1 contract); rejected 0');
    expect(code).toBe(0);
  });

  it('a configuration is read as JSON (here refused for what it says, not for its first character)', async () => {
    // Prepare: an impossible configuration, refused before anything runs
    const data = await tempFile('d.ndjson', JSON.stringify({ type: 'customer', customerId: 'c-1', email: 'ana@example.com', timeZone: 'UTC' }));
    const config = await tempFile('config.json', `\uFEFF${JSON.stringify({ ...defaults, cadence: { ...defaults.cadence, minDaysBetween: 40 } })}`);

    // Act
    const { code, stderr } = await run('simulate', '--data', data, '--start', '2027-01-01', '--days', '5', '--config', config);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('cadence.minDaysBetween: the cap (40 days) is longer than the floor (30 days)');
  });
});

describe('retention simulate', () => {
  const data = JSON.stringify({ type: 'customer', customerId: 'cli-sim-1', email: 'cli-sim-1@example.com', timeZone: 'Asia/Tokyo', locale: 'es', name: 'Yuki', birthday: '--01-03', marketingOptIn: true });

  it('writes the report of SPEC.md and exits 0', async () => {
    const file = await tempFile('d.ndjson', `${data}\n{"type":"customer"}`);
    const out = join(await mkdtemp(join(tmpdir(), 'retention-out-')), 'report.json');
    const { code, stdout } = await run('simulate', '--data', file, '--start', '2027-01-01', '--days', '5', '--out', out, ...['--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--ses-endpoint', endpoints().sesEndpoint]);
    expect(code).toBe(0);
    expect(stdout).toContain('1 sent');
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.window).toEqual({ start: '2027-01-01T00:00:00.000Z', end: '2027-01-06T00:00:00.000Z' });
    expect(report.config).toEqual(defaults);
    expect(report.messages).toEqual([
      expect.objectContaining({
        messageId: 'cli-sim-1#birthday#2027',
        state: 'sent',
        reason: null,
        dueAt: '2027-01-03T00:00:00.000Z',
        sentAt: '2027-01-03T00:00:00.000Z',
        localDate: '2027-01-03',
        localTime: '09:00',
        timeZone: 'Asia/Tokyo',
        locale: 'es',
        subject: '¡Feliz cumpleaños, Yuki!',
        sesMessageId: expect.any(String),
      }),
    ]);
    expect(report.rejected).toEqual([{ line: 2, record: 'customer', reason: 'customer.customerId: required field is missing' }]);
    expect(report.summary).toEqual({ sent: 1, deferred: 0, expired: 0, suppressed: 0, cancelled: 0, heldOut: 0, byCampaign: { birthday: { sent: 1, deferred: 0, expired: 0, suppressed: 0, cancelled: 0, heldOut: 0 } } });
  });

  it('refuses an impossible configuration before running, saying why', async () => {
    const file = await tempFile('d.ndjson', data);
    const config = await tempFile('config.json', JSON.stringify({ ...defaults, cadence: { ...defaults.cadence, minDaysBetween: 40 } }));
    const { code, stderr } = await run('simulate', '--data', file, '--start', '2027-01-01', '--days', '5', '--config', config);
    expect(code).toBe(2);
    expect(stderr).toContain('cadence.minDaysBetween: the cap (40 days) is longer than the floor (30 days)');
  });

  it.each([
    [['--start', '2027-02-30', '--days', '5'], "'2027-02-30' is not a date"],
    [['--start', '2027-01-01', '--days', 'many'], "'many' is not a whole number of days"],
    [['--start', '2027-01-01'], "required option '--days <n>' not specified"],
  ])('refuses bad arguments %j', async (args, message) => {
    const file = await tempFile('d.ndjson', data);
    const { code, stderr } = await run('simulate', '--data', file, ...args);
    expect(code).not.toBe(0);
    expect(stderr).toContain(message);
  });
});

describe('retention preview, config diff and the HTML report', () => {
  const db = () => ['--dynamodb-endpoint', endpoints().dynamodbEndpoint];
  const cohort = [
    JSON.stringify({ type: 'customer', customerId: 'pv-1', email: 'pv-1@example.com', timeZone: 'Europe/Madrid', locale: 'es', name: 'Lola', birthday: '1990-03-04', marketingOptIn: true }),
    JSON.stringify({ type: 'customer', customerId: 'pv-2', email: 'pv-2@example.com', timeZone: 'UTC', name: 'Quiet', birthday: '1990-03-05', marketingOptIn: false }),
  ].join('\n');

  it('preview tells what a customer will get, when, and what is planned beyond the window', async () => {
    // Among her lines, one that is not JSON: left out, as import leaves it out.
    const file = await tempFile('cohort.ndjson', `${cohort}\n{"type": "contract", "customerId": "pv-1"\n"pv-1"`);
    const { code, stdout } = await run('preview', 'pv-1', '--data', file, '--start', '2027-02-01', '--days', '40', ...db(), '--table-prefix', uniquePrefix('pv'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/pv-1: es, Europe\/Madrid, standard; marketing consent yes; birthday 1990-03-04/);
    expect(stdout).toMatch(/sends\s+2027-03-04 09:00\s+birthday\s+"¡Feliz cumpleaños, Lola!"/);
    // Her first floor's keep-in-touch goes on the day her id spreads it to (6 days after she was first seen).
    expect(stdout).toMatch(/sends\s+2027-02-07 09:00\s+keepInTouch/);
  });

  it('preview --data finds a customer whose id the file writes with spaces around it, as the import reads it', async () => {
    // Prepare
    const file = await tempFile('padded.ndjson', JSON.stringify({ type: 'customer', customerId: ' pv-3  ', email: 'pv-3@example.com', timeZone: 'UTC', birthday: '1990-02-10', marketingOptIn: true }));

    // Act
    const { code, stdout } = await run('preview', 'pv-3', '--data', file, '--start', '2027-02-01', '--days', '20', ...db(), '--table-prefix', uniquePrefix('pv'));

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/pv-3: en, UTC, standard; marketing consent yes; birthday 1990-02-10/);
    expect(stdout).toMatch(/sends\s+2027-02-10 09:00\s+birthday/);
  });

  it('config diff simulates both configurations and prints what changes, applying nothing', async () => {
    const prefix = uniquePrefix('diff');
    const file = await tempFile('cohort.ndjson', cohort);
    const { code, stdout } = await run('config', 'diff', '--data', file, '--start', '2027-02-01', '--days', '60', '--set', 'cadence.maxDaysBetween=20', ...db(), '--table-prefix', prefix);
    expect(code).toBe(0);
    expect(stdout).toContain('cadence.maxDaysBetween: 30 → 20');
    // Floor 30: keep-in-touch on 7 Feb (the first floor's spread day), then the birthday on 4 Mar holds the floor
    // past the window's end; floor 20: on 7 Feb, 27 Feb (its last day) and 24 Mar (20 days after the birthday).
    expect(stdout).toMatch(/keepInTouch sent\s+1\s+3\s+\+2/);
    expect(stdout).toMatch(/floor violations\s+0\s+0/);
    const { stdout: stored } = await run('config', 'get', ...db(), '--table-prefix', prefix);
    expect(JSON.parse(stored).cadence.maxDaysBetween).toBe(30);
  });

  it('config diff and config set take several settings together, validated as a whole whatever their order', async () => {
    // Prepare: the cap of 40 days needs the floor and the look-ahead raised too; given first, it alone would be refused
    const prefix = uniquePrefix('diff');
    const file = await tempFile('cohort.ndjson', cohort);
    const together = ['cadence.minDaysBetween=40', 'cadence.maxDaysBetween=60', 'planner.lookAheadDays=60'];

    // Act
    const diff = await run('config', 'diff', '--data', file, '--start', '2027-02-01', '--days', '2', ...together.flatMap((setting) => ['--set', setting]), ...db(), '--table-prefix', prefix);
    const set = await run('config', 'set', ...together, ...db(), '--table-prefix', prefix);
    const refused = await run('config', 'set', 'cadence.maxDaysBetween=90', 'cadence.minDaysBetween=100', ...db(), '--table-prefix', prefix);

    // Assess: diff shows the combination; set stores it in one change; an impossible whole changes nothing
    expect(diff.stderr).not.toContain('config diff:');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('cadence.minDaysBetween: 7 → 40');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('cadence.minDaysBetween: 7 → 40');
    expect(set.stdout).toContain(`planner.lookAheadDays: ${defaults.planner.lookAheadDays} → 60`);
    // A cap of 40 days before a floor of 60 leaves 20 days from a contact to its floor check, where there were 23
    expect(set.stdout).toContain("The cadence band is narrower: from its next daily run the planner brings forward every customer's floor check set under the old band");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('config set refused, nothing changed');
    const { stdout: stored } = await run('config', 'get', ...db(), '--table-prefix', prefix);
    expect(JSON.parse(stored).cadence).toMatchObject({ minDaysBetween: 40, maxDaysBetween: 60 });
    expect(JSON.parse(stored).planner.lookAheadDays).toBe(60);
  });

  it('refuses a proposed configuration that is impossible', async () => {
    const file = await tempFile('cohort.ndjson', cohort);
    const { code, stderr } = await run('config', 'diff', '--data', file, '--set', 'cadence.maxDaysBetween=3', ...db(), '--table-prefix', uniquePrefix('diff'));
    expect(code).toBe(2);
    expect(stderr).toContain('the cap (7 days) is longer than the floor (3 days)');
  });

  it('simulate --html writes a report with the charts, the band and escaped data', async () => {
    const file = await tempFile('cohort.ndjson', `${cohort}\n${JSON.stringify({ type: 'customer', customerId: '<b>x</b>', email: 'x@example.com', timeZone: 'Mars/Olympus' })}`);
    const html = join(await mkdtemp(join(tmpdir(), 'retention-html-')), 'report.html');
    const { code } = await run('simulate', '--data', file, '--start', '2027-02-01', '--days', '40', '--html', html, ...db(), '--ses-endpoint', endpoints().sesEndpoint);
    expect(code).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('Messages sent per day, by campaign');
    expect(page).toContain('band: 7–30 days');
    expect(page).toContain("One customer's timeline: pv-1");
    expect(page).toContain('0 cap violations');
    expect(page).not.toContain('<b>x</b>');
  });
});

describe('issue #11 findings 8 and 9, as a user meets them', () => {
  const { id, lines, text } = importCorpus(uniquePrefix('cli11'));
  const lineOf = (kind: 'rejected' | 'warning') => lines.flatMap((line, index) => (line[kind] ? [{ line: index + 1, reason: line[kind]! }] : []));

  it('import: every record that once stopped it is a reject with its line and reason, the rest go in, warnings and the consent default are said', async () => {
    // Prepare
    const file = await tempFile('corpus.ndjson', text);

    // Act
    const { code, stdout } = await run('import', file, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', uniquePrefix('cli11'));

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain('Imported 55 records (54 customer, 1 contract); rejected 5; 2 warnings');
    // Each with its line, the record when it has an id the reason does not name, and the reason (the corpus holds its start).
    const printed = (line: number, reason: string) => new RegExp(`^  line ${line}( \\([^)]+\\))?: ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm');
    for (const { line, reason } of lineOf('rejected')) expect(stdout).toMatch(printed(line, reason));
    expect(stdout).toContain('Imported, with a warning:');
    for (const { line, reason } of lineOf('warning')) expect(stdout).toMatch(printed(line, reason));
    expect(stdout).toContain('1 customer without marketingOptIn stored with false (consent.defaultMarketingOptIn): no marketing to them until a record says true');
    expect(stdout).not.toContain('duplicates');
  });

  it('simulate: the same rejects and warnings are in its report, and marketing goes only to those who consented', async () => {
    // Prepare
    const file = await tempFile('corpus.ndjson', text);
    const out = join(await mkdtemp(join(tmpdir(), 'retention-out-')), 'report.json');
    const html = join(await mkdtemp(join(tmpdir(), 'retention-html-')), 'report.html');

    // Act
    const { code } = await run('simulate', '--data', file, '--start', '2027-03-01', '--days', '2', '--out', out, '--html', html, ...['--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--ses-endpoint', endpoints().sesEndpoint]);

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.rejected).toEqual(lineOf('rejected').map(({ line, reason }) => ({ line, record: expect.any(String), reason: expect.stringContaining(reason) })));
    expect(report.warnings).toEqual(lineOf('warning').map(({ line, reason }) => ({ line, record: expect.any(String), reason: expect.stringContaining(reason) })));
    expect((report.rejected as { line: number; record?: string }[]).find((reject) => reject.line === 27)?.record).toBe(`customer ${id('eve')}`);
    const birthdays = report.messages.filter((m: { campaign: string; state: string }) => m.campaign === 'birthday' && m.state === 'sent');
    expect(birthdays.map((m: { customerId: string; subject: string }) => [m.customerId, m.subject]).sort()).toEqual([[id('ana'), 'Happy birthday, ana!'], [id('gil'), 'Happy birthday, gil!']]);
    expect(report.messages.filter((m: { customerId: string }) => m.customerId === id('fay'))).toEqual([]);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<h2>Imported with a warning</h2>');
    expect(page).toContain('no templates in &#39;fr&#39;');
  });
});

describe('issue #12: the CLI against a deployed stack (--outputs, --stack) and retention explain', () => {
  const ep = () => endpoints().dynamodbEndpoint;
  const db = () => documentClientFor(dynamoDbClient(ep()));
  /** A "deployed" data stack: its tables on DynamoDB Local, and the file `cdk deploy --outputs-file` would write for it. */
  const deployedStack = async () => {
    const tables = await createTables(dynamoDbClient(ep()), uniquePrefix('deployed'));
    const outputs = {
      RetentionCompute: { LinksBaseUrl: 'https://links.example.com/', ConfigurationSetName: 'retention' },
      RetentionData: Object.fromEntries(Object.entries(tables).map(([logical, name]) => [`${logical}TableName`, name])),
    };
    return { tables, outputsFile: await tempFile('outputs.json', JSON.stringify(outputs, null, 2)) };
  };
  const customer = (id: string) => ({ type: 'customer', customerId: id, email: `${id}@example.com`, timeZone: 'Europe/Madrid', locale: 'es', name: 'Lola', birthday: '1990-03-04', marketingOptIn: true });
  /** What the system would have stored about a customer after a while: a ledger, a suppression, messages sent, waiting and ended. */
  const storeContactStory = async (tables: TableNames, id: string) => {
    const message = (campaign: string, occurrence: string, rest: Record<string, unknown>) => ({
      messageId: `${id}#${campaign}#${occurrence}`, customerId: id, campaign, occurrence, messageClass: 'marketing', priority: 1, countsTowardCap: true,
      localDate: '2027-02-10', timeZone: 'Europe/Madrid', attempts: 0, plannedAt: '2027-02-01T00:00:00.000Z', ...rest,
    });
    const items = [
      message('keepInTouch', '2027-02-10', { state: 'sent', reason: null, dueAt: '2027-02-07T08:00:00.000Z', deadline: '2027-02-11T00:00:00.000Z', sendAfter: '2027-02-07T08:00:00.000Z', sentAt: '2027-02-07T08:00:00.000Z', subject: 'Tus puntos, Lola', locale: 'es', content: 'points' }),
      message('birthday', '2027', { state: 'deferred', reason: 'the weekly cap holds it until 2027-03-05', dueAt: '2027-03-04T08:00:00.000Z', deadline: '2027-03-11T00:00:00.000Z', sendAfter: '2027-03-05T08:00:00.000Z', waitingCustomerId: id, deferrals: 1 }),
      message('survey', 'o-1', { state: 'cancelled', reason: 'a complaint was opened after the interaction', dueAt: '2027-02-03T08:00:00.000Z', deadline: '2027-02-10T00:00:00.000Z', sendAfter: '2027-02-03T08:00:00.000Z', updatedAt: '2027-02-02T10:00:00.000Z' }),
    ];
    for (const Item of items) await db().send(new PutCommand({ TableName: tables.Messages, Item }));
    await db().send(new PutCommand({ TableName: tables.Ledger, Item: { customerId: id, lastContactDate: '2027-02-07', lastCappedDate: '2027-02-07', lastCappedMessageId: `${id}#keepInTouch#2027-02-10`, floorCheckDate: '2027-03-01', openedOn: '2027-02-01', lastKeepInTouchContent: 'points', timeZone: 'Europe/Madrid', marketingOptIn: true } }));
    await db().send(new PutCommand({ TableName: tables.Suppressions, Item: suppressionOf(`${id}@example.com`, `hard bounce: 550 ${id}@example.com does not exist`, new Date('2027-02-20T12:00:00.000Z')) }));
  };

  it('import, config set/get, preview and explain through --outputs work on the tables the outputs name, and say so', async () => {
    // Prepare
    const { tables, outputsFile } = await deployedStack();
    const target = ['--outputs', outputsFile, '--dynamodb-endpoint', ep()];
    const records = await tempFile('records.ndjson', JSON.stringify(customer('dp-1')));

    // Act + Assess: import writes into the deployed Customers table
    const imported = await run('import', records, ...target);
    expect(imported.stdout).toContain('Imported 1 records (1 customer); rejected 0');
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain(`working on the deployed stack of ${outputsFile}: tables ${tables.Customers}`);
    expect((await readCustomerStory(db(), tables, 'dp-1')).records).toHaveLength(1);

    // config set / get: stored in the deployed Control table
    const set = await run('config', 'set', 'cadence.minDaysBetween=10', ...target);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('cadence.minDaysBetween: 7 → 10');
    expect((await new DynamoConfigStore(db(), tables.Control).get()).cadence.minDaysBetween).toBe(10);
    const got = await run('config', 'get', ...target);
    expect(JSON.parse(got.stdout).cadence.minDaysBetween).toBe(10);

    // preview: the deployed customer and configuration, run forward
    const preview = await run('preview', 'dp-1', '--start', '2027-02-01', '--days', '40', ...target);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/dp-1: es, Europe\/Madrid, standard; marketing consent yes/);
    expect(preview.stdout).toContain('cap 10 days');
    expect(preview.stdout).toMatch(/sends\s+2027-03-04 09:00\s+birthday/);

    // explain: by key and index only against a deployed stack; the address never in full
    await storeContactStory(tables, 'dp-1');
    const explain = await run('explain', 'dp-1', ...target);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('dp-1 <d***@example.com>: es, Europe/Madrid');
    expect(explain.stdout).toMatch(/Consent:\s+marketing yes/);
    expect(explain.stdout).toMatch(/Suppression: SUPPRESSED since 2027-02-20T12:00:00.000Z: hard bounce: 550 d\*\*\*@example.com does not exist/);
    expect(explain.stdout).toMatch(/last capped send\s+2027-02-07 \(dp-1#keepInTouch#2027-02-10\)/);
    expect(explain.stdout).toMatch(/next floor check\s+2027-03-01/);
    expect(explain.stdout).toMatch(/last keep-in-touch\s+about points/);
    expect(explain.stdout).toMatch(/sent\s+2027-02-07 09:00\s+keepInTouch\s+"Tus puntos, Lola" about points/);
    expect(explain.stdout).toMatch(/deferred\s+2027-03-05 09:00\s+birthday\s+due 2027-03-04 09:00, until 2027-03-11 01:00, deferred 1×: the weekly cap holds it until 2027-03-05/);
    // Ended ones too, from the byCustomer index.
    expect(explain.stdout).toContain('Messages:    3 (1 sent, 1 waiting, 1 ended without a send)');
    expect(explain.stdout).toMatch(/cancelled\s+2027-02-02 11:00\s+survey\s+was due 2027-02-03 09:00: a complaint was opened after the interaction \(dp-1#survey#o-1\)/);
    expect(explain.stdout + explain.stderr).not.toContain('dp-1@example.com');

    // preview again: it starts from the story the stack now holds (the suppression, the greeting the cap
    // deferred); what had ended before is the past, not what the customer will receive
    const again = await run('preview', 'dp-1', '--start', '2027-02-01', '--days', '40', ...target);
    expect(again.stdout).toContain('SUPPRESSED: hard bounce: 550 d***@example.com does not exist');
    expect(again.stdout).toMatch(/will not 2027-03-04 09:00\s+birthday\s+suppressed: the address is suppressed/);
    expect(again.stdout).not.toMatch(/sends |2027-02-07|survey/);

    // By key and index only: a deployed table is never scanned.
    const stats = emptyStats();
    const counted = dynamoDbClient(ep());
    countDynamoRequests(counted, stats);
    const story = await readCustomerStory(documentClientFor(counted), tables, 'dp-1');
    expect(story.messages.map((m) => m.messageId)).toEqual(['dp-1#survey#o-1', 'dp-1#keepInTouch#2027-02-10', 'dp-1#birthday#2027']);
    expect(Object.keys(stats.byOperation).sort()).toEqual(['BatchGetItem', 'GetItem', 'Query', 'Query byCustomer']);
  });

  it('preview starts from what the stack holds of the customer beyond their records: what they chose, their address suppressed, their messages', async () => {
    // Prepare: two customers with a birthday in the window; one chose to receive nothing, the other's address bounced
    const { tables, outputsFile } = await deployedStack();
    const target = ['--outputs', outputsFile, '--dynamodb-endpoint', ep()];
    const customers = new DynamoCustomerStore(db(), tables.Customers);
    await customers.putRecords([customer('pn-1'), customer('pn-2')] as never);
    await customers.setPreferences({ customerId: 'pn-1', receive: 'nothing', updatedAt: '2027-01-20T10:00:00.000Z' });
    await db().send(new PutCommand({ TableName: tables.Suppressions, Item: suppressionOf('pn-2@example.com', 'hard bounce: 550 pn-2@example.com does not exist', new Date('2027-01-20T12:00:00.000Z')) }));

    // Act
    const unsubscribed = await run('preview', 'pn-1', '--start', '2027-02-01', '--days', '40', ...target);
    const bounced = await run('preview', 'pn-2', '--start', '2027-02-01', '--days', '40', ...target);

    // Assess: nothing is promised that the dispatcher would not send, and why is said
    expect(unsubscribed.stdout).toContain('preferences: receive nothing');
    expect(unsubscribed.stdout).not.toMatch(/sends /);
    expect(bounced.stdout).toContain('SUPPRESSED: hard bounce: 550 p***@example.com does not exist');
    expect(bounced.stdout).not.toMatch(/sends /);
    expect(bounced.stdout).toMatch(/will not 2027-03-04 09:00\s+birthday\s+suppressed: the address is suppressed: hard bounce: 550 p\*\*\*@example.com does not exist/);
    expect(bounced.stdout + bounced.stderr).not.toContain('pn-2@example.com');
    // Found unreachable once, the customer leaves the floor: no keep-in-touch planned and suppressed every few days.
    expect(bounced.stdout.match(/keepInTouch/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('suppression add and remove: what ops do by hand to an address, the address only ever shown masked', async () => {
    const { tables } = await deployedStack();
    const target = ['--dynamodb-endpoint', ep(), '--table-prefix', tables.Customers.slice(0, -'Customers'.length)];
    const address = 'Rosa.Campos@Example.com';
    const stored = async () => (await new DynamoSuppressionStore(db(), tables.Suppressions).suppressedAmong([addressKey('rosa.campos@example.com')])).get(addressKey(address));

    const added = await run('suppression', 'add', address, '--reason', 'complaint forwarded by the support desk', ...target);
    const again = await run('suppression', 'add', address, '--reason', 'twice', ...target);
    expect([added.code, added.stdout.trim()]).toEqual([0, 'Suppressed R***@Example.com: nothing more is sent to it.']);
    expect(again.stdout).toContain('was suppressed already (suppressed by hand: complaint forwarded by the support desk); left as it was.');
    expect(await stored()).toBe('suppressed by hand: complaint forwarded by the support desk');
    // Its customer, whom the dispatcher took off the contact floor when a message met the suppression
    await new DynamoCustomerStore(db(), tables.Customers).putRecords([{ ...customer('rosa.campos@example.com'), email: address }, { ...customer('rc-no-marketing'), email: address, marketingOptIn: false }] as never);
    const ledger = new DynamoLedgerStore(db(), tables.Ledger, 4, tables.Suppressions);
    await ledger.open('rosa.campos@example.com', '2027-01-10', '2027-02-02', { timeZone: 'Europe/Madrid', marketingOptIn: true });
    await ledger.markUnreachable('rosa.campos@example.com', addressKey(address));
    // a customer of the same address without marketing consent (a service message met the suppression), and a
    // ledger whose profile was deleted by hand since: neither has a floor to be put back on
    for (const id of ['rc-no-marketing', 'rc-gone']) {
      await ledger.open(id, '2027-01-10', '2027-02-02', { timeZone: 'Europe/Madrid', marketingOptIn: true });
      await ledger.markUnreachable(id, addressKey(address));
    }
    expect((await ledger.unreachableBecauseOf(addressKey(address))).sort()).toEqual(['rc-gone', 'rc-no-marketing', 'rosa.campos@example.com']);
    const offFloor = await run('explain', 'rosa.campos@example.com', ...target);
    expect(offFloor.stdout).toContain('next floor check    none: off the contact floor since a message met the suppression of their address (`suppression remove` puts them back)');

    const removed = await run('suppression', 'remove', address, ...target);
    const nothing = await run('suppression', 'remove', address, ...target);
    expect([removed.code, nothing.code]).toEqual([0, 1]);
    expect(removed.stdout).toContain('Lifted the suppression of R***@Example.com (suppressed by hand: complaint forwarded by the support desk, since ');
    expect(removed.stdout).toContain('Back on the contact floor, their plan made again: 1 customer it had taken off (r***@example.com).');
    expect(removed.stdout).toContain('Left as it was: rc-gone has a ledger but no profile on record.');
    expect(removed.stdout).toContain('Reachable again, with no floor to keep (no marketing consent, or they chose not to receive it): rc-no-marketing.');
    expect(await ledger.get('rc-no-marketing')).toMatchObject({ marketingOptIn: false });
    expect(nothing.stdout.trim()).toBe('R***@Example.com is not suppressed: nothing to lift.\nLeft as it was: rc-gone has a ledger but no profile on record.');
    expect(await stored()).toBeUndefined();
    // Back on the floor: marketing reaches them, a floor check is set (their last contact is long past: a keep-in-touch waits)
    const back = await ledger.get('rosa.campos@example.com');
    expect(back).toMatchObject({ marketingOptIn: true, lastContactDate: '2027-01-10' });
    expect(back!.floorCheckDate).toBeDefined();
    expect(back!.unreachableAddress).toBeUndefined();
    expect(await ledger.unreachableBecauseOf(addressKey(address))).toEqual(['rc-gone']);

    const refused = await Promise.all([run('suppression', 'add', 'rosa.campos', '--reason', 'x', ...target), run('suppression', 'add', address, '--reason', ' ', ...target), run('suppression', 'add', address, ...target)]);
    expect(refused.map((result) => result.code)).toEqual([2, 2, 2]);
    expect(refused[0]!.stderr).toContain('is not an e-mail address');
    expect(refused[1]!.stderr).toContain('--reason is empty');
    expect(refused[2]!.stderr).toContain("required option '--reason <text>' not specified");
    for (const result of [added, again, offFloor, removed, nothing, ...refused]) expect(result.stdout + result.stderr).not.toMatch(/rosa\.campos@/i);
  });

  it('explain on the local stack: every message of the customer, ended ones with state and reason', async () => {
    const { tables } = await deployedStack();
    const prefix = tables.Customers.slice(0, -'Customers'.length);
    await new DynamoCustomerStore(db(), tables.Customers).putRecords([customer('dl-1') as never]);
    await storeContactStory(tables, 'dl-1');
    const explain = await run('explain', 'dl-1', '--dynamodb-endpoint', ep(), '--table-prefix', prefix);
    expect(explain.code).toBe(0);
    expect(explain.stderr).toContain(`working on the local stack (no --stack or --outputs): DynamoDB at ${ep()}, tables ${prefix}*`);
    expect(explain.stdout).toContain('Messages:    3 (1 sent, 1 waiting, 1 ended without a send)');
    expect(explain.stdout).toMatch(/cancelled\s+2027-02-02 11:00\s+survey\s+was due 2027-02-03 09:00: a complaint was opened after the interaction \(dl-1#survey#o-1\)/);
    expect(explain.stdout).not.toContain('dl-1@example.com');
    for (const command of ['explain', 'preview']) {
      const unknown = await run(command, 'nobody', '--dynamodb-endpoint', ep(), '--table-prefix', prefix);
      expect([command, unknown.stdout.trim(), unknown.code]).toEqual([command, 'No customer nobody on record.', 1]);
    }
  });

  it('--stack <prefix> reads the outputs of <prefix>Data and <prefix>Compute with DescribeStacks (mocked CloudFormation)', async () => {
    // Prepare
    const { tables } = await deployedStack();
    await new DynamoConfigStore(db(), tables.Control).put({ ...defaults, cadence: { ...defaults.cadence, minDaysBetween: 9 } } as never, new Date());
    const asked: { stack: string; region?: string }[] = [];
    const cloudFormation = (options: { region?: string }): CloudFormationLike => ({
      send: (async (command: DescribeStacksCommand) => {
        const stack = command.input.StackName!;
        asked.push({ stack, region: options.region });
        if (stack !== 'ShopRetentionData') throw new Error(`Stack with id ${stack} does not exist`);
        return { Stacks: [{ StackName: stack, Outputs: Object.entries(tables).map(([logical, name]) => ({ OutputKey: `${logical}TableName`, OutputValue: name })) }] };
      }) as CloudFormationLike['send'],
    });
    const lines: string[] = [];
    // Act
    await buildProgram((line) => lines.push(line), { cloudFormation }).parseAsync(['config', 'get', '--stack', 'ShopRetention', '--region', 'eu-west-1', '--dynamodb-endpoint', ep()], { from: 'user' });
    // Assess
    expect(asked).toEqual([{ stack: 'ShopRetentionData', region: 'eu-west-1' }, { stack: 'ShopRetentionCompute', region: 'eu-west-1' }]);
    expect(JSON.parse(lines.join('\n')).cadence.minDaysBetween).toBe(9);
  });

  it('refuses --outputs that do not name the tables, saying which are missing', async () => {
    const file = await tempFile('outputs.json', JSON.stringify({ RetentionCompute: { LinksBaseUrl: 'https://x/' } }));
    const { code, stderr } = await run('config', 'get', '--outputs', file, '--dynamodb-endpoint', ep());
    expect(code).toBe(2);
    expect(stderr).toMatch(/no CustomersTableName, .*SuppressionsTableName among the outputs of RetentionCompute/);
  });
});
