import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The README read as a newcomer reads it: every link of README.md and docs/*.md leads to a file a
 * clone has (tracked by git), and to a heading that exists in it; nothing links outside the
 * repository; and the README links every page of docs/.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The files a fresh clone has: tracked by git (staged counts). */
const trackedFiles = (): Set<string> =>
  new Set(execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean));

const docsPages = (): string[] =>
  readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);

const pages = (): string[] => ['README.md', ...docsPages()];

/** The text outside fenced code blocks and inline code: what a reader sees as prose, links included. */
const proseOf = (markdown: string): string =>
  markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '');

/** Lines outside fenced code blocks. */
const linesOutsideFences = (markdown: string): string[] => {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^(```|~~~)/.exec(line)?.[1];
    if (marker && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
};

/** GitHub's anchor for a heading (as github-slugger makes it), numbered when a page repeats one. */
const slugsOf = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const line of linesOutsideFences(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link shows its text
      .replace(/`([^`]*)`/g, '$1') // inline code shows its content
      .replace(/\*/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
};

/** Every link and image target of a page's prose: `[text](target)`, `![alt](target)`, `[label]: target`, and HTML src/href. */
const linkTargetsOf = (markdown: string): string[] => {
  const prose = proseOf(markdown);
  const targets: string[] = [];
  for (const match of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+["'(][^)]*)?\)/g)) targets.push(match[1]!);
  for (const match of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$/gm)) targets.push(match[1]!);
  for (const match of prose.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/g)) targets.push(match[1]!);
  return targets;
};

/** Why a link of `page` (whose text is `markdown`) does not lead anywhere a clone has, or undefined when it does. */
const brokenLink = (page: string, markdown: string, target: string, tracked: Set<string>): string | undefined => {
  if (target === '') return 'an empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return 'links outside the repository';
  const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
  if (pathPart === '') return anchor && !slugsOf(markdown).has(anchor) ? `${page} has no heading #${anchor}` : undefined;
  const file = posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(pathPart.split('?')[0]!)));
  if (file.startsWith('..')) return 'leads out of the repository';
  const isFile = tracked.has(file);
  const isFolder = [...tracked].some((path) => path.startsWith(`${file.replace(/\/$/, '')}/`));
  if (!isFile && !isFolder) return existsSync(join(root, file)) ? `${file} is not tracked by git (git add it)` : `${file} does not exist`;
  if (anchor !== undefined && anchor !== '') {
    if (!file.endsWith('.md')) return `an anchor into ${file}, which is not a markdown page`;
    const slugs = slugsOf(readFileSync(join(root, file), 'utf8'));
    if (!slugs.has(anchor)) return `${file} has no heading #${anchor}`;
  }
  return undefined;
};

describe('the documentation a newcomer reads', () => {
  const tracked = trackedFiles();

  it.each(pages())('%s: every relative link and image leads to a tracked file and an existing heading', (page) => {
    const markdown = readFileSync(join(root, page), 'utf8');
    const broken = linkTargetsOf(markdown)
      .map((target) => ({ target, why: brokenLink(page, markdown, target, tracked) }))
      .filter((link) => link.why !== undefined)
      .map((link) => `${link.target}: ${link.why}`);
    expect(broken, `broken links in ${page}`).toEqual([]);
  });

  it.each(pages())('%s: links nothing outside the repository (no http or https address outside code)', (page) => {
    const prose = proseOf(readFileSync(join(root, page), 'utf8'));
    const absolute = [...prose.matchAll(/https?:\/\/[^\s)>\]"']*/gi)].map((match) => match[0]);
    expect(absolute, `addresses outside code in ${page}`).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const linked = new Set(
      linkTargetsOf(readFileSync(join(root, 'README.md'), 'utf8'))
        .map((target) => target.split('#')[0]!)
        .filter((path) => path !== '')
        .map((path) => posix.normalize(path)),
    );
    expect(docsPages().filter((page) => !linked.has(page))).toEqual([]);
  });

  it('is checked by a test that catches what it should', () => {
    const page = 'docs/example.md';
    const markdown = [
      '# A page',
      '## Its `second` heading: done',
      'See [the README](../README.md), [a heading](#its-second-heading-done), [the README\'s](../README.md#no-such-heading),',
      '[nothing](missing.md), ![an image](images/none.png), [outside](https://example.com/) and `[code](ignored.md)`.',
      '```sh',
      'curl https://example.com/  # code: not a link',
      '```',
    ].join('\n');
    const broken = linkTargetsOf(markdown).filter((target) => brokenLink(page, markdown, target, tracked) !== undefined);
    expect(broken).toEqual(['../README.md#no-such-heading', 'missing.md', 'images/none.png', 'https://example.com/']);
    expect([...proseOf(markdown).matchAll(/https?:\/\/\S*/g)].length).toBe(1);
  });
});
