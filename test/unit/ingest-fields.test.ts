import { parseCount, parseDate, parseDateTime, parseLevel, parseSignedInt } from '../../src/ingest/fields';
import { headerProblem, MAX_FIELD_CHARS, parseRecord, Rejection } from '../../src/ingest/tables';

describe('field parsers', () => {
  test('counts are non-negative decimal integers', () => {
    expect(parseCount('0')).toBe(0);
    expect(parseCount('10000')).toBe(10000);
    for (const bad of ['', '-1', '1.5', '1e3', 'abc', ' 1', '0x10', '1234567890123456']) {
      expect(parseCount(bad)).toBeUndefined();
    }
  });

  test('signed integers keep their sign so negative times can be named', () => {
    expect(parseSignedInt('-5')).toBe(-5);
    expect(parseSignedInt('+5')).toBe(5);
    expect(parseSignedInt('5.0')).toBeUndefined();
    expect(parseSignedInt('-')).toBeUndefined();
    expect(parseSignedInt('')).toBeUndefined();
    expect(parseSignedInt('notanumber')).toBeUndefined();
  });

  test('dates must exist in the calendar', () => {
    expect(parseDate('2017-06-27')).toBe('2017-06-27');
    expect(parseDate('2016-02-29')).toBe('2016-02-29');
    expect(parseDate('2000-02-29')).toBe('2000-02-29');
    expect(parseDate('1900-02-29')).toBeUndefined();
    expect(parseDate('2017-12-31')).toBe('2017-12-31');
    for (const bad of ['2017-02-29', '2017-13-01', '2017-00-10', '2017-06-31', '17-06-27', '2017/06/27', '']) {
      expect(parseDate(bad)).toBeUndefined();
    }
  });

  test('date-times come back in ISO form', () => {
    expect(parseDateTime('2017-06-27 16:26:52')).toBe('2017-06-27T16:26:52');
    expect(parseDateTime('2017-06-27T16:26:52')).toBe('2017-06-27T16:26:52');
    for (const bad of [
      '2017-06-27',
      '2017-06-27 24:00:00',
      '2017-06-27 16:60:00',
      '2017-06-27 16:26:5x',
      '2017-06-27_16:26:52',
      '2017-02-30 10:00:00',
      'x',
    ]) {
      expect(parseDateTime(bad)).toBeUndefined();
    }
  });

  test('levels in any case, returned canonically', () => {
    expect(parseLevel('beginner')).toBe('Beginner');
    expect(parseLevel('ADVANCED')).toBe('Advanced');
    expect(parseLevel('Expert')).toBeUndefined();
  });
});

function reason(r: unknown): string {
  expect(r).toBeInstanceOf(Rejection);
  return (r as Rejection).reason;
}

