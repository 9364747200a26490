import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localLinkSecret } from '../../functions/adapters/link-secret.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'link-secret-'));

describe('the local link secret file', () => {
  it('is made on first use, private, and read as it is afterwards', () => {
    // Prepare
    const path = join(scratch(), '.retention', 'link-secret');

    // Act
    const made = localLinkSecret(path);

    // Assess
    expect(made).toMatch(/^[\w-]{43}$/);
    expect(readFileSync(path, 'utf8')).toBe(made);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(localLinkSecret(path)).toBe(made);
  });

  it('keeps a secret someone put there', () => {
    const path = join(scratch(), 'link-secret');
    writeFileSync(path, 'a-secret-of-our-own\n');
    expect(localLinkSecret(path)).toBe('a-secret-of-our-own');
  });

  it.each(['', '\n', '   \n\t'])('refuses an empty file (%j), naming it, rather than sign links with no secret', (content) => {
    // Prepare
    const path = join(scratch(), 'link-secret');
    writeFileSync(path, content);

    // Act, Assess
    expect(() => localLinkSecret(path)).toThrow(`the link secret file ${path} is empty`);
    expect(readFileSync(path, 'utf8')).toBe(content); // left for its owner to fix, not replaced
  });
});

describe('processes starting together', () => {
  it('all end up with the one secret that was made, never a half-written (empty) file', async () => {
    // Prepare: the CLI, the local runner and a test may all start at once on a fresh checkout
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { pathToFileURL } = await import('node:url');
    const path = join(scratch(), '.retention', 'link-secret');
    const module = pathToFileURL(join(import.meta.dirname, '../../functions/adapters/link-secret.ts')).href;
    // Each loads the module, then waits for the same instant, so that their first reads meet.
    const startAt = Date.now() + 4_000;
    const script = `const { localLinkSecret } = await import(${JSON.stringify(module)}); while (Date.now() < ${startAt}); process.stdout.write(localLinkSecret(${JSON.stringify(path)}));`;

    // Act
    const secrets = await Promise.all(
      Array.from({ length: 4 }, () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]).then(({ stdout }) => stdout)),
    );

    // Assess
    expect(new Set(secrets)).toEqual(new Set([readFileSync(path, 'utf8')]));
    expect(secrets[0]).toMatch(/^[\w-]{43}$/);
    expect(readdirSync(dirname(path))).toEqual(['link-secret']); // no draft left behind
  }, 60_000);
});
