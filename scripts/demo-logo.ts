import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.js';

/**
 * `npx tsx scripts/demo-logo.ts`: the demo business's logo, data/demo-logo.png: a coffee cup with a
 * larkspur sprig rising from it like steam, and "Larkspur / COFFEE", white on transparent (it sits on
 * the accent-coloured header). Drawn in units of the 40 px height the e-mail shows it at, rendered
 * at twice that (80 px high) for sharp phones; as wide as the drawing.
 */

const HEIGHT = 40;
const SCALE = 2;

type Blossom = readonly [x: number, y: number, radius: number];
/** Up the sprig, each flower smaller: a larkspur's spike. */
const blossoms: readonly Blossom[] = [
  [12.2, 19.8, 4.4],
  [17.4, 14, 3.8],
  [10.2, 9.6, 3.3],
  [15, 4.2, 2.6],
];

/** Five round petals about the centre. */
const petalsOf = ([x, y, radius]: Blossom): string =>
  Array.from({ length: 5 }, (_, petal) => {
    const angle = ((petal * 72 - 90) * Math.PI) / 180;
    return `<circle cx="${(x + Math.cos(angle) * radius * 0.55).toFixed(2)}" cy="${(y + Math.sin(angle) * radius * 0.55).toFixed(2)}" r="${(radius * 0.48).toFixed(2)}"/>`;
  }).join('');

// The flowers' centres are cut out (a mask), so at 40 px they still read as flowers, not blobs.
const drawing = `
  <mask id="centres"><rect width="60" height="${HEIGHT}" fill="#fff"/>${blossoms.map(([x, y, radius]) => `<circle cx="${x}" cy="${y}" r="${(radius * 0.2).toFixed(2)}" fill="#000"/>`).join('')}</mask>
  <g fill="#fff" mask="url(#centres)">
    <path d="M13 25 C 13.5 17, 15.5 11, 15 4" fill="none" stroke="#fff" stroke-width="1.1" stroke-linecap="round"/>
    ${blossoms.map(petalsOf).join('')}
    <path d="M3 25 h20 v4.5 a8 8 0 0 1 -8 8 h-4 a8 8 0 0 1 -8 -8 z"/>
    <path d="M23 27 h1.6 a3.6 3.6 0 0 1 0 7.2 h-2.8" fill="none" stroke="#fff" stroke-width="2"/>
  </g>
  <text x="37" y="22" fill="#fff" font-family="'DejaVu Serif', Georgia, serif" font-size="19" font-weight="bold" letter-spacing="0.2">Larkspur</text>
  <text x="38" y="35" fill="#fff" font-family="'DejaVu Sans', Arial, sans-serif" font-size="8.6" letter-spacing="4.1">COFFEE</text>`;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 800, height: HEIGHT * SCALE }, deviceScaleFactor: SCALE });
  await page.setContent(`<html><body style="margin:0;background:transparent"><svg xmlns="http://www.w3.org/2000/svg" height="${HEIGHT}" width="400">${drawing}</svg></body></html>`);
  // As wide as what was drawn (the text's width depends on the font), plus a pixel of air.
  // (Strings: the scripts compile without the DOM's types.)
  const width = Math.ceil(await page.evaluate<number>(`(() => { const box = document.querySelector('svg').getBBox(); return box.x + box.width; })()`)) + 1;
  await page.evaluate(`document.querySelector('svg').setAttribute('width', '${width}')`);
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  await writeFile(fileURLToPath(new URL('../data/demo-logo.png', import.meta.url)), png);
  console.log(`data/demo-logo.png: ${width * SCALE} × ${HEIGHT * SCALE} px, ${png.length} bytes`);
} finally {
  await browser.close();
}
