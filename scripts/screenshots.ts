import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { defaultConfig, parseConfig, type Brand } from '../functions/core/config.js';
import type { LinkOutcome } from '../functions/core/jobs/follow-link.js';
import { linkPage } from '../functions/core/pages.js';
import { locales, tiers, type Locale } from '../functions/core/records.js';
import { renderTemplate } from '../functions/core/templates/index.js';
import { sampleCases, type SampleCase } from '../functions/core/templates/samples.js';
import { launchChromium } from './chromium.js';
import { REQUIRED_NO_SCROLL_WIDTH, SCROLL_WIDTHS, overflowing, scrollsSideways, shotsOf, type ScrollMeasure, type Shot } from './screenshot-plan.js';

/**
 * `npm run screenshots`: every e-mail (each template in each language, for a named gold customer, or
 * the tier a template is for) and every link page in each language, as the demo business
 * (data/demo-brand.json), in the machine's Chromium at 375 and 600 px, light and dark, and each
 * e-mail at 375 px with images off; and whether each scrolls sideways at 320 and 375 px, measured in
 * the browser. Writes `<out>/*.png` and a contact sheet `<out>/index.html`; exits 1 if anything
 * scrolls sideways at 375 px.
 *
 *   --only <text>  only the documents whose name has it (`survey`, `-es`, `page-`)
 *   --out <dir>    where to write (default reports/screenshots)
 *   --docs         also write the README's picture, docs/images/email-survey-es-375.png
 *
 * The pure parts (what is shot, the verdict, the table, the contact sheet) are exported for
 * test/unit/screenshots.test.ts; the browser runs only when this file is the script run.
 */

/** One e-mail or link page to look at: `group` is the template (or page) it shows, `name` its files' prefix. */
export interface ScreenshotDocument {
  readonly kind: 'email' | 'page';
  readonly name: string;
  readonly group: string;
  readonly language: Locale;
  /** The e-mail's subject or the page's title, for the contact sheet. */
  readonly title: string;
  readonly html: string;
}

/**
 * The one sample of each template and language worth looking at: a named customer (the greeting
 * with a name is the longer line) at gold, or, for a template gold never gets, the highest tier it has.
 */
export const representativeSamples = (cases: readonly SampleCase[]): SampleCase[] => {
  const tierRank = (sample: SampleCase): number => (sample.customer.tier === 'gold' ? tiers.length : tiers.indexOf(sample.customer.tier));
  const chosen = new Map<string, SampleCase>();
  for (const sample of cases.filter((candidate) => candidate.customer.name)) {
    const id = `${sample.key}-${sample.locale}`;
    const current = chosen.get(id);
    if (!current || tierRank(sample) > tierRank(current)) chosen.set(id, sample);
  }
  return [...chosen.values()];
};

/** A link page to shoot: `acceptLanguage` for the outcomes whose link cannot say its language. */
export interface PageCase {
  readonly variant: string;
  readonly outcome: LinkOutcome;
  readonly acceptLanguage?: string;
}

type OutcomesByKind = { readonly [Kind in LinkOutcome['kind']]: readonly Extract<LinkOutcome, { kind: Kind }>[] };

/**
 * Every link page in `locale`. Keyed by outcome kind, so a new kind of outcome fails to compile
 * until it is shot too.
 */
export const pageCases = (locale: Locale): PageCase[] => {
  const outcomes: OutcomesByKind = {
    confirmSurveyAnswer: [{ kind: 'confirmSurveyAnswer', score: 7, token: 'sample', locale }],
    surveyAnswer: [{ kind: 'surveyAnswer', result: 'recorded', score: 7, locale }],
    confirmUnsubscribe: [{ kind: 'confirmUnsubscribe', locale }],
    unsubscribed: [{ kind: 'unsubscribed', receive: 'service', locale }],
    preferences: [
      // Without consent, as a customer imported with the shipped consent.defaultMarketingOptIn: the page says what "everything" means for them.
      { kind: 'preferences', receive: 'marketing', marketingConsent: false, locale, saved: false },
      { kind: 'preferences', receive: 'service', marketingConsent: true, locale, saved: true },
    ],
    expired: [{ kind: 'expired', locale }],
    gone: [{ kind: 'gone', locale }],
    badRequest: [{ kind: 'badRequest', locale }],
    // A tampered token claims no language, and a wrong path has none: the browser's Accept-Language decides.
    invalid: [{ kind: 'invalid' }],
    notFound: [{ kind: 'notFound' }],
  };
  return Object.values(outcomes)
    .flat()
    .map((outcome: LinkOutcome) => ({
      variant: outcome.kind === 'preferences' && outcome.saved ? 'preferencesSaved' : outcome.kind,
      outcome,
      ...('locale' in outcome && outcome.locale !== undefined ? {} : { acceptLanguage: locale }),
    }));
};

