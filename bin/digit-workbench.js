#!/usr/bin/env node
// Entry point of the CLI: runs the compiled TypeScript in build/node (built by `npm install` via `prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../build/node/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('digit-workbench: the project is not built yet; run `npm install` (or `npm run build:node`) first');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// A command may have set a failing exit code itself (a run that failed): keep the worse of the two.
process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
