import { type Write, WriteQueue } from '../../src/ingest/importer';

/** A write that records when it starts and ends, and finishes when told to. */
function gated(name: string, keys: (number | string)[], barrier: boolean, log: string[]) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const write: Write = {
    keys: new Set(keys),
    barrier,
    run: async () => {
      log.push(`start ${name}`);
      try {
        await done;
      } finally {
        log.push(`end ${name}`);
      }
    },
  };
  return { write, finish: () => finish(), fail: (err: Error) => fail(err) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WriteQueue', () => {
  test('runs up to `writers` writes of different users at once, and the next when one ends', async () => {
    const log: string[] = [];
    const q = new WriteQueue(2);
    const a = gated('a', [1, 2], false, log);
    const b = gated('b', [3, 4], false, log);
    const c = gated('c', [5], false, log);
    await q.submit(a.write);
    await q.submit(b.write);
    const third = q.submit(c.write);
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    b.finish();
    await third;
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    a.finish();
    c.finish();
    await q.drain();
    expect(log.filter((l) => l.startsWith('end')).sort()).toEqual(['end a', 'end b', 'end c']);
  });

  test('a write holding a user of one in flight waits for it, though a writer is free', async () => {
    const log: string[] = [];
    const q = new WriteQueue(3);
    const a = gated('a', [1, 2], false, log);
    const b = gated('b', [7, 2], false, log);
    await q.submit(a.write);
    const second = q.submit(b.write);
    await tick();
    expect(log).toEqual(['start a']);
    a.finish();
    await second;
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.finish();
    await q.drain();
  });

  test('nothing starts beside a barrier (a write adding courses or tags) until it ends', async () => {
    const log: string[] = [];
    const q = new WriteQueue(4);
    const a = gated('a', [1], true, log);
    const b = gated('b', [2], false, log);
    const c = gated('c', [3], false, log);
    await q.submit(a.write);
    const second = q.submit(b.write);
    await tick();
    expect(log).toEqual(['start a']);
    a.finish();
    await second;
    await q.submit(c.write);
    expect(log).toEqual(['start a', 'end a', 'start b', 'start c']);
    b.finish();
    c.finish();
    await q.drain();
  });

  test('after a failure nothing more starts, and the failure is thrown once the writes in flight end', async () => {
    const log: string[] = [];
    const q = new WriteQueue(2);
    const a = gated('a', [1], false, log);
    const b = gated('b', [2], false, log);
    const c = gated('c', [3], false, log);
    await q.submit(a.write);
    await q.submit(b.write);
    a.fail(new Error('constraint violated'));
    await tick();
    let settled = false;
    const third = q.submit(c.write).finally(() => (settled = true));
    await tick();
    expect(settled).toBe(false); // b is still in flight: the failure waits for it
    b.finish();
    await expect(third).rejects.toThrow('constraint violated');
    await expect(q.drain()).rejects.toThrow('constraint violated');
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b']);
  });

  describe('a write failing on contention', () => {
    class Contention extends Error {}
    const retryAlone = (err: unknown) => err instanceof Contention;

    /** A write whose attempts each wait to be told how to end. */
    function attempts(name: string, keys: (number | string)[], log: string[]) {
      const pending: { finish: () => void; fail: (err: Error) => void }[] = [];
      const write: Write = {
        keys: new Set(keys),
        barrier: false,
        run: () =>
          new Promise<void>((resolve, reject) => {
            log.push(`start ${name}`);
            pending.push({
              finish: () => {
                log.push(`end ${name}`);
                resolve();
              },
              fail: (err) => {
                log.push(`failed ${name}`);
                reject(err);
              },
            });
          }),
      };
      const attempt = (i: number) => {
        const p = pending[i];
        if (p === undefined) throw new Error(`${name} has not started attempt ${i + 1}`);
        return p;
      };
      return { write, attempt };
    }

    test('runs again once the others in flight end, with nothing beside it, before anything new', async () => {
      const log: string[] = [];
      const told: unknown[] = [];
      const q = new WriteQueue(3, { retryAlone, onRetryAlone: (err) => told.push(err) });
      const a = attempts('a', [1], log);
      const b = attempts('b', [2], log);
      const c = attempts('c', [1, 3], log); // shares user 1 with a
      const d = attempts('d', [4], log);
      await q.submit(a.write);
      await q.submit(b.write);
      const third = q.submit(c.write);
      a.attempt(0).fail(new Contention('deadlock'));
      await tick();
      expect(log).toEqual(['start a', 'start b', 'failed a']); // b still in flight: a waits, and so does c
      b.attempt(0).finish();
      await tick();
      expect(log).toEqual(['start a', 'start b', 'failed a', 'end b', 'start a']);
      a.attempt(1).finish();
      await third;
      const fourth = q.submit(d.write);
      await fourth;
      expect(log).toEqual(['start a', 'start b', 'failed a', 'end b', 'start a', 'end a', 'start c', 'start d']);
      c.attempt(0).finish();
      d.attempt(0).finish();
      await q.drain();
      expect(q.retriedAlone).toBe(1);
      expect(told).toEqual([new Contention('deadlock')]);
    });

    test('failing at the end is run again by drain', async () => {
      const log: string[] = [];
      const q = new WriteQueue(2, { retryAlone });
      const a = attempts('a', [1], log);
      await q.submit(a.write);
      const drained = q.drain();
      a.attempt(0).fail(new Contention('deadlock'));
      await tick();
      a.attempt(1).finish();
      await drained;
      expect(log).toEqual(['start a', 'failed a', 'start a', 'end a']);
    });

    test('failing again alone fails the import', async () => {
      const log: string[] = [];
      const q = new WriteQueue(2, { retryAlone });
      const a = attempts('a', [1], log);
      const b = attempts('b', [2], log);
      await q.submit(a.write);
      a.attempt(0).fail(new Contention('deadlock'));
      await tick();
      const second = q.submit(b.write);
      await tick();
      a.attempt(1).fail(new Contention('deadlock again'));
      await expect(second).rejects.toThrow('deadlock again');
      await expect(q.drain()).rejects.toThrow('deadlock again');
      expect(log).toEqual(['start a', 'failed a', 'start a', 'failed a']); // b never started
    });

    test('a failure retryAlone does not claim fails the import as before', async () => {
      const log: string[] = [];
      const q = new WriteQueue(2, { retryAlone });
      const a = attempts('a', [1], log);
      await q.submit(a.write);
      a.attempt(0).fail(new Error('constraint violated'));
      await expect(q.drain()).rejects.toThrow('constraint violated');
      expect(q.retriedAlone).toBe(0);
    });
  });

  test('refuses a writer count below one', () => {
    expect(() => new WriteQueue(0)).toThrow('writers: expected an integer >= 1, got 0');
  });
});
