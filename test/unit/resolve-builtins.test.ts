// bin/resolve-builtins.js: built-in modules resolve to themselves before any require hook; everything else is
// left to the hooks (tsx's, in the CLI) and Node.
import Module from 'node:module';
import path from 'node:path';

type Resolve = (request: string, parent?: unknown, isMain?: boolean) => string;
const internals = Module as unknown as { _resolveFilename: Resolve };

test('built-ins skip the hooks; other requests reach them', () => {
  const seen: string[] = [];
  const original = internals._resolveFilename;
  // A hook standing in for tsx's, installed before the fast path as in bin/similar-users.js.
  internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    seen.push(request);
    return (original as (...a: unknown[]) => string).call(this, request, ...rest);
  };
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../bin/resolve-builtins');
    });
    expect(internals._resolveFilename('crypto')).toBe('crypto');
    expect(internals._resolveFilename('node:crypto')).toBe('node:crypto');
    expect(seen).toEqual([]);
    const own = path.join(__dirname, '..', '..', 'bin', 'resolve-builtins.js');
    expect(internals._resolveFilename(own)).toBe(own);
    expect(seen).toEqual([own]);
  } finally {
    internals._resolveFilename = original;
  }
});
