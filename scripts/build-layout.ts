import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LAYOUT_DIR, LAYOUT_MODULE, layoutModule } from './email-layout.js';

/**
 * `npm run build:layout`: the layout (layout/*.mjml) compiled by MJML into the Handlebars source the
 * functions are bundled with. MJML runs here, at build time, never in a function. A test fails while
 * the committed module and the MJML differ.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
await writeFile(`${root}/${LAYOUT_MODULE}`, await layoutModule(root));
console.log(`${LAYOUT_DIR}/*.mjml → ${LAYOUT_MODULE}`);
