// `npm start` and `npm run dist` where Electron's binary cannot be downloaded: one line saying so and what to do
// instead, exit code 1, nothing built. Real processes; the download is pointed at a closed local port so the
// test behaves the same on a machine with internet access (skipped where the binary is already there).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const electronDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
const pathFile = join(electronDir, 'path.txt');
const hasBinary = existsSync(pathFile) && existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));

function run(script: string) {
  // An empty download cache too: a zip cached by an earlier install must not let the script go on to package.
  const cache = mkdtempSync(join(tmpdir(), 'dw-electron-cache-'));
  try {
    return spawnSync(process.execPath, [join(root, 'scripts', script)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', npm_config_electron_mirror: 'http://127.0.0.1:9/', electron_config_cache: cache },
    });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/** Progress lines end with '…'; everything else on stderr is what the user must read. */
const messages = (stderr: string) => stderr.split('\n').filter((l) => l.trim() && !l.trimEnd().endsWith('…'));

describe.skipIf(hasBinary)('Electron scripts without Electron’s binary', () => {
  it('npm run dist says in one line that packaging needs Electron, and points to serve', () => {
    const r = run('dist.js');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = messages(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^digit-workbench: Electron's binary could not be downloaded \(.+\); npm run dist needs it .*npm run serve$/);
    expect(existsSync(join(root, 'release'))).toBe(false);
  });

  it('npm start says so in one line too', () => {
    const r = run('start-electron.js');
    expect(r.status).toBe(1);
    const lines = messages(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^digit-workbench: Electron's binary could not be downloaded .*npm run serve$/);
  });
});
