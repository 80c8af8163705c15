import { createPool, toShared } from '../../src/similarity/pool';

// The worker file is TypeScript here (jest via @swc/jest): this proves the tsx loader path works under jest.
test('workers run tasks and see shared memory; errors come back as rejections', async () => {
  const pool = createPool(2);
  try {
    const counter = toShared(new Int32Array(1));
    const replies = await pool.runAll<string>(
      Array.from({ length: 10 }, () => ({ kind: 'ping', args: { shared: counter } })),
    );
    expect(replies).toEqual(Array(10).fill('pong'));
    expect(Atomics.load(counter, 0)).toBe(10);
    await expect(pool.run({ kind: 'nope', args: {} })).rejects.toThrow('but got "nope"');
    // the pool still works after a failed task
    expect(await pool.run<string>({ kind: 'ping', args: {} })).toBe('pong');
  } finally {
    await pool.close();
  }
  await pool.close(); // idempotent
  await expect(pool.run({ kind: 'ping', args: {} })).rejects.toThrow('the similarity worker pool is closed');
});

test('toShared copies ordinary arrays once and passes shared ones through', () => {
  const a = Float32Array.from([1, 2, 3]);
  const s = toShared(a);
  expect(s.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(Array.from(s)).toEqual([1, 2, 3]);
  expect(toShared(s)).toBe(s);
  expect(() => createPool(0)).toThrow('expected a positive integer thread count, but got 0');
});
