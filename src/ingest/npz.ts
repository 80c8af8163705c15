// Reads a numpy .npz (a zip of .npy arrays), e.g. a scipy CSR matrix saved by numpy: enough for the real behaviour
// structure (user_features_binary.npz) without numpy. Stored (0) and deflated (8) members; little-endian f8, i4,
// i8 and byte strings.
import fs from 'node:fs';
import zlib from 'node:zlib';

export interface NpyArray {
  descr: string;
  shape: number[];
  values: Float64Array | Int32Array | BigInt64Array | string[];
}

function readNpy(buf: Buffer): NpyArray {
  if (buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error('expected an .npy array (magic \\x93NUMPY), but got other bytes');
  }
  const major = buf.readUInt8(6);
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const body = buf.subarray(start);
  const aligned = new Uint8Array(body).buffer;
  switch (descr) {
    case '<f8':
      return { descr, shape, values: new Float64Array(aligned) };
    case '<i4':
      return { descr, shape, values: new Int32Array(aligned) };
    case '<i8':
      return { descr, shape, values: new BigInt64Array(aligned) };
    default: {
      const width = /^\|S(\d+)$/.exec(descr);
      if (width !== null) {
        // Fixed-width byte strings (e.g. scipy's 'format' member), NUL padding dropped.
        const w = Number(width[1]);
        const n = shape.reduce((a, b) => a * b, 1);
        const out: string[] = [];
        for (let i = 0; i < n; i++) out.push(body.toString('latin1', i * w, (i + 1) * w).replace(/\0+$/, ''));
        return { descr, shape, values: out };
      }
      throw new Error(`expected an .npy array of <f8, <i4, <i8 or |S, but got dtype ${descr || '(none)'}`);
    }
  }
}

/** The members of an .npz file by name (without .npy). */
export function readNpz(file: string): Map<string, NpyArray> {
  const zip = fs.readFileSync(file);
  const out = new Map<string, NpyArray>();
  // End of central directory: the last 22+ bytes; then walk the central directory entries.
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file}: expected a zip (npz) file, found no central directory`);
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressed);
    const body = method === 8 ? zlib.inflateRawSync(raw) : raw;
    out.set(name.replace(/\.npy$/, ''), readNpy(body));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
