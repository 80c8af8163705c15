// Worker entry: runs one similarity kernel per message on arrays in shared memory (started by pool.ts).
import { parentPort } from 'node:worker_threads';
import { gramBlock, lossBlock, solveBlock } from './als';
import { denseBlock, hnswShard } from './dense';
import { centroidBlock, ivfBlock, refineBlock, sparseAnnShard } from './sparse-ann';
import { cosineBlock } from './topk';

const kernels: Record<string, (args: never) => unknown> = {
  cosineBlock,
  denseBlock,
  hnswShard,
  sparseAnnShard,
  refineBlock,
  ivfBlock,
  centroidBlock,
  gramBlock,
  solveBlock,
  lossBlock,
};

const port = parentPort;
if (port === null)
  throw new Error('src/similarity/worker.ts must run in a worker thread, but it was started as a main script');

port.on('message', (msg: { id: number; kind: string; args: unknown }) => {
  try {
    const kernel = kernels[msg.kind];
    if (kernel === undefined)
      throw new Error(`expected a kernel among ${Object.keys(kernels).join(', ')}, but got "${msg.kind}"`);
    port.postMessage({ id: msg.id, ok: true, result: kernel(msg.args as never) });
  } catch (err: unknown) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ id: msg.id, ok: false, message: e.message, stack: e.stack });
  }
});

// Loaded: the pool may now terminate this thread safely (see createPool).
port.postMessage({ ready: true });
