import { gramBlock } from '../../src/similarity/als';
import { once } from 'node:events';
import { createPool, spawnWorker, toShared } from '../../src/similarity/pool';

// The worker file is TypeScript here (jest via ts-jest): this proves the tsx loader path works under jest.
// The tasks are the ALS kernels the job runs: the pool has no test-only kernel.
test('workers run tasks and see shared memory; errors come back as rejections', async () => {
  const pool = createPool(2);
  try {
    const f = 2;
    const factors = toShared(Float32Array.from({ length: 10 * f }, (_x, i) => i + 1));
    const blocks = Array.from({ length: 10 }, (_x, r) => ({ factors, f, rowStart: r, rowEnd: r + 1 }));
    // Workers read the shared factors; results come back in task order.
    const grams = await pool.runAll<Float64Array>(blocks.map((args) => ({ kind: 'gramBlock', args })));
    expect(grams.map((g) => Array.from(g))).toEqual(blocks.map((b) => Array.from(gramBlock(b))));
    // Workers write into shared memory the main thread sees: rows without entries are solved to zero in place.
    const target = toShared(new Float32Array(10 * f).fill(1));
    const empty = {
      rows: 10,
      cols: 10,
      indptr: new Int32Array(11),
      indices: new Int32Array(0),
      data: new Float32Array(0),
    };
    const solve = (r: number) => ({
      kind: 'solveBlock',
      args: {
        c: empty,
        other: factors,
        target,
        gram: new Float64Array(f * f),
        f,
        cgSteps: 3,
        rowStart: r,
        rowEnd: r + 1,
      },
    });
    await pool.runAll(Array.from({ length: 10 }, (_x, r) => solve(r)));
    expect(Array.from(target)).toEqual(Array(10 * f).fill(0));
    await expect(pool.run({ kind: 'nope', args: {} })).rejects.toThrow('but got "nope"');
    // the pool still works after a failed task
    expect(Array.from(await pool.run<Float64Array>({ kind: 'gramBlock', args: blocks[0] }))).toEqual([1, 2, 2, 4]);
  } finally {
    await pool.close();
  }
  await pool.close(); // idempotent
  await expect(pool.run({ kind: 'gramBlock', args: {} })).rejects.toThrow('the similarity worker pool is closed');
});

test('toShared copies ordinary arrays once and passes shared ones through', () => {
  const a = Float32Array.from([1, 2, 3]);
  const s = toShared(a);
  expect(s.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(Array.from(s)).toEqual([1, 2, 3]);
  expect(toShared(s)).toBe(s);
  expect(() => createPool(0)).toThrow('expected a positive integer thread count, but got 0');
});

// A task too small to reach the second worker used to let close() terminate that worker while it was still loading
// its modules, and a native addon registered in a thread being torn down aborts the whole process (this jest worker
// with it; a loop of 40 such pools in tsx did ~1 run in 4): close() now waits until every worker says it has started.
test('a worker says it is ready once loaded, before any task', async () => {
  const w = spawnWorker(0);
  try {
    const [first] = (await once(w, 'message')) as [unknown];
    expect(first).toEqual({ ready: true });
  } finally {
    await w.terminate();
  }
});

test('closing a pool right after a task one worker ran, the other still starting, is safe', async () => {
  const factors = toShared(Float32Array.from({ length: 4 }, (_x, i) => i + 1));
  for (let i = 0; i < 12; i++) {
    const pool = createPool(2);
    const gram = await pool.run<Float64Array>({ kind: 'gramBlock', args: { factors, f: 2, rowStart: 0, rowEnd: 2 } });
    expect(Array.from(gram)).toEqual([10, 14, 14, 20]);
    await pool.close();
  }
});
