import { metricsAccess, routeLabel } from '../../src/api/metrics';

describe('metricsAccess', () => {
  const token = 'a-token-of-sixteen-chars';
  test('without a token: closed in production, open otherwise', () => {
    expect(metricsAccess(undefined, true, undefined)).toBe(404);
    expect(metricsAccess(undefined, true, `Bearer ${token}`)).toBe(404);
    expect(metricsAccess(undefined, false, undefined)).toBe(200);
  });
  test('with a token, in any environment: only its bearer', () => {
    for (const production of [true, false]) {
      expect(metricsAccess(token, production, undefined)).toBe(401);
      expect(metricsAccess(token, production, `Basic ${token}`)).toBe(401);
      expect(metricsAccess(token, production, 'Bearer wrong')).toBe(403);
      expect(metricsAccess(token, production, `Bearer ${token}x`)).toBe(403);
      expect(metricsAccess(token, production, `Bearer ${token}`)).toBe(200);
      expect(metricsAccess(token, production, `bearer ${token}`)).toBe(200);
    }
  });
});

test('routeLabel names the known routes and folds everything else, so clients cannot grow the label set', () => {
  expect(routeLabel('/similar-users/')).toBe('/similar-users');
  expect(routeLabel('/api/similarity')).toBe('/api/similarity');
  expect(routeLabel('/')).toBe('/');
  expect(routeLabel('/graphiql/graphiql.min.js')).toBe('/graphiql/*');
  expect(routeLabel('/wp-admin/x')).toBe('other');
  expect(routeLabel('/assets/index-abc.js')).toBe('other');
});
