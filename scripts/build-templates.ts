import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { shippedTemplatesModule, SHIPPED_TEMPLATES_MODULE, SHIPPED_TEMPLATES_DIR } from './shipped-templates.js';

/**
 * `npm run build:templates`: the shipped templates (templates/ in the repository, files a person
 * edits) into the module the functions are bundled with. A test fails while the two differ.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
await writeFile(`${root}/${SHIPPED_TEMPLATES_MODULE}`, await shippedTemplatesModule(`${root}/${SHIPPED_TEMPLATES_DIR}`));
console.log(`${SHIPPED_TEMPLATES_DIR} → ${SHIPPED_TEMPLATES_MODULE}`);
