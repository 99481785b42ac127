// The worker pool over TLS (rediss://): a redis-server that takes TLS connections only, its certificate signed by
// a throwaway CA made with openssl. A worker and an owner trusting that CA (NODE_EXTRA_CA_CERTS, as the README
// says) train a run; a process that does not trust it, or trusts another CA, is refused with the URL named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { makeCertificates, PASSWORD, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../helpers/redis-server.js';
import { runCli } from '../helpers/cli-process.js';

let dir: ReturnType<typeof tempDir>;
let redis: TestRedis;
let datasetId: number;
let worker: WorkerProcess | undefined;
let trusted: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis({ tls: true });
  trusted = { NODE_EXTRA_CA_CERTS: redis.caFile! };
  const wb = new Workbench({ home: dir.path });
  datasetId = await importSmallTrainSet(wb, dir.path, 400);
  wb.close();
});
afterAll(async () => {
  await worker?.kill();
  await redis?.stop();
  dir?.remove();
});

const masked = () => redis.url.replace(PASSWORD, '***');

describe('rediss://', () => {
  it('an untrusted certificate (no CA given, or another CA): refused, naming the URL and how to trust it', async () => {
    const other = tempDir('dw-other-ca-');
    try {
      const otherCa = makeCertificates(other.path, 'other-ca').ca;
      for (const env of [undefined, { NODE_EXTRA_CA_CERTS: otherCa }]) {
        const r = await runCli(dir.path, ['workers', '--queue', redis.url], { env });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`Redis at ${masked()} has a TLS certificate this machine does not trust`);
        expect(r.stderr).toContain('NODE_EXTRA_CA_CERTS');
        expect(r.stderr).not.toContain(PASSWORD);
      }
    } finally {
      other.remove();
    }
  });

  it('redis:// to a TLS-only port says to use rediss://', async () => {
    const plain = redis.url.replace('rediss://', 'redis://');
    const r = await runCli(dir.path, ['workers', '--queue', plain], { env: trusted });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach Redis at ${plain.replace(PASSWORD, '***')}`);
    expect(r.stderr).toContain('use rediss://');
  });

  it('a worker and an owner trusting the CA: the worker is listed and trains a run that lands in SQLite', async () => {
    worker = await startWorkerProcess(redis.url, 'tls-w', [], trusted);
    const listed = await runCli(dir.path, ['workers', '--queue', redis.url, '--json'], { env: trusted });
    expect(listed.code, listed.stderr).toBe(0);
    const status = JSON.parse(listed.stdout) as { url: string; workers: { name: string }[] };
    expect(status.url).toBe(masked());
    expect(status.workers.map((w) => w.name)).toEqual(['tls-w']);

    const r = await runCli(dir.path, ['train', '--dataset', String(datasetId), '--preset', 'seed-lenet5', '--epochs', '2', '--queue', redis.url, '--json'], {
      env: trusted,
      timeout: 300_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as { id: number; status: string; epochs: { epoch: number }[] };
    expect(run.status).toBe('completed');
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const wb = new Workbench({ home: dir.path });
    try {
      expect((await wb.call('runs:get', { id: run.id })).epochWorkers).toEqual(['tls-w', 'tls-w']);
    } finally {
      wb.close();
    }
  });
});
