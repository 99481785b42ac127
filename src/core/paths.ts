// The package folder, found by walking up from this file: it holds package.json, build/node and the renderer
// build whether the core runs compiled (build/node), from sources (tests) or inside Electron.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkbenchError } from '../shared/errors.js';

let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'digit-workbench') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new WorkbenchError('internal', 'cannot find the digit-workbench package folder');
    dir = up;
  }
}
