// The user index (rows by handle, dense or hashed, answering as a map of the handles would) and the names' dictionary.
import { Dictionary, UserIndex } from '../../src/jobs/signals';

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

describe('Dictionary.sortFrom', () => {
  test('names added from an index on are put in name order, the earlier ones keep theirs; it says where each went', () => {
    const d = new Dictionary();
    for (const name of ['m', 'c', 'x', 'b', 'a']) d.id(name);
    const moved = d.sortFrom(2);
    expect(d.names).toEqual(['m', 'c', 'a', 'b', 'x']);
    expect(Array.from(moved!)).toEqual([0, 1, 4, 3, 2]);
    expect(['m', 'c', 'x', 'b', 'a'].map((n) => d.get(n))).toEqual([0, 1, 4, 3, 2]);
    expect(d.sortFrom(0)).not.toBeUndefined();
    expect(d.names).toEqual(['a', 'b', 'c', 'm', 'x']);
    expect(d.sortFrom(0)).toBeUndefined();
  });

  test('two reads of the same names in different orders number them alike', () => {
    const numbered = (order: string[]) => {
      const d = new Dictionary();
      for (const name of order) d.id(name);
      d.sortFrom(0);
      return order.map((n) => [n, d.get(n)]).sort();
    };
    expect(numbered(['tag-9', 'tag-10', 'python', 'c#'])).toEqual(numbered(['c#', 'python', 'tag-10', 'tag-9']));
  });
});
