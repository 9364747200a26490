import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.js';

/**
 * `npx tsx scripts/demo-logo.ts`: the demo business's logo, data/demo-logo.png: a larkspur flower and
 * the name, white on transparent, drawn at twice the 40 px the e-mail shows it at.
 */
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="440" height="80" viewBox="0 0 220 40">
  <g fill="#ffffff">
    <ellipse cx="16" cy="7" rx="4" ry="5"/><ellipse cx="10" cy="14" rx="4" ry="5"/><ellipse cx="22" cy="14" rx="4" ry="5"/>
    <ellipse cx="13" cy="22" rx="3.5" ry="4.5"/><ellipse cx="19" cy="22" rx="3.5" ry="4.5"/><ellipse cx="16" cy="29" rx="3" ry="4"/>
    <rect x="15.2" y="30" width="1.6" height="9" rx="0.8"/>
  </g>
  <text x="34" y="27" fill="#ffffff" font-family="Georgia, 'DejaVu Serif', serif" font-size="20" font-weight="bold">Larkspur Coffee</text>
</svg>`;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 440, height: 80 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  const target = fileURLToPath(new URL('../data/demo-logo.png', import.meta.url));
  await writeFile(target, png);
  console.log(`data/demo-logo.png: ${png.length} bytes`);
} finally {
  await browser.close();
}