describe('parseRecord', () => {
  test('a view row becomes a typed row', () => {
    expect(parseRecord('user_course_views', ['1', '2017-06-27', 'react-js', '795', 'Beginner', '3593'])).toEqual({
      handle: 1,
      date: '2017-06-27',
      course: 'react-js',
      author: 795,
      level: 'Beginner',
      seconds: 3593,
    });
  });

  test.each([
    [['1', '2017-01-01', 'some-course', '5', 'Beginner', 'notanumber'], /view_time_seconds: expected .*"notanumber"/],
    [['2', '2017-01-01'], /expected 6 columns .* got 2/],
    [
      ['', '2017-01-01', 'some-course', '5', 'Beginner', '60'],
      /user_handle: expected a non-negative integer, got nothing/,
    ],
    [['x1', '2017-01-01', 'c', '5', 'Beginner', '60'], /user_handle: .*"x1"/],
    [['1', '2017-02-30', 'c', '5', 'Beginner', '60'], /view_date: expected a date YYYY-MM-DD, got "2017-02-30"/],
    [['1', '2017-01-01', '', '5', 'Beginner', '60'], /course_id: expected a course id, got nothing/],
    [['1', '2017-01-01', 'c', 'five', 'Beginner', '60'], /author_handle/],
    [['1', '2017-01-01', 'c', '5', 'Expert', '60'], /level: expected Beginner, Intermediate or Advanced, got "Expert"/],
    [['1', '2017-01-01', 'c', '5', 'Beginner', '-3'], /negative time/],
    [['1', '2017-01-01', 'c', '5', 'Beginner', '2.5'], /whole number of seconds/],
  ])('view row %j is rejected', (fields, why) => {
    expect(reason(parseRecord('user_course_views', fields))).toMatch(why);
  });

  test('interest tags are canonicalised and the raw form kept', () => {
    expect(parseRecord('user_interests', ['3', 'C-Sharp', '2017-06-27 16:26:52'])).toEqual({
      handle: 3,
      rawTag: 'C-Sharp',
      tag: 'c#',
      at: '2017-06-27T16:26:52',
    });
    expect(reason(parseRecord('user_interests', ['3', ' - ', '2017-06-27 16:26:52']))).toMatch(/interest_tag/);
    expect(reason(parseRecord('user_interests', ['3', 'java', '2017-06-27']))).toMatch(/date_followed/);
  });

  test('assessment scores are non-negative integers', () => {
    expect(parseRecord('user_assessment_scores', ['7487', 'c-sharp', '2017-01-02 03:04:05', '143'])).toEqual({
      handle: 7487,
      rawTag: 'c-sharp',
      tag: 'c#',
      at: '2017-01-02T03:04:05',
      score: 143,
    });
    expect(reason(parseRecord('user_assessment_scores', ['1', 'java', '2017-01-02 03:04:05', 'high']))).toMatch(
      /user_assessment_score: expected a non-negative integer score, got "high"/,
    );
  });

  test('a blank course tag is a course without a tag, not an error', () => {
    expect(parseRecord('course_tags', ['some-course', ''])).toEqual({ course: 'some-course', rawTag: '', tag: '' });
    expect(reason(parseRecord('course_tags', ['', 'java']))).toMatch(/course_id/);
  });
});

describe('headerProblem', () => {
  test('the right header passes', () => {
    expect(headerProblem('course_tags', ['course_id', 'course_tags'])).toBeUndefined();
  });

  test('a wrong header names expected and found columns', () => {
    const msg = headerProblem('user_course_views', ['user_handle', 'view_date', 'course', 'author_handle', 'level']);
    expect(msg).toContain('expected columns user_handle,view_date,course_id,author_handle,level,view_time_seconds');
    expect(msg).toContain('found user_handle,view_date,course,author_handle,level');
    expect(msg).toContain('missing course_id, view_time_seconds');
    expect(msg).toContain('unexpected course');
  });

  test('reordered columns and empty files are refused too', () => {
    expect(headerProblem('course_tags', ['course_tags', 'course_id'])).toContain('same columns in another order');
    expect(headerProblem('course_tags', undefined)).toContain('the file is empty');
  });
});

describe('field caps and encoding (parseRecord)', () => {
  test(`a field over ${MAX_FIELD_CHARS} characters is a rejection naming the column and the length`, () => {
    const row = parseRecord('course_tags', ['c1', 'x'.repeat(MAX_FIELD_CHARS + 1)]);
    expect(row).toBeInstanceOf(Rejection);
    expect((row as Rejection).reason).toMatch(/^course_tags: expected at most 256 characters, got 257 \("x+\.\.\."\)$/);
    expect(parseRecord('course_tags', ['c1', 'x'.repeat(MAX_FIELD_CHARS)])).not.toBeInstanceOf(Rejection);
  });

  test('U+FFFD (what invalid UTF-8 decodes to) is a rejection, not a tag', () => {
    const row = parseRecord('user_interests', ['1', 'caf\uFFFD', '2017-01-01 00:00:00']);
    expect((row as Rejection).reason).toMatch(
      /^interest_tag: expected UTF-8 text, got bytes that are not valid UTF-8 at character 4/,
    );
  });
});
