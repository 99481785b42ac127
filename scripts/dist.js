// `npm run dist`: package the desktop app with electron-builder (electron-builder.config.js). Needs Electron's
// binary and headers like `npm start`; where they cannot be downloaded it says so in one line.
import { spawnSync } from 'node:child_process';
import { ensureElectron, ensureElectronSqlite, fail, root } from './electron-env.js';

const instead = 'npm run dist needs it to package the app; the same app runs without it in a browser: npm run serve';
ensureElectron(instead);
await ensureElectronSqlite(instead);
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (build.status !== 0) fail('the build failed (npm run build)');
// Extra arguments pass through: npm run dist -- --linux deb
const pack = spawnSync('npx', ['electron-builder', '--config', 'electron-builder.config.js', '--publish', 'never', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (pack.status !== 0) fail('electron-builder failed (see above)');
