import { locales, type Locale } from '../records.js';
import { templateKeys, type LocalizedTemplate, type TemplateKey, type TemplateSet, type TemplateSource } from './types.js';

/**
 * Templates as files: `<key>/<locale>/subject.txt`, `body.html` and `body.txt`, one directory per
 * e-mail and language. The shipped ones are templates/ in the repository; `retention templates pull`
 * writes the active ones the same way, and `push` reads them back.
 */

export const partFiles = { subject: 'subject.txt', html: 'body.html', text: 'body.txt' } as const satisfies Record<keyof TemplateSource, string>;
type Part = keyof typeof partFiles;
const parts = Object.keys(partFiles) as Part[];

/** Files by path relative to the templates directory, `/`-separated. */
export type TemplateFiles = Readonly<Record<string, string>>;

export interface ReadTemplates {
  /** The templates the files hold; absent when a problem leaves one without English or a part. */
  readonly set?: TemplateSet;
  /** What stops the files from being a template set, each naming the file or directory. */
  readonly problems: readonly string[];
}

// An editor's last newline is not part of the e-mail; a Windows editor's line ends are not either.
const normalized = (content: string): string => content.replace(/\r\n?/g, '\n').replace(/\n$/, '');

/** The template set in `files`, or what is wrong with them (an unknown directory, a missing part, no English). */
export const templateSetFromFiles = (files: TemplateFiles): ReadTemplates => {
  const problems: string[] = [];
  const found = new Map<TemplateKey, Map<Locale, Partial<Record<Part, string>>>>();
  for (const [path, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const [key, locale, file, ...rest] = path.split('/');
    if (!(templateKeys as readonly string[]).includes(key!)) {
      problems.push(`${key}/: not a template (the templates are ${templateKeys.join(', ')})`);
      continue;
    }
    if (!locale || !file || rest.length > 0 || !(locales as readonly string[]).includes(locale)) {
      problems.push(`${path}: not a template file (expected ${key}/<language>/${Object.values(partFiles).join('|')}, language one of ${locales.join(', ')})`);
      continue;
    }
    const part = parts.find((name) => partFiles[name] === file);
    if (!part) {
      problems.push(`${path}: not a template file (a language's files are ${Object.values(partFiles).join(', ')})`);
      continue;
    }
    const byLocale = found.get(key as TemplateKey) ?? new Map();
    found.set(key as TemplateKey, byLocale);
    byLocale.set(locale as Locale, { ...byLocale.get(locale as Locale), [part]: normalized(content) });
  }
  const set: Partial<Record<TemplateKey, Partial<Record<Locale, TemplateSource>>>> = {};
  for (const key of templateKeys) {
    const byLocale = found.get(key);
    if (!byLocale) {
      problems.push(`${key}/: missing (every e-mail needs its template; \`retention templates pull\` writes them all)`);
      continue;
    }
    if (!byLocale.has('en')) problems.push(`${key}/en/: missing (English is required: a customer whose language has no template gets it)`);
    const localized: Partial<Record<Locale, TemplateSource>> = {};
    for (const [locale, files] of byLocale) {
      const missing = parts.filter((part) => files[part] === undefined);
      if (missing.length) problems.push(`${key}/${locale}/: missing ${missing.map((part) => partFiles[part]).join(', ')}`);
      else localized[locale] = files as TemplateSource;
    }
    set[key] = localized;
  }
  return problems.length ? { problems } : { set: set as TemplateSet, problems };
};

/** The files of a template set, as `templateSetFromFiles` reads them back. */
export const filesOfTemplateSet = (set: TemplateSet): Record<string, string> => {
  const files: Record<string, string> = {};
  for (const key of templateKeys) {
    for (const [locale, source] of Object.entries(set[key] as LocalizedTemplate) as [Locale, TemplateSource][]) {
      for (const part of parts) files[`${key}/${locale}/${partFiles[part]}`] = `${source[part]}\n`;
    }
  }
  return files;
};
