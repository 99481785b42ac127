// The worker pool's wire format and URL handling: trainer events survive Redis byte for byte (typed arrays
// included), and a password never shows in what the pool prints.
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/core/pool/event-codec.js';
import { checkUrl, maskUrl } from '../../src/core/pool/redis-url.js';
import type { TrainerEvent } from '../../src/shared/trainer-protocol.js';

/** What Redis hands back: every field as a Buffer, at an odd byte offset like a slice of a socket read. */
function throughRedis(fields: (string | Buffer)[]): Buffer[] {
  return fields.map((f) => {
    const b = Buffer.from(f);
    const padded = Buffer.alloc(b.length + 1);
    b.copy(padded, 1);
    return padded.subarray(1);
  });
}

describe('event codec', () => {
  it('round-trips a checkpoint and a result with their typed arrays', () => {
    const checkpoint: TrainerEvent = {
      type: 'checkpoint',
      runId: 3,
      metrics: { epoch: 2, loss: 0.5, acc: 0.9, valLoss: null, valAcc: 0.8, lr: 0.001, seconds: 1, imagesPerSecond: 100 },
      slots: ['last', 'best'],
      checkpoint: {
        epoch: 2,
        weights: Uint8Array.from([1, 2, 3, 255]),
        optimizer: new Uint8Array(0),
        state: { epoch: 2, learningRate: 0.001, step: 20, plateau: null, early: null, best: null, stopReason: null },
      },
      worker: 'box-a',
    };
    expect(decode(throughRedis(encode(checkpoint)))).toEqual(checkpoint);
    const result: TrainerEvent = { type: 'result', runId: 3, epoch: 2, indices: Int32Array.from([7, -1, 2 ** 30]), probs: Float32Array.from([0.25, 0.75, 1e-7]) };
    const back = decode<typeof result>(throughRedis(encode(result)));
    expect(back.indices).toBeInstanceOf(Int32Array);
    expect(back).toEqual(result);
  });

  it('refuses an entry that lost a binary part', () => {
    const fields = encode({ type: 'result', runId: 1, epoch: 1, indices: Int32Array.of(1), probs: Float32Array.of(1) });
    expect(() => decode(throughRedis(fields.slice(0, 4)))).toThrow(/lacks its binary part b1/);
  });
});

describe('pool URLs', () => {
  it('masks the password and keeps the rest', () => {
    expect(maskUrl('redis://:s3cret@host.lan:6379')).toBe('redis://:***@host.lan:6379');
    expect(maskUrl('rediss://user:s3cret@host:6380/2')).toBe('rediss://user:***@host:6380/2');
    expect(maskUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('accepts redis:// and rediss:// only, naming what was wrong', () => {
    expect(() => checkUrl('rediss://:p@h:6380')).not.toThrow();
    expect(() => checkUrl('http://h:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => checkUrl('not a url :pass@')).toThrow(/must look like redis:\/\/:PASSWORD@HOST:6379/);
  });
});
