// The API's memo of each model's active weighting, over an in-memory stand-in for the repository.
import type { ApiRepository, WeightingRow } from '../../src/graph/api-repository';
import { ModelName } from '../../src/api/models';
import { WeightingMemo } from '../../src/api/weighting';

class FakeRepo {
  version = 1;
  reads = 0;

  weighting(_model: string, known: number | null): Promise<WeightingRow | null> {
    this.reads++;
    return Promise.resolve({
      version: this.version,
      params: { weights: { interests: 1, views: 0, courseTags: 0, assessments: 0 } },
      // As the query answers: no weighting when the caller holds this version's already.
      weighting: known === this.version ? null : { users: 100 * this.version },
    });
  }
}

const memoOf = (repo: FakeRepo) => new WeightingMemo(repo as unknown as ApiRepository);

test('get() asks which version is active on every call and keeps the weighting of the version it holds', async () => {
  const repo = new FakeRepo();
  const memo = memoOf(repo);
  expect((await memo.get(ModelName.COSINE))?.frozen).toEqual({ users: 100 });
  expect((await memo.get(ModelName.COSINE))?.frozen).toEqual({ users: 100 });
  expect(repo.reads).toBe(2);
  repo.version = 2;
  expect(await memo.get(ModelName.COSINE)).toMatchObject({ version: 2, frozen: { users: 200 } });
});

test('ofVersion() answers the version it holds without a query, and reads for any other', async () => {
  const repo = new FakeRepo();
  const memo = memoOf(repo);
  // Nothing held yet: one read.
  expect(await memo.ofVersion(ModelName.COSINE, 1)).toMatchObject({ version: 1, frozen: { users: 100 } });
  expect(repo.reads).toBe(1);
  // Held: no read.
  expect(await memo.ofVersion(ModelName.COSINE, 1)).toMatchObject({ version: 1, frozen: { users: 100 } });
  expect(repo.reads).toBe(1);
  // A list of version 2 once version 2 is active: read, then held.
  repo.version = 2;
  expect(await memo.ofVersion(ModelName.COSINE, 2)).toMatchObject({ version: 2, frozen: { users: 200 } });
  expect(await memo.ofVersion(ModelName.COSINE, 2)).toMatchObject({ version: 2 });
  expect(repo.reads).toBe(2);
  // A version that is not the active one has no weighting to give.
  expect(await memo.ofVersion(ModelName.COSINE, 1)).toBeNull();
  // Each model is held apart.
  expect(await memo.ofVersion(ModelName.INTERESTS, 2)).toMatchObject({ version: 2 });
  expect(repo.reads).toBe(4);
});
