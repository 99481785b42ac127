// A run's lineage: what produced it, read without spawning anything (git's files are read directly; a checkout
// that is a worktree has a .git file pointing at its git folder, whose refs may live in the common folder).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, hostname, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunLineage } from '../shared/lineage.js';
import type { KernelInfo } from '../shared/trainer-protocol.js';
import { projectRoot } from './paths.js';
import { appVersion } from './version.js';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The commit checked out in `root`, or null when it is not a git checkout (an installed app). */
export function gitCommit(root: string = projectRoot()): string | null {
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit)) return null;
  let gitDir = dotGit;
  if (statSync(dotGit).isFile()) {
    const m = /^gitdir:\s*(.+)$/m.exec(read(dotGit) ?? '');
    if (!m) return null;
    gitDir = resolve(root, m[1]);
  }
  const head = read(join(gitDir, 'HEAD'));
  if (!head) return null;
  if (/^[0-9a-f]{40}$/.test(head)) return head; // detached
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return null;
  const common = read(join(gitDir, 'commondir'));
  const dirs = [gitDir, ...(common ? [resolve(gitDir, common)] : [])];
  for (const dir of dirs) {
    const loose = read(join(dir, ref));
    if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
    const packed = read(join(dir, 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line) return line.slice(0, 40);
  }
  return null;
}

const backendPackages: Record<string, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

export function backendVersion(backend: string): string | null {
  const pkg = backendPackages[backend];
  if (!pkg) return null;
  try {
    const require = createRequire(join(projectRoot(), 'package.json'));
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

let commit: string | null | undefined;

/** The trainer is this process's own runtime (utilityProcess in Electron, the same node for child_process.fork). */
export function runLineage(opts: { datasetSha256: string; backend: string; workers: number; kernels?: KernelInfo | null }): RunLineage {
  if (commit === undefined) commit = gitCommit();
  return {
    appVersion: appVersion(),
    gitCommit: commit,
    datasetSha256: opts.datasetSha256,
    backend: opts.backend,
    backendVersion: opts.kernels ? `${opts.kernels.library} ${opts.kernels.version}` : backendVersion(opts.backend),
    kernels: opts.kernels ?? null,
    workers: opts.workers,
    host: hostname(),
    os: `${platform()} ${release()} ${arch()}`,
    cpus: cpus().length,
    node: process.versions.node,
    electron: process.versions.electron ?? null,
  };
}
