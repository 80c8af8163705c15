// A small worker_threads pool for the similarity kernels, plus helpers that put typed arrays in shared memory once.
import path from 'node:path';
import { Worker, workerData } from 'node:worker_threads';
import type { Csr } from './types';

/** A task for src/similarity/worker.ts: the kernel's name and its (structured-cloneable) arguments. */
export interface Task {
  kind: string;
  args: unknown;
}

/** Worker threads that run tasks one at a time each; results come back in the order the tasks were given. */
export interface Pool {
  readonly size: number;
  /** Runs one task on the next idle worker. */
  run<T>(task: Task): Promise<T>;
  /** Runs all tasks across the workers and resolves with their results in task order. */
  runAll<T>(tasks: Task[]): Promise<T[]>;
  /** Terminates the workers once each has started; idempotent. Pending tasks are rejected. */
  close(): Promise<void>;
}

type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string; stack?: string }
  | { ready: true };

interface Pending {
  id: number;
  task: Task;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * Starts a worker running src/similarity/worker.(ts|js). Under tsx or jest the sources are TypeScript, so the
 * worker is started from a two-line CommonJS script that registers tsx's require hook first.
 */
export function spawnWorker(slot = 0): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker${ext}`);
  if (ext === '.ts') {
    const tsx = require.resolve('tsx/cjs');
    const code = `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(file)});\n`;
    return new Worker(code, { eval: true, execArgv: [], workerData: { slot } });
  }
  return new Worker(file, { execArgv: [], workerData: { slot } });
}

/**
 * This thread's slot: i in [0, size) for the i-th worker of a pool, 0 in the main thread. Kernels use it to pick
 * per-thread scratch inside shared memory (a pool never runs two tasks on one worker at once).
 */
export function threadSlot(): number {
  const slot = (workerData as { slot?: unknown } | null)?.slot;
  return typeof slot === 'number' ? slot : 0;
}

/** A pool of `threads` workers (at least 1). Close it in a finally block. */
export function createPool(threads: number): Pool {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`expected a positive integer thread count, but got ${threads}`);
  }
  const workers: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  let failure: Error | undefined;

  const dispatch = (): void => {
    for (const w of workers) {
      if (busy.has(w)) continue;
      const job = queue.shift();
      if (job === undefined) return;
      busy.set(w, job);
      w.ref();
      w.postMessage({ id: job.id, kind: job.task.kind, args: job.task.args });
    }
  };

  const failAll = (err: Error): void => {
    failure ??= err;
    for (const job of [...busy.values(), ...queue]) job.reject(err);
    busy.clear();
    queue.length = 0;
  };

  // Each worker says when its modules are loaded. Terminating one before that can abort the whole process (a native
  // addon, hnswlib-node, being registered while its thread is torn down: "napi_throw" fatal error), which a pool
  // closed after a task too small to reach its second worker did; close() waits for every worker to be ready.
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < threads; i++) {
    const w = spawnWorker(i);
    let markReady = (): void => {};
    ready.push(new Promise<void>((resolve) => (markReady = resolve)));
    // Idle workers must not keep the process alive if a caller forgets close().
    w.unref();
    w.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        markReady();
        return;
      }
      const job = busy.get(w);
      busy.delete(w);
      w.unref();
      if (job === undefined || job.id !== reply.id) {
        failAll(new Error(`similarity worker replied to task ${reply.id}, but no such task was running`));
        return;
      }
      if (reply.ok) job.resolve(reply.result);
      else {
        const err = new Error(`similarity worker task ${job.task.kind} failed: ${reply.message}`);
        if (reply.stack !== undefined) err.stack = reply.stack;
        job.reject(err);
      }
      dispatch();
    });
    w.on('error', (err) => {
      markReady();
      failAll(err);
    });
    w.on('exit', (code) => {
      markReady();
      if (!closed) failAll(new Error(`similarity worker exited with code ${code} while the pool was open`));
    });
    workers.push(w);
  }

  const run = <T>(task: Task): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(new Error('the similarity worker pool is closed'));
      if (failure !== undefined) return reject(failure);
      queue.push({ id: nextId++, task, resolve: resolve as (v: unknown) => void, reject });
      dispatch();
    });

  return {
    size: threads,
    run,
    runAll: <T>(tasks: Task[]) => Promise.all(tasks.map((t) => run<T>(t))),
    async close() {
      if (closed) return;
      closed = true;
      failAll(new Error('the similarity worker pool was closed'));
      for (const w of workers) w.ref(); // while waiting for a worker still starting
      await Promise.all(ready);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Runs fn with a pool of `threads` workers, or with the given pool (left open), closing its own pool after. */
export async function withPool<T>(
  threads: number,
  given: Pool | undefined,
  fn: (pool: Pool) => Promise<T>,
): Promise<T> {
  if (given !== undefined) return fn(given);
  const pool = createPool(threads);
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

type Typed = Int32Array | Float32Array | Float64Array | Uint8Array;

/** The array itself when it already lives in shared memory, otherwise a copy in a new SharedArrayBuffer. */
export function toShared<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buf: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** A zero-filled Float32Array / Int32Array / Float64Array in shared memory. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

/** The matrix with its arrays in shared memory (copied once), ready to post to workers without copying. */
export function shareCsr(m: Csr): Csr {
  return {
    rows: m.rows,
    cols: m.cols,
    indptr: toShared(m.indptr),
    indices: toShared(m.indices),
    data: toShared(m.data),
  };
}

/** Splits [0, n) into consecutive [start, end) ranges of `size` (the last may be shorter). */
export function blocks(n: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const step = Math.max(1, Math.floor(size));
  for (let s = 0; s < n; s += step) out.push([s, Math.min(n, s + step)]);
  return out;
}
