// Reads a numpy .npz (a zip of .npy arrays) holding a scipy CSR matrix, without numpy: enough to take the
// real degree distributions from user_features_binary.npz for the generator's calibration bench.
import fs from 'node:fs';
import zlib from 'node:zlib';

interface NpyArray {
  descr: string;
  shape: number[];
  values: Float64Array | Int32Array | BigInt64Array;
}

function readNpy(buf: Buffer): NpyArray {
  if (buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error('not an .npy array');
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
    default:
      return { descr, shape, values: new Float64Array(0) };
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

/** Degrees of the real matrix: distinct interest tags per user (clean columns) and courses per viewer / viewers per course. */
export function realDegrees(file: string): {
  tagsPerUser: number[];
  coursesPerViewer: number[];
  viewersPerCourse: number[];
} {
  const npz = readNpz(file);
  const indptr = npz.get('indptr')?.values;
  const indices = npz.get('indices')?.values;
  if (!(indptr instanceof Int32Array) || !(indices instanceof Int32Array)) {
    throw new Error(`${file}: expected int32 indptr and indices arrays`);
  }
  // Interest columns named like a course id hold course flags (CALIBRATION.md): leave them out of both sides.
  const collisions = new Set([
    1, 8, 32, 148, 151, 187, 227, 235, 313, 358, 374, 375, 408, 475, 506, 512, 517, 552, 570, 571, 578, 587, 695,
  ]);
  const tagsPerUser: number[] = [];
  const coursesPerViewer: number[] = [];
  const viewers = new Map<number, number>();
  for (let r = 0; r + 1 < indptr.length; r++) {
    let tags = 0;
    let courses = 0;
    for (let k = indptr[r] as number; k < (indptr[r + 1] as number); k++) {
      const c = indices[k] as number;
      if (c >= 1 && c <= 748 && !collisions.has(c)) tags++;
      else if (c >= 749) {
        courses++;
        viewers.set(c, (viewers.get(c) ?? 0) + 1);
      }
    }
    tagsPerUser.push(tags);
    if (courses > 0) coursesPerViewer.push(courses);
  }
  return { tagsPerUser, coursesPerViewer, viewersPerCourse: [...viewers.values()] };
}
