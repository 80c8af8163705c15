// The user index: rows by handle, dense or hashed, answering as a map of the handles would.
import { UserIndex } from '../../src/jobs/signals';

const asMap = (handles: number[]) => new Map(handles.map((h, i) => [h, i]));

describe('UserIndex', () => {
  test.each([
    ['small integers, in any order (a dense table)', [5, 1, 9, 0, 3]],
    ['generated handles 1..n', Array.from({ length: 1000 }, (_, i) => i + 1)],
    ['handles far apart (a map)', [1, 7, 1e12, 2 ** 40 + 3]],
    ['negative and fractional handles (a map)', [-4, 2.5, 6, 0]],
    ['a repeated handle: its last row, as a map', [3, 8, 3]],
  ])('%s', (_name, handles) => {
    const index = new UserIndex(Float64Array.from(handles));
    const map = asMap(handles);
    expect(index.size).toBe(handles.length);
    const probes = [...handles, -1, -0, 0.5, 2, 4, 10, 1001, 1e12 + 1, 2 ** 53, NaN, Infinity];
    for (const h of probes) expect([h, index.row(h)]).toEqual([h, map.get(h)]);
  });
});