/** Every document, rendered for `brand`, in template order then language. */
export const documentsFor = (brand: Brand): ScreenshotDocument[] => {
  const emails = representativeSamples(sampleCases(brand)).map((sample): ScreenshotDocument => {
    const rendered = renderTemplate(sample.key, sample.customer, sample.context);
    return { kind: 'email', name: `${sample.key}-${sample.locale}`, group: sample.key, language: sample.locale, title: rendered.subject, html: rendered.html };
  });
  const pages = locales.flatMap((language) =>
    pageCases(language).map((page): ScreenshotDocument => {
      const html = linkPage(page.outcome, brand, page.acceptLanguage).html;
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? page.variant;
      return { kind: 'page', name: `page-${page.variant}-${language}`, group: `page-${page.variant}`, language, title, html };
    }),
  );
  const order = [...new Set([...emails, ...pages].map((document) => document.group))];
  return [...emails, ...pages].sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group) || locales.indexOf(a.language) - locales.indexOf(b.language));
};

/** `--only`: the documents whose name has the text. */
export const selectDocuments = <T extends { readonly name: string }>(documents: readonly T[], only: string | undefined): T[] =>
  documents.filter((document) => only === undefined || document.name.includes(only));

/** The printed table: each document's scroll width against the window's at each width, and the verdict at 375 px. */
export const scrollTable = (documents: readonly Pick<ScreenshotDocument, 'name' | 'group' | 'language'>[], measures: ReadonlyMap<string, readonly ScrollMeasure[]>): string[] => {
  const cell = (measure: ScrollMeasure | undefined): string => (measure ? `${measure.scrollWidth}/${measure.clientWidth}` : '-');
  const header = ['template', 'lang', ...SCROLL_WIDTHS.map((width) => `${width} px`), 'overflow'];
  const rows = documents.map((document) => {
    const list = measures.get(document.name) ?? [];
    const at = (width: number) => list.find((measure) => measure.width === width);
    const required = at(REQUIRED_NO_SCROLL_WIDTH);
    const narrowest = list.filter((measure) => measure.width < REQUIRED_NO_SCROLL_WIDTH && scrollsSideways(measure));
    const verdict = required && scrollsSideways(required) ? 'YES' : narrowest.length ? `at ${narrowest.map((measure) => measure.width).join(', ')} px` : 'no';
    return [document.group, document.language, ...SCROLL_WIDTHS.map((width) => cell(at(width))), verdict];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((text, column) => (column < 2 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!))).join('  '));
};

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (character) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[character]};`);

const shotLabel = (shot: Shot): string => `${shot.width} px, ${shot.imagesOff ? 'images off' : shot.scheme}`;

/** index.html: a section per template, a row per language, each shot at half size with its label, linked to the full picture. */
export const contactSheet = (documents: readonly ScreenshotDocument[], measures: ReadonlyMap<string, readonly ScrollMeasure[]>): string => {
  const groups = [...new Set(documents.map((document) => document.group))];
  const rowOf = (document: ScreenshotDocument): string => {
    const scroll = (measures.get(document.name) ?? []).map((measure) => `${measure.width} px: ${measure.scrollWidth}/${measure.clientWidth}${scrollsSideways(measure) ? ' <b>scrolls sideways</b>' : ''}`).join(' · ');
    const figures = shotsOf(document.name, document.kind)
      .map((shot) => `<figure><a href="${shot.name}.png"><img src="${shot.name}.png" width="${Math.round(shot.width / 2)}" alt="${shot.name}" loading="lazy"></a><figcaption>${shotLabel(shot)}</figcaption></figure>`)
      .join('');
    return `<h3>${document.language} · ${escapeHtml(document.title)} <small>${scroll}</small></h3><div class="row">${figures}</div>`;
  };
  return `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>E-mails and link pages</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem;background:#fafafa}section{margin-bottom:2.5rem}h3{font-size:.95rem;font-weight:normal}small{color:#666}
