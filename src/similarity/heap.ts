// A bounded top-k selector: keeps the k best (score descending, tie key ascending) candidates of one row.

/** Reusable top-k buffer; reset() before each row, offer() candidates, then drain() into the output row. */
export class TopK {
  readonly k: number;
  private size = 0;
  private readonly idx: Int32Array;
  private readonly score: Float64Array;
  private readonly key: Float64Array;

  constructor(k: number) {
    this.k = k;
    this.idx = new Int32Array(k);
    this.score = new Float64Array(k);
    this.key = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  /** Lowest score kept so far once full (candidates below it cannot enter), else -Infinity. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.score[0]!;
  }

  // The root holds the worst kept entry: lowest score, and among equal scores the largest key.
  private worse(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    return sa < sb || (sa === sb && this.key[a]! > this.key[b]!);
  }

  private swap(a: number, b: number): void {
    const i = this.idx[a]!;
    this.idx[a] = this.idx[b]!;
    this.idx[b] = i;
    const s = this.score[a]!;
    this.score[a] = this.score[b]!;
    this.score[b] = s;
    const q = this.key[a]!;
    this.key[a] = this.key[b]!;
    this.key[b] = q;
  }

  /** Considers candidate j with score s (already rounded as it will be reported) and tie key. */
  offer(j: number, s: number, key: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let c = this.size++;
      this.idx[c] = j;
      this.score[c] = s;
      this.key[c] = key;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!this.worse(c, parent)) break;
        this.swap(c, parent);
        c = parent;
      }
      return;
    }
    const s0 = this.score[0]!;
    if (s < s0 || (s === s0 && key >= this.key[0]!)) return;
    this.idx[0] = j;
    this.score[0] = s;
    this.key[0] = key;
    let c = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= n) break;
      const r = l + 1;
      const w = r < n && this.worse(r, l) ? r : l;
      if (!this.worse(w, c)) break;
      this.swap(w, c);
      c = w;
    }
  }

  /** Writes the kept entries best first into index/score at offset, padding with -1 / 0 up to k. */
  drain(index: Int32Array, score: Float32Array, offset: number): void {
    const n = this.size;
    // Heap-pop the worst repeatedly, filling from the back: best-first order without a comparator sort.
    for (let end = n - 1; end >= 0; end--) {
      index[offset + end] = this.idx[0]!;
      score[offset + end] = this.score[0]!;
      this.size = end;
      if (end === 0) break;
      this.idx[0] = this.idx[end]!;
      this.score[0] = this.score[end]!;
      this.key[0] = this.key[end]!;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= end) break;
        const r = l + 1;
        const w = r < end && this.worse(r, l) ? r : l;
        if (!this.worse(w, c)) break;
        this.swap(w, c);
        c = w;
      }
    }
    for (let j = n; j < this.k; j++) {
      index[offset + j] = -1;
      score[offset + j] = 0;
    }
    this.size = 0;
  }
}
