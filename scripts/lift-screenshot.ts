/**
 * Screenshots of the HTML report's "Did it retain?" section (docs/measurement.md), as a person sees
 * it in Chromium: at a desktop width and at 375 px, and says whether anything in it is wider than the
 * page (scrolls sideways). `npx tsx scripts/lift-screenshot.ts <report.html> <out.png> [<out-375.png>]`
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.js';

const [html = 'reports/demo-report.html', out = 'docs/images/report-lift.png', narrow] = process.argv.slice(2);
const browser = await launchChromium();
try {
  for (const [width, path] of [[900, out], [375, narrow]] as const) {
    if (!path) continue;
    const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: width < 500 ? 2 : 1 });
    await page.goto(pathToFileURL(resolve(html)).href);
    const section = page.locator('section.lift');
    if ((await section.count()) === 0) throw new Error(`${html} has no lift section`);
    const sideways = (await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth')) as boolean;
    const box = await section.boundingBox();
    await section.screenshot({ path });
    console.log(`${path}: ${width} px wide page, section ${Math.round(box!.width)}×${Math.round(box!.height)} px${sideways ? '; THE PAGE SCROLLS SIDEWAYS' : ''}`);
    await page.close();
  }
} finally {
  await browser.close();
}
