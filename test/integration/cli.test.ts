import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { endpoints, uniquePrefix } from './helpers.js';
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
    expect(stdout).toContain("line 2: customer.timeZone: unknown time zone 'Mars/Olympus'");
    expect(stdout).toMatch(/line 4: line is not JSON/);
  });

  it('exits 0 when every line is imported', async () => {
    const file = await tempFile('ok.ndjson', JSON.stringify({ type: 'interaction', interactionId: 'o-1', customerId: 'c-1', completedAt: '2027-01-02T10:00:00Z' }));
    const { code, stdout } = await run('import', file, '--dynamodb-endpoint', endpoints().dynamodbEndpoint, '--table-prefix', uniquePrefix('cli'));
    expect(stdout).toContain('Imported 1 records (1 interaction); rejected 0');
    expect(code).toBe(0);
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
    expect(report.rejected).toEqual([{ line: 2, reason: 'customer.customerId: required field is missing' }]);
    expect(report.summary).toEqual({ sent: 1, deferred: 0, expired: 0, suppressed: 0, cancelled: 0, byCampaign: { birthday: { sent: 1, deferred: 0, expired: 0, suppressed: 0, cancelled: 0 } } });
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
    const file = await tempFile('cohort.ndjson', cohort);
    const { code, stdout } = await run('preview', 'pv-1', '--data', file, '--start', '2027-02-01', '--days', '40', ...db(), '--table-prefix', uniquePrefix('pv'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/pv-1: es, Europe\/Madrid, standard; marketing consent yes; birthday 1990-03-04/);
    expect(stdout).toMatch(/sends\s+2027-03-04 09:00\s+birthday\s+"¡Feliz cumpleaños, Lola!"/);
    // Her first floor's keep-in-touch goes on the day her id spreads it to (6 days after she was first seen).
    expect(stdout).toMatch(/sends\s+2027-02-07 09:00\s+keepInTouch/);
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
    for (const { line, reason } of lineOf('rejected')) expect(stdout).toContain(`  line ${line}: ${reason}`);
    expect(stdout).toContain('Imported, with a warning:');
    for (const { line, reason } of lineOf('warning')) expect(stdout).toContain(`  line ${line}: ${reason}`);
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
    expect(report.rejected).toEqual(lineOf('rejected').map(({ line, reason }) => ({ line, reason: expect.stringContaining(reason) })));
    expect(report.warnings).toEqual(lineOf('warning').map(({ line, reason }) => ({ line, reason: expect.stringContaining(reason) })));
    const birthdays = report.messages.filter((m: { campaign: string; state: string }) => m.campaign === 'birthday' && m.state === 'sent');
    expect(birthdays.map((m: { customerId: string; subject: string }) => [m.customerId, m.subject]).sort()).toEqual([[id('ana'), 'Happy birthday, ana!'], [id('gil'), 'Happy birthday, gil!']]);
    expect(report.messages.filter((m: { customerId: string }) => m.customerId === id('fay'))).toEqual([]);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<h2>Imported with a warning</h2>');
    expect(page).toContain('no templates in &#39;fr&#39;');
  });
});
