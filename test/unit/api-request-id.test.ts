import { requestIdOf } from '../../src/api/request-log';

test('requestIdOf keeps sane client ids and replaces the rest with a UUID', () => {
  for (const ok of ['abc', 'client-id-42', 'a1b2c3d4-e5f6-7890-abcd-ef1234567890', 'trace:span/1', 'x'.repeat(128)]) {
    expect(requestIdOf(ok)).toBe(ok);
  }
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  for (const bad of [undefined, '', 'with space', 'x'.repeat(129), 'quote"d', 'new\nline', ['a', 'b']]) {
    expect(requestIdOf(bad)).toMatch(uuid);
  }
});
