// The real degree distributions of user_features_binary.npz, for the generator's calibration bench.
import { readNpz } from '../src/ingest/npz';

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
