// Remote<T>, the loading/error/value holder behind every view: the latest request wins, however late the answers
// to older ones arrive, and a failure is shown only when it is the latest request's.
import { describe, expect, it } from 'vitest';
import { Remote } from '../../src/renderer/lib/remote.svelte.js';

/** A request the test answers (or fails) when it chooses: the order of answers is the point of these tests. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('Remote latest-request-wins', () => {
  it('keeps the newer answer when an older one arrives after it', async () => {
    const r = new Remote<string>();
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = r.run(() => older.promise);
    const second = r.run(() => newer.promise);
    expect(r.loading).toBe(true);
    newer.resolve('run 2');
    await second;
    expect(r.value).toBe('run 2');
    expect(r.loading).toBe(false);
    older.resolve('run 1');
    await first;
    expect(r.value).toBe('run 2');
    expect(r.loading).toBe(false);
    expect(r.loaded).toBe(true);
  });

  it('stays loading until the latest request answers, even when an older one answers first', async () => {
    const r = new Remote<number>();
    const older = deferred<number>();
    const newer = deferred<number>();
    const first = r.run(() => older.promise);
    const second = r.run(() => newer.promise);
    older.resolve(1);
    await first;
    expect(r.value).toBeNull();
    expect(r.loading).toBe(true);
    newer.resolve(2);
    await second;
    expect([r.value, r.loading]).toEqual([2, false]);
  });

  it('surfaces the latest request’s failure, and drops a superseded request’s failure', async () => {
    const r = new Remote<number>();
    await r.run(() => Promise.reject(new Error('runs:get: run 9 does not exist')));
    expect(r.error).toBe('runs:get: run 9 does not exist');
    expect([r.value, r.loading, r.loaded]).toEqual([null, false, false]);

    const older = deferred<number>();
    const newer = deferred<number>();
    const first = r.run(() => older.promise);
    expect(r.error).toBeNull(); // a new request clears the old message
    const second = r.run(() => newer.promise);
    newer.resolve(5);
    await second;
    older.reject(new Error('too late to matter'));
    await first;
    expect([r.value, r.error]).toEqual([5, null]);
  });

  it('drops a late success after a newer request failed', async () => {
    const r = new Remote<number>();
    const older = deferred<number>();
    const first = r.run(() => older.promise);
    await r.run(() => Promise.reject(new Error('the connection to Digit Workbench was lost')));
    older.resolve(1);
    await first;
    expect([r.value, r.error]).toEqual([null, 'the connection to Digit Workbench was lost']);
  });

  it('keeps the shown value during a refresh only when asked to, and clear() drops an answer on its way', async () => {
    const r = new Remote<string>();
    await r.run(async () => 'a');
    const refresh = deferred<string>();
    const kept = r.run(() => refresh.promise, { keep: true });
    expect([r.value, r.loading]).toEqual(['a', true]);
    refresh.resolve('b');
    await kept;
    expect(r.value).toBe('b');

    const replaced = deferred<string>();
    const fresh = r.run(() => replaced.promise);
    expect(r.value).toBeNull();
    r.clear();
    replaced.resolve('stale');
    await fresh;
    expect([r.value, r.loading, r.error]).toEqual([null, false, null]);
  });
});
