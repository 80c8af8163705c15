// Shards of one similarity run: users split by a stable rule (a hash of the handle), so any process, on any
// machine, puts every user in the same shard.
import { badInput } from '../errors';

export interface Shard {
  /** 0-based index of this shard. */
  index: number;
  /** Shards in the run. */
  count: number;
  /** The run all shards belong to (they write one version together). */
  run: string;
}

/** FNV-1a (32 bits) of the handle's decimal digits: stable across processes, machines and Node versions. */
export function shardOf(handle: number, count: number): number {
  const text = String(handle);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/** The rows (user indices, ascending) whose handles fall in the shard. */
export function shardRows(handles: Float64Array, shard: Pick<Shard, 'index' | 'count'>): Int32Array {
  const out: number[] = [];
  for (let r = 0; r < handles.length; r++) if (shardOf(handles[r]!, shard.count) === shard.index) out.push(r);
  return Int32Array.from(out);
}

/** `--shard I/N` with `--run ID` (I in 0..N-1); undefined when neither is given. */
export function parseShard(shard: string | undefined, run: string | undefined): Shard | undefined {
  if (shard === undefined && run === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(shard ?? '');
  if (m === null) throw badInput(`--shard: expected I/N with 0 <= I < N (e.g. 0/4), got "${shard ?? ''}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && count <= 1024 && index < count)) {
    throw badInput(`--shard: expected I/N with 0 <= I < N <= 1024, got "${shard}"`);
  }
  if (run === undefined || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(run)) {
    throw badInput(
      `--run: expected the id all shards of one run share (letters, digits, . _ : -, up to 128), got "${run ?? ''}"`,
    );
  }
  return { index, count, run };
}
