import { seededRandom } from '../../src/similarity/als';
import {
  applyDelta,
  CompactListsBuilder,
  decodeLists,
  eachCompactList,
  encodeLists,
  readerOrder,
  type CompactLists,
} from '../../src/jobs/list-blobs';
import { listAsStored, listChange, SCORE_TIE } from '../../src/jobs/incremental';
import { decodeSignal, encodeSignal } from '../../src/jobs/signal-blobs';
import { csrFromTriples } from '../../src/similarity/csr';

/** Random lists: users with handles 10, 20, ... and 0-12 neighbours each, some scores tied, some not float32. */
function randomLists(users: number, seed: number): Array<{ h: number; n: number[]; s: number[] }> {
  const random = seededRandom(seed);
  return Array.from({ length: users }, (_, i) => {
    const len = Math.floor(random() * 13);
    const n = Array.from({ length: len }, (_, j) => (i * 31 + j * 7) % (users * 10));
    const s = n.map(() => (random() < 0.2 ? 0.5 : random()));
    return { h: (i + 1) * 10, n, s };
  });
}

function listsOf(c: CompactLists): Array<{ h: number; n: number[]; s: number[] }> {
  const out: Array<{ h: number; n: number[]; s: number[] }> = [];
  eachCompactList(c, (h, n, s) => out.push({ h, n: [...n], s: [...s] }));
  return out;
}

describe('compact lists (a version lists stored as chunks)', () => {
  it('orders a list as readers do: score descending, then handle, exactly', () => {
    expect(readerOrder([5, 3, 9, 1], [0.5, 0.5, 0.9, 0.5 + 1e-9])).toEqual({
      n: [9, 1, 3, 5],
      s: [0.9, 0.5 + 1e-9, 0.5, 0.5],
    });
  });

  it('round-trips every list through chunks of any size, scores exactly, empty lists left out', () => {
    const input = randomLists(300, 7);
    const b = new CompactListsBuilder();
    for (const l of input) b.add(l.h, l.n, l.s);
    const built = b.build();
    const expected = input.filter((l) => l.n.length > 0).map((l) => ({ h: l.h, ...readerOrder(l.n, l.s) }));
    expect(listsOf(built)).toEqual(expected);
    for (const maxBytes of [1, 200, 5_000, 1 << 22]) {
      const chunks = encodeLists(built, maxBytes);
      expect(chunks.every((c) => c.chunks === chunks.length && c.users >= 1)).toBe(true);
      expect(chunks.reduce((n, c) => n + c.users, 0)).toBe(expected.length);
      // Chunks may arrive in any order; decoding puts them back.
      const decoded = decodeLists([...chunks].reverse());
      expect(decoded).not.toBeNull();
      expect(listsOf(decoded!)).toEqual(expected);
    }
    expect(encodeLists(built, 1)).toHaveLength(expected.length);
    expect(encodeLists(built)).toHaveLength(1);
  });

  it('gives null for missing chunks or none, and says what a damaged chunk holds', () => {
    const b = new CompactListsBuilder();
    b.add(1, [2, 3], [0.9, 0.8]);
    b.add(2, [1], [0.9]);
    const chunks = encodeLists(b.build(), 1);
    expect(chunks).toHaveLength(2);
    expect(decodeLists([])).toBeNull();
    expect(decodeLists([chunks[1]!])).toBeNull();
    const damaged = { ...chunks[0]!, scores: Buffer.from(new Float64Array([0.9]).buffer).toString('base64') };
    expect(() => decodeLists([damaged, chunks[1]!])).toThrow(
      'lists chunk 0 scores: expected 2 values (16 bytes), but got 8 bytes',
    );
    expect(() => b.add(3, [1, 2], [0.5])).toThrow('expected as many scores as neighbours, but got 1 scores for 2');
  });

  it('keeps a list already in reader order as it is and orders the others, ties by handle', () => {
    const b = new CompactListsBuilder();
    b.add(1, [4, 2, 3], [0.9, 0.5, 0.5]);
    b.add(2, [4, 3, 2], [0.9, 0.5, 0.5]);
    b.add(3, [4, 2], [0.5, 0.9]);
    expect(listsOf(b.build())).toEqual([
      { h: 1, n: [4, 2, 3], s: [0.9, 0.5, 0.5] },
      { h: 2, n: [4, 2, 3], s: [0.9, 0.5, 0.5] },
      { h: 3, n: [2, 4], s: [0.9, 0.5] },
    ]);
  });

  it('keeps empty lists when asked (a delta), through chunks too', () => {
    const b = new CompactListsBuilder({ keepEmpty: true });
    b.add(1, [], []);
    b.add(2, [1], [0.5]);
    b.add(3, [], []);
    expect(b.users).toBe(3);
    const back = decodeLists(encodeLists(b.build(), 1));
    expect(listsOf(back!)).toEqual([
      { h: 1, n: [], s: [] },
      { h: 2, n: [1], s: [0.5] },
      { h: 3, n: [], s: [] },
    ]);
  });

  it('applies a delta to its base: lists replaced, emptied and added, the others kept', () => {
    const input = randomLists(200, 11);
    const base = new CompactListsBuilder();
    for (const l of input) base.add(l.h, l.n, l.s);
    const delta = new CompactListsBuilder({ keepEmpty: true });
    const expected = new Map(input.filter((l) => l.n.length > 0).map((l) => [l.h, readerOrder(l.n, l.s)]));
    const changes = randomLists(60, 12).map((l, i) => ({ ...l, h: (i * 7 + 1) * 10 + (i % 4 === 0 ? 5 : 0) }));
    for (const [i, l] of changes.entries()) {
      // Every fifth change empties the list (or leaves a new user without one).
      const n = i % 5 === 0 ? [] : l.n;
      const sc = i % 5 === 0 ? [] : l.s;
      delta.add(l.h, n, sc);
      if (n.length > 0) expected.set(l.h, readerOrder(n, sc));
      else expected.delete(l.h);
    }
    const merged = applyDelta(base.build(), decodeLists(encodeLists(delta.build(), 500))!);
    const got = new Map(listsOf(merged).map((l) => [l.h, { n: l.n, s: l.s }]));
    expect(got.size).toBe(expected.size);
    expect([...got].sort((a, b) => a[0] - b[0])).toEqual([...expected].sort((a, b) => a[0] - b[0]));
  });

  it('stores an incremental list as its edges read: an unchanged edge keeps its previous score', () => {
    const previous = { rows: Int32Array.from([4, 7, 2]), scores: Float64Array.from([0.9, 0.8, 0.7]) };
    const next = {
      rows: Int32Array.from([7, 4, 5]),
      scores: Float64Array.from([0.9, 0.9 - SCORE_TIE / 2, 0.6]),
    };
    const stored = listAsStored(previous, next);
    // 4 keeps its edge (within the tie) and so its stored score; 7 was rescored (a new edge); 5 is new.
    expect([...stored.rows]).toEqual([7, 4, 5]);
    expect([...stored.scores]).toEqual([0.9, 0.9, 0.6]);
    const c = listChange(previous, next);
    expect([...c.end].sort()).toEqual([2, 7]);
    expect([...c.add.rows]).toEqual([7, 5]);
  });
});

