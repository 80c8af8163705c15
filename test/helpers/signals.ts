// Seeded random signals for unit tests of the job's weighting and models.
import { Dictionary, TripleBuffer, UserIndex, type Signals } from '../../src/jobs/signals';
import { seededRandom } from '../../src/similarity/als';

/** Random signals: `users` users over 30 tags and 40 courses (some courses tagged), seeded. */
export function randomSignals(users: number, seed: number): Signals {
  const rand = seededRandom(seed);
  const tags = new Dictionary();
  const courses = new Dictionary();
  for (let t = 0; t < 30; t++) tags.id(`tag-${t}`);
  for (let c = 0; c < 40; c++) courses.id(`course-${c}`);
  const interests = new TripleBuffer();
  const views = new TripleBuffer();
  const assessments = new TripleBuffer();
  const courseTags = new TripleBuffer();
  // The catalogue first, so that a larger set holds the same courses and the same first users.
  for (let c = 0; c < 40; c++) for (let t = 0; t < 30; t++) if (rand() < 0.08) courseTags.push(c, t, 1);
  for (let r = 0; r < users; r++) {
    for (let t = 0; t < 30; t++) if (rand() < 0.15) interests.push(r, t, 1);
    for (let c = 0; c < 40; c++) if (rand() < 0.12) views.push(r, c, Math.floor(rand() < 0.1 ? 0 : rand() * 5000));
    for (let t = 0; t < 30; t++) if (rand() < 0.05) assessments.push(r, t, Math.floor(rand() * 300));
  }
  return {
    users: new UserIndex(Float64Array.from({ length: users }, (_, i) => i + 1)),
    tags,
    courses,
    interests: interests.toCsr(users, 30, 'max'),
    views: views.toCsr(users, 40, 'sum'),
    assessments: assessments.toCsr(users, 30, 'max'),
    courseTags: courseTags.toCsr(40, 30, 'max'),
  };
}
