// Lineage without spawning git: the commit of a plain checkout, a worktree (.git file → commondir), a packed ref
// and a detached HEAD; none outside a checkout. The command that re-creates a run quotes what a shell would split.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitCommit } from '../../src/core/lineage.js';
import { presets } from '../../src/core/training/presets.js';
import { rerunCommand, shellQuote } from '../../src/shared/rerun-command.js';
import { storedHyperparams } from '../../src/shared/hyperparams.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.remove());

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const write = (path: string, text: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

describe('gitCommit', () => {
  it('reads a branch ref, a packed ref, a detached HEAD and a worktree’s HEAD; null outside a checkout', () => {
    dir = tempDir();
    const repo = join(dir.path, 'repo');
    write(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    write(join(repo, '.git', 'refs', 'heads', 'main'), `${A}\n`);
    expect(gitCommit(repo)).toBe(A);
    write(join(repo, '.git', 'HEAD'), 'ref: refs/heads/packed\n');
    write(join(repo, '.git', 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${B} refs/heads/packed\n`);
    expect(gitCommit(repo)).toBe(B);
    write(join(repo, '.git', 'HEAD'), `${A}\n`);
    expect(gitCommit(repo)).toBe(A);
    // A worktree: .git is a file naming its git folder, whose branch refs live in the common folder.
    const wt = join(dir.path, 'wt');
    write(join(wt, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'wt')}\n`);
    write(join(repo, '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/main\n');
    write(join(repo, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
    expect(gitCommit(wt)).toBe(A);
    expect(gitCommit(join(dir.path, 'nothing'))).toBeNull();
  });
});

describe('rerunCommand', () => {
  const base = presets['seed-lenet5'].hyperparams;
  it('names the preset, the changed fields (flags first, the rest as JSON), the seed, backend and workers', () => {
    const hp = { ...base, epochs: 3, learningRate: 0.01, augmentation: { rotation: 5, zoom: 0, shift: 0 }, seed: 9 };
    expect(rerunCommand({ preset: 'seed-lenet5', presetHyperparams: base, hyperparams: hp, dataset: { id: 4, name: "Bob's digits" }, backend: 'wasm', workers: 2 })).toBe(
      `digit-workbench train --dataset 'Bob'\\''s digits' --preset seed-lenet5 --epochs 3 --learning-rate 0.01 --hyperparams '{"augmentation":{"rotation":5,"zoom":0,"shift":0}}' --seed 9 --backend wasm --workers 2`,
    );
  });

  it('names the BatchNorm statistics with --bn-stats when they differ from the preset, and reads a run from before the option as keras', () => {
    const cnn = { ...presets['cnn-strong'].hyperparams, batchNormStats: 'recomputed' as const };
    const src = { preset: 'cnn-strong', presetHyperparams: cnn, dataset: { id: 4, name: 'train' }, backend: null, workers: null };
    expect(rerunCommand({ ...src, hyperparams: { ...cnn, batchNormStats: 'debiased' } })).toBe(
      `digit-workbench train --dataset train --preset cnn-strong --bn-stats debiased --seed ${cnn.seed}`,
    );
    const { batchNormStats: _, ...old } = cnn;
    const stored = storedHyperparams(JSON.stringify(old));
    expect(stored.batchNormStats).toBe('keras');
    expect(rerunCommand({ ...src, hyperparams: stored })).toBe(`digit-workbench train --dataset train --preset cnn-strong --bn-stats keras --seed ${cnn.seed}`);
    expect(storedHyperparams(JSON.stringify(cnn)).batchNormStats).toBe('recomputed');
  });

  it('uses the id for a dataset named like an id, and leaves out an unknown backend', () => {
    expect(rerunCommand({ preset: 'seed-lenet5', presetHyperparams: base, hyperparams: base, dataset: { id: 4, name: '2024' }, backend: null, workers: null })).toBe(
      `digit-workbench train --dataset 4 --preset seed-lenet5 --seed ${base.seed}`,
    );
    expect(shellQuote('small-300-7')).toBe('small-300-7');
    expect(shellQuote('a b')).toBe(`'a b'`);
  });
});
