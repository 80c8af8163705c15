import {
  AssessmentsBatch,
  CourseTagsBatch,
  InterestsBatch,
  ViewsBatch,
  writtenCourses,
  writtenTags,
} from '../../src/ingest/batch';
import { Rejection, type ViewRow } from '../../src/ingest/tables';

const view = (handle: number, date: string, course: string, seconds: number, level = 'Beginner' as const): ViewRow => ({
  handle,
  date,
  course,
  author: 9,
  level,
  seconds,
});

describe('ViewsBatch', () => {
  test('aggregates daily rows per (user, course) with days in date order', () => {
    const b = new ViewsBatch(writtenCourses());
    b.add(view(1, '2017-06-28', 'css', 100), 2);
    b.add(view(1, '2017-06-27', 'css', 50), 3);
    b.add(view(1, '2017-06-27', 'html', 7), 4);
    b.add(view(2, '2017-07-01', 'css', 1), 5);
    expect(b.rows).toBe(4);
    const w = b.take();
    expect(w.users).toEqual([
      {
        handle: 1,
        views: [
          { course: 'css', dates: ['2017-06-27', '2017-06-28'], secs: [50, 100], seconds: 150 },
          { course: 'html', dates: ['2017-06-27'], secs: [7], seconds: 7 },
        ],
      },
      { handle: 2, views: [{ course: 'css', dates: ['2017-07-01'], secs: [1], seconds: 1 }] },
    ]);
    expect(w.courses).toEqual([
      { id: 'css', level: 'Beginner', author: 9 },
      { id: 'html', level: 'Beginner', author: 9 },
    ]);
    expect(b.rows).toBe(0);
  });

  test('courses already written in this run are not sent again', () => {
    const written = writtenCourses();
    const b = new ViewsBatch(written);
    b.add(view(1, '2017-06-28', 'css', 100), 2);
    expect(b.take().courses).toHaveLength(1);
    b.add(view(2, '2017-06-28', 'css', 100), 3);
    expect(b.take().courses).toHaveLength(0);
  });

  test('another time for the same user, course and day is rejected, naming the first line', () => {
    const b = new ViewsBatch(writtenCourses());
    expect(b.add(view(1, '2017-06-28', 'css', 100), 2)).toBeUndefined();
    const r = b.add(view(1, '2017-06-28', 'css', 200), 7);
    expect(r).toBeInstanceOf(Rejection);
    expect(r?.reason).toMatch(/user 1, course css on 2017-06-28 \(line 2, 100 s\)/);
    expect(b.rows).toBe(1);
  });
});

describe('InterestsBatch', () => {
  test('one entry per canonical tag with distinct sorted times; every raw spelling becomes an alias', () => {
    const b = new InterestsBatch(writtenTags());
    b.add({ handle: 1, rawTag: 'c#', tag: 'c#', at: '2017-06-27T16:27:34' });
    b.add({ handle: 1, rawTag: 'csharp', tag: 'c#', at: '2017-06-27T16:26:52' });
    b.add({ handle: 1, rawTag: 'c#', tag: 'c#', at: '2017-06-27T16:26:52' });
    const w = b.take();
    expect(w.users).toEqual([
      { handle: 1, tags: [{ name: 'c#', times: ['2017-06-27T16:26:52', '2017-06-27T16:27:34'] }] },
    ]);
    expect(w.tags).toEqual([{ name: 'c#', aliases: ['c#', 'csharp'] }]);
  });

  test('tag spellings written once are not sent again', () => {
    const written = writtenTags();
    const b = new InterestsBatch(written);
    b.add({ handle: 1, rawTag: 'java', tag: 'java', at: '2017-06-27T16:27:34' });
    expect(b.take().tags).toHaveLength(1);
    b.add({ handle: 2, rawTag: 'java', tag: 'java', at: '2017-06-27T16:27:34' });
    expect(b.take().tags).toHaveLength(0);
  });
});

describe('AssessmentsBatch', () => {
  test('one attempt per (tag, time); another score for it is rejected, the same score is the same attempt', () => {
    const b = new AssessmentsBatch(writtenTags());
    expect(
      b.add({ handle: 5, rawTag: 'c-sharp', tag: 'c#', at: '2017-01-01T00:00:00', score: 100 }, 2),
    ).toBeUndefined();
    expect(b.add({ handle: 5, rawTag: 'csharp', tag: 'c#', at: '2017-01-01T00:00:00', score: 100 }, 3)).toBeUndefined();
    expect(b.add({ handle: 5, rawTag: 'c#', tag: 'c#', at: '2017-01-01T00:00:00', score: 90 }, 4)?.reason).toMatch(
      /another score .* \(line 2, score 100\)/,
    );
    const w = b.take();
    expect(w.users).toEqual([{ handle: 5, attempts: [{ tag: 'c#', at: '2017-01-01T00:00:00', score: 100 }] }]);
    expect(w.tags).toEqual([{ name: 'c#', aliases: ['c-sharp', 'csharp'] }]);
  });
});

describe('CourseTagsBatch', () => {
  test('a blank tag keeps the course without tags', () => {
    const b = new CourseTagsBatch(writtenTags());
    b.add({ course: 'a', rawTag: '', tag: '' });
    b.add({ course: 'b', rawTag: 'Cloud-computing', tag: 'cloud-computing' });
    b.add({ course: 'b', rawTag: 'cloud-computing', tag: 'cloud-computing' });
    const w = b.take();
    expect(w.courses).toEqual([
      { id: 'a', tags: [] },
      { id: 'b', tags: ['cloud-computing'] },
    ]);
    expect(w.tags).toEqual([{ name: 'cloud-computing', aliases: ['Cloud-computing', 'cloud-computing'] }]);
  });
});

describe('Written', () => {
  test('starts over past its cap instead of growing', () => {
    const k = writtenTags(2);
    k.add('a', 'a');
    k.add('b', 'b');
    k.add('c', 'C');
    expect(k.has('a', 'a')).toBe(false);
    expect(k.has('c', 'C')).toBe(true);
  });

  test('a course is known per level and author', () => {
    const k = writtenCourses();
    k.add('css', { level: 'Beginner', author: 1 });
    expect(k.has('css', { level: 'Beginner', author: 1 })).toBe(true);
    expect(k.has('css', { level: 'Beginner', author: 2 })).toBe(false);
  });
});

test('a course seen with a second author in the same batch is written for both', () => {
  const b = new ViewsBatch(writtenCourses());
  b.add(view(1, '2017-06-28', 'css', 100), 2);
  b.add({ ...view(2, '2017-06-28', 'css', 100), author: 10 }, 3);
  b.add({ ...view(3, '2017-06-28', 'css', 100), author: 10 }, 4);
  expect(b.take().courses).toEqual([
    { id: 'css', level: 'Beginner', author: 9 },
    { id: 'css', level: 'Beginner', author: 10 },
  ]);
});