describe('stored signal rows', () => {
  it('round-trips the non-empty rows of a matrix through chunks of any size', () => {
    const random = seededRandom(3);
    const rows = 200;
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < rows; i++) {
      if (i % 7 === 0) continue; // empty rows are left out
      const n = 1 + Math.floor(random() * 6);
      for (let j = 0; j < n; j++) {
        r.push(i);
        c.push(Math.floor(random() * 50));
        v.push(Math.fround(random() * 100));
      }
    }
    const m = csrFromTriples(rows, 50, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'sum');
    const handles = Float64Array.from({ length: rows }, (_, i) => 1000 + 3 * i);
    for (const maxBytes of [1, 300, 1 << 22]) {
      const chunks = encodeSignal('views', m, handles, maxBytes);
      const back = decodeSignal([...chunks].reverse(), 50)!;
      const got: Record<number, string> = {};
      for (let i = 0; i < back.handles.length; i++) {
        const e: string[] = [];
        for (let p = back.offsets[i]!; p < back.offsets[i + 1]!; p++) e.push(`${back.cols[p]}=${back.vals[p]}`);
        got[back.handles[i]!] = e.join(' ');
      }
      const want: Record<number, string> = {};
      for (let i = 0; i < rows; i++) {
        const e: string[] = [];
        for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) e.push(`${m.indices[p]}=${m.data[p]}`);
        if (e.length > 0) want[handles[i]!] = e.join(' ');
      }
      expect(got).toEqual(want);
    }
    expect(decodeSignal(encodeSignal('views', m, handles, 300).slice(1), 50)).toBeNull();
    expect(() => decodeSignal(encodeSignal('views', m, handles), 10)).toThrow(/expected columns in 0..9, but got/);
  });
});
