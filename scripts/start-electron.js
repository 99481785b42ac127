// `npm start`: Electron's binary and the Electron-ABI better-sqlite3 (scripts/electron-env.js), then build the
// app and open it.
import { spawn, spawnSync } from 'node:child_process';
import { electronSqliteBinding, ensureElectron, ensureElectronSqlite, fail, root } from './electron-env.js';

const instead = 'use the same app in your browser with: npm run serve';
const binary = ensureElectron(instead);
await ensureElectronSqlite(instead);
const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail('electron-vite build failed');
const child = spawn(binary, [root], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, DIGIT_WORKBENCH_SQLITE_BINDING: electronSqliteBinding },
});
child.on('exit', (code) => process.exit(code ?? 0));
