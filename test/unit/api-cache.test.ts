// The neighbour cache's rules, over a small in-memory stand-in for the repository (no database involved).
import { NeighbourCache } from '../../src/api/cache';
import type { ApiRepository, ModelRow, NeighbourList } from '../../src/graph/api-repository';

class FakeRepo {
  version: number | null = 1;
  calls: number[][] = [];
  down = false;

  neighbours(handles: readonly number[]): Promise<NeighbourList[]> {
    if (this.down) return Promise.reject(new Error('down'));
    this.calls.push([...handles]);
    return Promise.resolve(
      handles.map((h) => ({
        found: h < 1000,
        version: this.version,
        neighbours: h < 1000 ? [{ handle: h + 1, score: 0.5, rank: 1 }] : [],
      })),
    );
  }

  forgotten(): Promise<{ count: number; handles: number[] | null }> {
    return Promise.resolve({ count: 0, handles: [] });
  }

  models(): Promise<ModelRow[]> {
    if (this.down) return Promise.reject(new Error('down'));
    const row: ModelRow = {
      name: 'cosine',
      version: this.version,
      trainedAt: null,
      writing: null,
      params: null,
      metrics: null,
      users: null,
      edges: null,
      validation: 0.2,
      isDefault: true,
      writingRun: null,
      shardsDone: null,
      shardCount: null,
      planOwner: null,
      planReady: null,
    };
    return Promise.resolve([row]);
  }
}

function setup(opts: ConstructorParameters<typeof NeighbourCache>[1] = {}) {
  const repo = new FakeRepo();
  const cache = new NeighbourCache(repo as unknown as ApiRepository, opts);
  return { repo, cache };
}

test('hits come from memory; only misses reach the repository, in one call, answers in key order', async () => {
  const { repo, cache } = setup();
  await cache.refresh();
  await cache.get([1, 2], 'cosine', 10);
  const lists = await cache.get([3, 1, 2], 'cosine', 10);
  expect(repo.calls).toEqual([[1, 2], [3]]);
  expect(lists.map((l) => l.neighbours[0]?.handle)).toEqual([4, 2, 3]);
  expect([cache.hits, cache.misses]).toEqual([2, 3]);
});

test('the limit is part of the key, unknown users are never kept', async () => {
  const { repo, cache } = setup();
  await cache.refresh();
  await cache.get([1], 'cosine', 10);
  await cache.get([1], 'cosine', 5);
  await cache.get([5000], 'cosine', 10);
  await cache.get([5000], 'cosine', 10);
  expect(repo.calls).toEqual([[1], [1], [5000], [5000]]);
});

test('a new active version makes old entries unreachable', async () => {
  const { repo, cache } = setup();
  await cache.refresh();
  await cache.get([1], 'cosine', 10);
  repo.version = 2;
  await cache.refresh();
  const [list] = await cache.get([1], 'cosine', 10);
  expect(list?.version).toBe(2);
  expect(repo.calls).toEqual([[1], [1]]);
});

test('without a recent confirmation of the versions nothing is served from memory', async () => {
  const { repo, cache } = setup({ staleMs: 20 });
  await cache.refresh();
  await cache.get([1], 'cosine', 10);
  repo.down = true;
  await cache.refresh();
  await new Promise((r) => setTimeout(r, 40));
  await expect(cache.get([1], 'cosine', 10)).rejects.toThrow('down');
});

test('the least recently used entry goes first when full', async () => {
  const { repo, cache } = setup({ maxEntries: 2 });
  await cache.refresh();
  await cache.get([1, 2], 'cosine', 10);
  await cache.get([1], 'cosine', 10); // 1 is now the most recent
  await cache.get([3], 'cosine', 10); // evicts 2
  repo.calls = [];
  await cache.get([1, 2, 3], 'cosine', 10);
  expect(repo.calls).toEqual([[2]]);
});

test('refreshes never overlap: a call while one is in flight joins it', async () => {
  const { repo, cache } = setup();
  let reads = 0;
  let answer: (() => void) | undefined;
  const models = repo.models.bind(repo);
  repo.models = () => {
    reads++;
    return new Promise<void>((r) => (answer = r)).then(() => models());
  };
  const first = cache.refresh();
  const second = cache.refresh();
  const third = cache.refresh();
  expect(reads).toBe(1);
  answer?.();
  await Promise.all([first, second, third]);
  // Once it is done, the next call reads again.
  const next = cache.refresh();
  answer?.();
  await next;
  expect(reads).toBe(2);
});