.row{display:flex;gap:1rem;align-items:flex-start;overflow-x:auto}figure{margin:0}figcaption{font-size:.75rem;color:#555}img{border:1px solid #ccc;display:block}</style>
<h1>E-mails and link pages (${documents.length})</h1>
${groups
  .map((group) => `<section id="${group}"><h2>${group}</h2>${documents.filter((document) => document.group === group).map(rowOf).join('\n')}</section>`)
  .join('\n')}
</html>
`;
};

/** What a page in the browser measures: the document's width against the window's. */
const measureScroll = async (page: Page, width: number): Promise<ScrollMeasure> => ({
  width,
  // A string: the scripts compile without the DOM's types.
  ...(await page.evaluate<{ scrollWidth: number; clientWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })')),
});

const USAGE = 'usage: npm run screenshots -- [--only <text>] [--out <dir>] [--docs]';

/** A mistake in how the script was called, or a machine without Chromium: a sentence, not a stack. */
class ScriptError extends Error {}

const main = async (): Promise<void> => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let options: { only?: string; out?: string; docs?: boolean };
  try {
    options = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' }, docs: { type: 'boolean' } } }).values;
  } catch (error) {
    throw new ScriptError(`${(error as Error).message}\n${USAGE}`);
  }
  const out = resolve(options.out ?? join(root, 'reports/screenshots'));
  const readmePicture = { document: 'survey-es', file: join(root, 'docs/images/email-survey-es-375.png') };

  // Validated as the business's configuration would be: an https logo, #RRGGBB colours.
  const brand: Brand = parseConfig({ ...defaultConfig, brand: JSON.parse(await readFile(join(root, 'data/demo-brand.json'), 'utf8')) }).brand;
  const logo = await readFile(join(root, 'data/demo-logo.png'));
  const everything = documentsFor(brand);
  const documents = selectDocuments(everything, options.only);
  if (!documents.length) throw new ScriptError(`--only ${options.only}: no document's name has it (names look like survey-es, page-expired-ro)`);

  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]!;
    throw new ScriptError(`cannot start Chromium: ${reason}${reason.includes('apt-get') ? '' : '\n(on Debian or Ubuntu: apt-get install -y chromium)'}`);
  }
  const started = Date.now();
  await mkdir(out, { recursive: true });

  const blocked: string[] = [];
  // One page per way of looking (width, scheme, images), reused for every document: new pages cost more than the shots.
  const openPages = new Map<string, Page>();
  const pageFor = async (look: { width: number; scheme: 'light' | 'dark'; imagesOff: boolean; scale?: number }): Promise<Page> => {
    const id = JSON.stringify(look);
    const open = openPages.get(id);
    if (open) return open;
    // A short window: a full-page shot is then as tall as the document, not the window.
    const page = await browser.newPage({ viewport: { width: look.width, height: 100 }, colorScheme: look.scheme, deviceScaleFactor: look.scale ?? 1 });
    // The logo comes from data/demo-logo.png, as a mail client would fetch it from the business; nothing else may load.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === brand.logoUrl) return look.imagesOff ? route.abort('blockedbyclient') : route.fulfill({ status: 200, contentType: 'image/png', body: logo });
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    openPages.set(id, page);
    return page;
  };
  const show = async (page: Page, html: string): Promise<void> => {
    await page.setContent(html, { waitUntil: 'load' });
  };

  const measures = new Map<string, ScrollMeasure[]>();
  let taken = 0;
  try {
    for (const document of documents) {
      for (const shot of shotsOf(document.name, document.kind)) {
        const page = await pageFor({ width: shot.width, scheme: shot.scheme, imagesOff: shot.imagesOff });
        await show(page, document.html);
        await page.screenshot({ path: join(out, `${shot.name}.png`), fullPage: true });
        taken++;
      }
      const list: ScrollMeasure[] = [];
      for (const width of SCROLL_WIDTHS) {
        const page = await pageFor({ width, scheme: 'light', imagesOff: false });
        await show(page, document.html);
        list.push(await measureScroll(page, width));
      }
      measures.set(document.name, list);
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    if (options.docs) {
      const survey = everything.find((document) => document.name === readmePicture.document)!;
      // Twice the pixels: the README shows it on high-density screens too.
      const page = await pageFor({ width: 375, scheme: 'light', imagesOff: false, scale: 2 });
      await show(page, survey.html);
      await page.screenshot({ path: readmePicture.file, fullPage: true });
    }
  } finally {
    await browser.close();
  }
  await writeFile(join(out, 'index.html'), contactSheet(documents, measures));

  for (const line of scrollTable(documents, measures)) console.log(line);
  const over = overflowing(measures);
  const overAt = (width: number) => [...measures.values()].filter((list) => list.some((measure) => measure.width === width && scrollsSideways(measure))).length;
  const count = (kind: ScreenshotDocument['kind']) => documents.filter((document) => document.kind === kind).length;
  console.log(
    `${count('email')} e-mails, ${count('page')} pages, ${taken} screenshots in ${relative(process.cwd(), out) || '.'}/ (index.html) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `overflowing at ${REQUIRED_NO_SCROLL_WIDTH} px: ${over.length}${over.length ? ` (${over.join(', ')})` : ''}, at ${SCROLL_WIDTHS[0]} px: ${overAt(SCROLL_WIDTHS[0])}; ` +
      `blocked requests: ${blocked.length}${blocked.length ? ` (${[...new Set(blocked)].join(', ')})` : ''}`,
  );
  if (options.docs) console.log(`README picture: ${relative(process.cwd(), readmePicture.file)}`);
  process.exitCode = over.length ? 1 : 0;
};

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main().catch((error: unknown) => {
    if (!(error instanceof ScriptError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
  });
}
