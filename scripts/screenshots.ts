import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { defaultConfig, parseConfig, type Brand } from '../functions/core/config.js';
import type { LinkOutcome } from '../functions/core/jobs/follow-link.js';
import { linkPage } from '../functions/core/pages.js';
import { locales } from '../functions/core/records.js';
import { renderTemplate } from '../functions/core/templates/index.js';
import { sampleCases } from '../functions/core/templates/samples.js';
import { launchChromium } from './chromium.js';
import { overflowing, SCROLL_WIDTHS, scrollsSideways, shotsOf, type ScrollMeasure } from './screenshot-plan.js';

/**
 * `npm run screenshots`: every e-mail (each template in each language, for a named gold customer, or
 * the tier a template is for) and every link page in each language, as the demo business
 * (data/demo-brand.json), screenshotted in the machine's Chromium at 375 and 600 px, light and dark,
 * and each e-mail at 375 px with images off; and whether each scrolls sideways at 320 and 375 px,
 * measured in the browser. Writes reports/screenshots/*.png and index.html; exits 1 if anything
 * scrolls sideways at 375 px. `--only <text>` takes the documents whose name has it; `--docs` also
 * writes the README's picture.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: options } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' }, docs: { type: 'boolean' } } });
const out = resolve(options.out ?? join(root, 'reports/screenshots'));
const README_PICTURE = { document: 'survey-es', file: 'docs/images/email-survey-es-375.png' };

const brand: Brand = parseConfig({ ...defaultConfig, brand: JSON.parse(await readFile(join(root, 'data/demo-brand.json'), 'utf8')) }).brand;
const logo = await readFile(join(root, 'data/demo-logo.png'));

// One document per template and language: a named gold customer, or the tier the template is for.
const emails = sampleCases(brand)
  .filter((sample) => sample.customer.name && (sample.customer.tier === 'gold' || sample.key === 'keepInTouchTierStanding'))
  .map((sample) => ({ name: `${sample.key}-${sample.locale}`, kind: 'email' as const, html: renderTemplate(sample.key, sample.customer, sample.context).html }));
const outcomesIn = (locale: string): LinkOutcome[] => [
  { kind: 'confirmSurveyAnswer', score: 7, token: 'sample', locale },
  { kind: 'surveyAnswer', result: 'recorded', score: 7, locale },
  { kind: 'confirmUnsubscribe', locale },
  { kind: 'unsubscribed', locale },
  { kind: 'preferences', receive: 'marketing', locale, saved: true },
  { kind: 'expired', locale },
  { kind: 'invalid', locale },
];
const pages = locales.flatMap((locale) => outcomesIn(locale).map((outcome) => ({ name: `page-${outcome.kind}-${locale}`, kind: 'page' as const, html: linkPage(outcome, brand).html })));
const documents = [...emails, ...pages].filter((document) => !options.only || document.name.includes(options.only));

await mkdir(out, { recursive: true });
const started = Date.now();
const browser = await launchChromium();
let blocked = 0;
const blockedUrls = new Set<string>();
/** A page that loads the logo as a mail client would (from data/demo-logo.png), and nothing else. */
const pageFor = async (width: number, scheme: 'light' | 'dark', imagesOff: boolean): Promise<Page> => {
  const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme: scheme, deviceScaleFactor: 1 });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (!imagesOff && url === brand.logoUrl) return route.fulfill({ status: 200, contentType: 'image/png', body: logo });
    if (!(imagesOff && url === brand.logoUrl)) (blocked++, blockedUrls.add(url));
    return route.abort();
  });
  return page;
};

const measures = new Map<string, ScrollMeasure[]>();
let taken = 0;
try {
  for (const document of documents) {
    for (const shot of shotsOf(document.name, document.kind)) {
      const page = await pageFor(shot.width, shot.scheme, shot.imagesOff);
      await page.setContent(document.html, { waitUntil: 'load' });
      await page.screenshot({ path: join(out, `${shot.name}.png`), fullPage: true });
      if (options.docs && `${document.name}-375-light` === shot.name && document.name === README_PICTURE.document) {
        await page.screenshot({ path: join(root, README_PICTURE.file), fullPage: true });
      }
      taken++;
      await page.close();
    }
    const list: ScrollMeasure[] = [];
    for (const width of SCROLL_WIDTHS) {
      const page = await pageFor(width, 'light', false);
      await page.setContent(document.html, { waitUntil: 'load' });
      list.push({ width, ...(await page.evaluate<{ scrollWidth: number; clientWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })')) });
      await page.close();
    }
    measures.set(document.name, list);
  }
} finally {
  await browser.close();
}

const sheet = `<!doctype html><meta charset="utf-8"><title>Screenshots</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem}section{margin-bottom:2rem}div{display:flex;gap:1rem;align-items:flex-start;overflow-x:auto}figure{margin:0}figcaption{font-size:.8rem;color:#555}img{border:1px solid #ccc}</style>
${documents
  .map((document) => `<section><h2>${document.name}</h2><div>${shotsOf(document.name, document.kind).map((shot) => `<figure><img src="${shot.name}.png" width="${Math.round(shot.width / 2)}" alt="${shot.name}"><figcaption>${shot.width} px ${shot.imagesOff ? 'images off' : shot.scheme}</figcaption></figure>`).join('')}</div></section>`)
  .join('\n')}`;
await writeFile(join(out, 'index.html'), sheet);

console.log(`${'document'.padEnd(36)} ${SCROLL_WIDTHS.map((width) => `${width} px`.padStart(12)).join(' ')}`);
for (const [document, list] of measures) {
  console.log(`${document.padEnd(36)} ${list.map((measure) => `${measure.scrollWidth}/${measure.clientWidth}${scrollsSideways(measure) ? ' SCROLLS' : ''}`.padStart(12)).join(' ')}`);
}
const over = overflowing(measures);
console.log(
  `${emails.filter((e) => documents.includes(e)).length} e-mails, ${pages.filter((p) => documents.includes(p)).length} pages, ${taken} screenshots in ${relative(process.cwd(), out) || '.'} ` +
    `(${((Date.now() - started) / 1000).toFixed(1)} s); scrolling sideways at 375 px: ${over.length ? over.join(', ') : 'none'}; requests blocked: ${blocked}${blocked ? ` (${[...blockedUrls].join(', ')})` : ''}`,
);
if (options.docs) console.log(`README picture: ${README_PICTURE.file}`);
process.exitCode = over.length ? 1 : 0;
