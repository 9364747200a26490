import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { readTextFile } from './text-file.js';
import { dirname, join, relative, sep } from 'node:path';
import type { TemplateFiles } from '../core/templates/template-files.js';

/** Every file under `dir`, by its path relative to it (`/`-separated); dot files are an editor's, not ours. */
export const readTemplateDir = async (dir: string): Promise<TemplateFiles> => {
  const files: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (path.split('/').some((part) => part.startsWith('.'))) continue;
    files[path] = await readTextFile(join(dir, path));
  }
  return files;
};

/** Writes `files` under `dir`, making the directories they need. */
export const writeTemplateDir = async (dir: string, files: TemplateFiles): Promise<void> => {
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
};
