// worker, workers: train for an owner elsewhere (this machine joins its pool), and list a pool's workers.

import { parse, optionalInt, optionalNumber, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { progressBar, table } from '../format.js';
import { BACKEND_NAMES, type BackendChoice, type TrainerEvent } from '../../shared/trainer-protocol.js';

function pct(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(2)}%`;
}

/** One line per thing worth knowing: a run picked up, each epoch, the end. Progress is throttled by the trainer. */
function describe(event: TrainerEvent, runId: number): string | null {
  switch (event.type) {
    case 'started':
      return `run ${runId}: started (${event.backend}, ${event.workers} threads${event.resumedFrom ? `, continuing after epoch ${event.resumedFrom}` : ''})`;
    case 'epoch': {
      const m = event.metrics;
      return `run ${runId}: epoch ${m.epoch} loss ${m.loss.toFixed(4)} val_acc ${pct(m.valAcc)} ${Math.round(m.imagesPerSecond)} img/s`;
    }
    case 'done':
      return `run ${runId}: ${event.outcome} (${event.reason})`;
    case 'error':
      return `run ${runId}: failed: ${event.error.message}`;
    default:
      return null;
  }
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'join a worker pool: train runs queued by an owner on another machine',
  usage: `digit-workbench worker --queue redis://:PASSWORD@HOST:6379 [options]

  Takes runs from the pool's Redis, trains them here and streams every epoch and checkpoint back to
  the owner, whose database keeps them. Keeps nothing on this machine. Ctrl-C leaves the pool; a run
  it was training moves to another worker after the stall interval.

  --queue URL          the pool's Redis (rediss:// for TLS); never expose Redis without a password
  --name NAME          how owners see this worker (default: the host name)
  --concurrency N      runs trained at once (default 1), each in its own process
  --threads N          training threads per run (default: the engine's choice)
  --backend B          tensorflow|wasm|cpu (default: the first that loads here)
  --stall-seconds S    lock time: a run of a worker silent this long moves on (default 30)`,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        queue: { type: 'string' },
        name: { type: 'string' },
        concurrency: { type: 'string' },
        threads: { type: 'string' },
        backend: { type: 'string' },
        'stall-seconds': { type: 'string' },
      },
      { min: 0, max: 0 },
    );
    if (values.help) return void console.log(this.usage);
    const url = optionalString(values, 'queue');
    if (!url) throw new UsageError('worker needs --queue redis://:PASSWORD@HOST:6379');
    const concurrency = optionalInt(values, 'concurrency') ?? 1;
    if (concurrency < 1 || concurrency > 16) throw new UsageError(`--concurrency must be 1–16 (got ${concurrency})`);
    const threads = optionalInt(values, 'threads');
    if (threads !== undefined && (threads < 1 || threads > 64)) throw new UsageError(`--threads must be 1–64 (got ${threads})`);
    const backend = optionalString(values, 'backend');
    if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) throw new UsageError(`--backend must be ${BACKEND_NAMES.join(', ')} (got "${backend}")`);
    const stallSeconds = optionalNumber(values, 'stall-seconds');
    if (stallSeconds !== undefined && (stallSeconds < 1 || stallSeconds > 3600)) throw new UsageError(`--stall-seconds must be 1–3600 (got ${stallSeconds})`);
    const { startWorker } = await import('../../core/pool/pool-worker.js');
    const { maskUrl } = await import('../../core/pool/redis-url.js');
    // In-epoch progress on a terminal (one bar per run); the lines above go to stdout for logs.
    const bars = new Map<number, ReturnType<typeof progressBar>>();
    const worker = await startWorker({
      url,
      name: optionalString(values, 'name'),
      concurrency,
      threads: threads ?? null,
      backend: (backend as BackendChoice | undefined) ?? null,
      stallSeconds,
      onEvent: (event, runId) => {
        if (event.type === 'progress') {
          const p = event.progress;
          if (!bars.has(runId)) bars.set(runId, progressBar(`run ${runId}`));
          return bars.get(runId)!.update((p.epoch - 1 + p.batch / p.batches) / p.epochs, `epoch ${p.epoch}/${p.epochs} ${Math.round(p.imagesPerSecond)} img/s`);
        }
        const line = describe(event, runId);
        if (!line) return;
        bars.get(runId)?.done();
        if (event.type === 'done' || event.type === 'error') bars.delete(runId);
        console.log(line);
      },
    });
    const i = worker.info;
    console.log(`worker ${i.name} on ${maskUrl(url)}: backend ${i.backend}, threads ${i.threads ?? 'auto'}, concurrency ${i.concurrency}, Digit Workbench ${i.version}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.close();
  },
};

export const workersCommand: Command = {
  name: 'workers',
  summary: "list a worker pool's connected workers and its queue",
  usage: `digit-workbench workers [--queue URL] [--json]

  --queue URL   the pool's Redis (default: the one saved in Settings → Workers)`,
  async run(argv, ctx) {
    const { values } = parse(argv, { queue: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0 });
    if (values.help) return void console.log(this.usage);
    const wb = ctx.workbench({ poolUrl: optionalString(values, 'queue') });
    if (wb.pool.url() === null) throw new UsageError('no worker pool is set up: give --queue redis://:PASSWORD@HOST:6379');
    const status = await wb.call('workers:status', undefined);
    if (values.json) return printJson(status);
    console.log(`pool ${status.url}: ${status.workers.length} worker(s), ${status.queue.waiting} waiting, ${status.queue.active} training, ${status.queue.failed} failed`);
    if (status.workers.length === 0) return;
    console.log(
      table(
        ['NAME', 'HOST', 'CORES', 'BACKEND', 'THREADS', 'TRAINING', 'LAST HEARTBEAT'],
        status.workers.map((w) => [w.name, w.host, w.cores, w.backend, w.threads ?? 'auto', w.current.map((c) => `run ${c.runId} (${c.ownerHost}) epoch ${c.epoch}`).join(', ') || '–', w.lastHeartbeat]),
      ),
    );
  },
};
