// `npm start`: make sure Electron's binary is there (its download is held back at install time, see allowScripts
// in package.json), build a better-sqlite3 binary for Electron's ABI in its own folder (the Node build that the
// CLI and tests use stays intact), build the app and open it.
import { spawnSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronDir = dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

function fail(message) {
  console.error(`digit-workbench: ${message}`);
  process.exit(1);
}

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

if (!electronBinary()) {
  console.error(`Fetching Electron ${electronVersion} (held back at install time)…`);
  const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 || !electronBinary()) {
    const why = (r.stderr || '').split('\n').find((l) => /ENOTFOUND|EAI_AGAIN|ECONN|403|404|Error/.test(l))?.trim() ?? 'download failed';
    fail(`Electron's binary could not be downloaded (${why}); use the same app in your browser with: npm run serve`);
  }
}

// better-sqlite3 for Electron's ABI, in .electron-abi/ (rebuilt when Electron or better-sqlite3 changes).
const abiDir = join(root, '.electron-abi');
const sqliteSrc = dirname(require.resolve('better-sqlite3/package.json'));
const sqliteVersion = JSON.parse(readFileSync(join(sqliteSrc, 'package.json'), 'utf8')).version;
const stamp = `${electronVersion}/${sqliteVersion}`;
const stampFile = join(abiDir, 'stamp');
const binding = join(abiDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(binding) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  console.error(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once, ~2 minutes)…`);
  rmSync(abiDir, { recursive: true, force: true });
  mkdirSync(join(abiDir, 'node_modules'), { recursive: true });
  cpSync(sqliteSrc, join(abiDir, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (p) => !p.includes(`${join('better-sqlite3', 'build')}`) });
  // npm runs this script with the node-gyp it bundles (npm_config_node_gyp); Electron's headers come from its site.
  const nodeGyp = process.env.npm_config_node_gyp || join(dirname(process.env.npm_execpath || ''), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const r = spawnSync(
    process.execPath,
    [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
    { cwd: join(abiDir, 'node_modules', 'better-sqlite3'), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0 || !existsSync(binding)) {
    const why = (r.stderr || '').trim().split('\n').slice(-1)[0] || 'node-gyp failed';
    fail(`could not build better-sqlite3 for Electron (${why}); use the app in your browser with: npm run serve`);
  }
  writeFileSync(stampFile, stamp);
}

const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail('electron-vite build failed');
const child = spawn(electronBinary(), [root], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, DIGIT_WORKBENCH_SQLITE_BINDING: binding },
});
child.on('exit', (code) => process.exit(code ?? 0));
