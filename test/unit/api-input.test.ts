// Parsing of user input at the API edge: handles, limits, models, cursors, and the error mapping.
import { decodeCursor, encodeCursor } from '../../src/api/graphql/cursor';
import { formatGraphQLError, graphqlCode, httpStatus } from '../../src/api/errors';
import { defaultModelOf, FALLBACK_MODEL, ModelName, parseHandle, parseLimit, parseModel } from '../../src/api/models';
import { AppError } from '../../src/errors';

test('handles: numbers and numeric strings; anything else says what arrived', () => {
  expect(parseHandle(110)).toBe(110);
  expect(parseHandle('110')).toBe(110);
  expect(parseHandle(' 7 ')).toBe(7);
  for (const bad of ['abc', '1.5', -1, 1.5, '', null, {}, '99999999999999999999']) {
    expect(() => parseHandle(bad, 'user_handle')).toThrow(/user_handle: expected .*got/);
  }
  expect(() => parseHandle('abc')).toThrow('got "abc"');
});

test('limits: 1..100, default when absent', () => {
  expect(parseLimit(undefined)).toBe(10);
  expect(parseLimit('5')).toBe(5);
  expect(parseLimit(100)).toBe(100);
  for (const bad of [0, 101, -3, 2.5, 'ten']) expect(() => parseLimit(bad)).toThrow(/expected an integer 1..100/);
});

test('models: stored names in any case; none given is null (the caller serves the default model)', () => {
  expect(parseModel(undefined)).toBeNull();
  expect(parseModel(null)).toBeNull();
  expect(parseModel('COURSE_VIEWS')).toBe(ModelName.COURSE_VIEWS);
  expect(parseModel('course-views')).toBe(ModelName.COURSE_VIEWS);
  expect(() => parseModel('pagerank')).toThrow(
    'model: expected one of interests, course_views, assessments, cosine, als, got "pagerank"',
  );
});

test('cursors round-trip and refuse foreign text', () => {
  expect(decodeCursor(encodeCursor(42))).toBe(42);
  expect(() => decodeCursor('bm9wZQ')).toThrow(/after: expected an endCursor/);
});

test('AppError codes map once to GraphQL codes and HTTP statuses', () => {
  expect([graphqlCode('BAD_USER_INPUT'), httpStatus('BAD_USER_INPUT')]).toEqual(['BAD_USER_INPUT', 400]);
  expect([graphqlCode('NOT_FOUND'), httpStatus('NOT_FOUND')]).toEqual(['NOT_FOUND', 404]);
  expect([graphqlCode('UNAVAILABLE'), httpStatus('UNAVAILABLE')]).toEqual(['UNAVAILABLE', 503]);
  expect([graphqlCode('INTERNAL'), httpStatus('INTERNAL')]).toEqual(['INTERNAL_SERVER_ERROR', 500]);
});

test('unexpected errors are masked outside development and shown in it', () => {
  const seen: unknown[] = [];
  const boom = new Error('secret detail');
  const formatted = { message: 'secret detail', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] } };
  expect(formatGraphQLError(formatted, boom, false, (e) => seen.push(e))).toEqual({
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
  expect(seen).toEqual([boom]);
  expect(formatGraphQLError(formatted, boom, true, () => undefined).message).toBe('secret detail');
  const down = new AppError('UNAVAILABLE', 'Neo4j is unavailable: connect ECONNREFUSED 127.0.0.1:7687');
  expect(formatGraphQLError({ message: down.message }, down, false, () => undefined)).toEqual({
    message: 'The graph database is unavailable; retry shortly',
    extensions: { code: 'UNAVAILABLE' },
  });
});

test('default model: the one the graph marks default among active models, else the fallback', () => {
  const row = (name: string, version: number | null, isDefault: boolean) => ({ name, version, isDefault });
  expect(defaultModelOf([row('als', 1, false), row('cosine', 2, true)])).toBe(ModelName.COSINE);
  expect(defaultModelOf([row('als', 1, false), row('cosine', null, true)])).toBe(FALLBACK_MODEL);
  expect(defaultModelOf([row('pagerank', 1, true)])).toBe(FALLBACK_MODEL);
  expect(defaultModelOf([])).toBe(FALLBACK_MODEL);
});
