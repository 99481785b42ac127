// What `npm start` and `npm run dist` need before Electron can run: its binary (held back at install time, see
// allowScripts in package.json) and a better-sqlite3 built for Electron's ABI by @electron/rebuild in
// .electron-abi/, so the Node build in node_modules that the CLI, serve mode and the tests use stays intact.
// Each failure is one line on stderr, naming what to do instead.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronDir = dirname(require.resolve('electron/package.json'));
export const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

export function fail(message) {
  console.error(`digit-workbench: ${message}`);
  process.exit(1);
}

export function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** The folder electron-builder packages from instead of downloading Electron a second time. */
export const electronDist = join(electronDir, 'dist');

export function ensureElectron(instead) {
  if (electronBinary()) return electronBinary();
  console.error(`Fetching Electron ${electronVersion} (held back at install time)…`);
  const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 || !electronBinary()) {
    const why = (r.stderr || '').split('\n').find((l) => /ENOTFOUND|EAI_AGAIN|ECONN|403|404|Error/.test(l))?.trim() ?? 'download failed';
    fail(`Electron's binary could not be downloaded (${why}); ${instead}`);
  }
  return electronBinary();
}

const abiDir = join(root, '.electron-abi');
export const electronSqliteBinding = join(abiDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** better-sqlite3 for Electron's ABI (rebuilt when Electron or better-sqlite3 changes). */
export async function ensureElectronSqlite(instead) {
  const sqliteSrc = dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteSrc, 'package.json'), 'utf8')).version;
  const stamp = `${electronVersion}/${sqliteVersion}`;
  const stampFile = join(abiDir, 'stamp');
  if (existsSync(electronSqliteBinding) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return electronSqliteBinding;
  console.error(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} with @electron/rebuild (once, ~2 minutes)…`);
  rmSync(abiDir, { recursive: true, force: true });
  mkdirSync(join(abiDir, 'node_modules'), { recursive: true });
  // A tiny project of its own whose one dependency is a copy of the source: @electron/rebuild rebuilds the
  // dependencies of the folder it is given, so node_modules/better-sqlite3 is never touched.
  writeFileSync(join(abiDir, 'package.json'), JSON.stringify({ name: 'electron-abi', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }));
  cpSync(sqliteSrc, join(abiDir, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (p) => !p.includes(join('better-sqlite3', 'build')) });
  const { rebuild } = await import('@electron/rebuild');
  try {
    await rebuild({ buildPath: abiDir, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  } catch (err) {
    fail(`could not build better-sqlite3 for Electron (${String(err.message ?? err).split('\n')[0]}); ${instead}`);
  }
  if (!existsSync(electronSqliteBinding)) fail(`@electron/rebuild left no ${electronSqliteBinding}; ${instead}`);
  writeFileSync(stampFile, stamp);
  return electronSqliteBinding;
}
