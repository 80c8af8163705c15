import { ALIASES, canonicalTag, normaliseTagForm } from '../../src/tags';

describe('canonicalTag', () => {
  test.each([
    ['c-sharp', 'c#'],
    ['csharp', 'c#'],
    ['c#', 'c#'],
    ['C-Plus-Plus', 'c++'],
    ['cpp', 'c++'],
    ['node-js', 'nodejs'],
    ['react', 'react.js'],
    ['angular-js', 'angular'],
    ['Cloud-computing', 'cloud-computing'],
    ['  Team Foundation_Server ', 'team-foundation-server'],
    ['--data--analysis-', 'data-analysis'],
    ['comptia-a+', 'comptia-a+'],
  ])('%s -> %s', (raw, canonical) => {
    expect(canonicalTag(raw)).toBe(canonical);
  });

  test('blank input leaves nothing', () => {
    expect(canonicalTag('  - ')).toBe('');
  });

  test('every alias is already in normal form and maps to a name that is not itself an alias', () => {
    for (const [alias, target] of Object.entries(ALIASES)) {
      expect(normaliseTagForm(alias)).toBe(alias);
      expect(ALIASES[target]).toBeUndefined();
    }
  });
});
