// Files the engine loads at run time from next to its compiled code (a worker script, the kernel module).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkbenchError } from '../../shared/errors.js';

/**
 * The path of `name` in this folder of the build; under vitest, which runs the sources as .ts, the build/node copy
 * (the sources have no compiled neighbours). A clear error when it has not been built.
 */
export function builtFile(name: string, what: string): string {
  const here = new URL(`./${name}`, import.meta.url);
  const url = import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/trainer/engine/', '/build/node/trainer/engine/')) : here;
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new WorkbenchError('trainer', `${what} ${path} is missing: run npm run build:node`);
  return path;
}
