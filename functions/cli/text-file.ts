import { readFile } from 'node:fs/promises';

/**
 * A text file the user gives (NDJSON data, a JSON configuration, templates), as UTF-8 without the
 * byte-order mark some editors save first: JSON.parse would refuse it, and in NDJSON it lost the
 * first record with a reason nobody can see.
 */
export const readTextFile = async (path: string): Promise<string> => (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
