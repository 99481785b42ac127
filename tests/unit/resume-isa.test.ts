// A native run resumes only where oneDNN runs the instruction set it trained with (AVX2 and AVX-512 kernels add in
// other orders, so the metrics would change); elsewhere the resume is refused unless forced, and a forced one says so.
import { describe, expect, it } from 'vitest';
import { forcedResumeNote, resumeRefusal, trainedWith } from '../../src/core/training/resume-conditions.js';
import type { RunLineage } from '../../src/shared/lineage.js';
import type { BackendAvailability } from '../../src/shared/trainer-protocol.js';

const lineage = (isa: string) => ({ kernels: { library: 'oneDNN', version: '2.6.3', isa, threads: 2 } }) as RunLineage;
const run = { id: 7, backend: 'native', workers: 1, epochsDone: 3, lineage: lineage('AVX-512-BF16') };
const here = (isa: string | null): BackendAvailability[] => [
  isa ? { name: 'native', available: true, reason: null, kernels: { library: 'oneDNN', version: '2.6.3', isa, threads: 2 } } : { name: 'native', available: false, reason: 'not built' },
  { name: 'wasm', available: true, reason: null },
];

describe('resuming a native run', () => {
  it('goes ahead on the same instruction set', () => {
    expect(resumeRefusal(run, here('AVX-512-BF16'))).toBeNull();
  });

  it('is refused on another instruction set, naming both and the force option', () => {
    const refusal = resumeRefusal(run, here('AVX2'));
    expect(refusal).toContain('run 7 trained 3 epochs on native (AVX-512-BF16)');
    expect(refusal).toContain('oneDNN runs AVX2 kernels here');
    expect(refusal).toContain('digit-workbench resume 7 --force');
  });

  it('is refused where the native kernels do not load, as any backend that cannot load', () => {
    expect(resumeRefusal(run, here(null))).toContain('this machine cannot load native (not built)');
  });

  it('records the change when forced', () => {
    const was = trainedWith(run)!;
    expect(was).toEqual({ backend: 'native', workers: 1, isa: 'AVX-512-BF16' });
    expect(forcedResumeNote(was, 3, { backend: 'native', workers: 1, kernels: { isa: 'AVX2' } })).toBe(
      'resumed with force after epoch 3: epochs 1–3 trained on native (AVX-512-BF16) with 1 worker, the rest on native (AVX2) with 1 worker (not reproducible as one run)',
    );
  });

  it('keeps runs from before the instruction set was recorded resumable', () => {
    expect(resumeRefusal({ ...run, lineage: null }, here('AVX2'))).toBeNull();
    expect(trainedWith({ ...run, backend: 'wasm' })!.isa).toBeNull();
  });
});
