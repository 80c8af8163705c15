// The typed registry of cypher/: the header format, the generator's refusals, and the registry covering every file.
import { statementFiles } from '../../scripts/cypher-codegen';
import { cypher, CYPHER_NAMES } from '../../src/graph/cypher';
import { CypherHeaderError, parseCypherHeader } from '../../src/graph/cypher-header';
import type { Graph } from '../../src/graph/executor';

const parse = (text: string) => parseCypherHeader('cypher/x.cypher', text);
const refusal = (text: string): string => {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CypherHeaderError);
    return (err as Error).message;
  }
  throw new Error('expected the header to be refused');
};

describe('the header format', () => {
  test('reads parameters and columns with nested, nullable types and trailing notes', () => {
    const h = parse(
      [
        '// What it does,',
        '// on two lines.',
        '// @param handles LIST<INTEGER>',
        '// @param $known INTEGER?  -1 for none',
        '// @column items LIST<{name: STRING, df: INTEGER, tags: LIST<STRING>?}>  one per tag',
        'UNWIND $handles AS h RETURN [] AS items, $known AS k',
      ].join('\n'),
    );
    expect(h.description).toBe('What it does, on two lines.');
    expect(h.params.map((p) => p.name)).toEqual(['handles', 'known']);
    expect(h.params[1]?.type).toEqual({ kind: 'INTEGER', nullable: true });
    expect(h.columns[0]?.type).toEqual({
      kind: 'LIST',
      nullable: false,
      of: {
        kind: 'MAP',
        nullable: false,
        fields: [
          { name: 'name', type: { kind: 'STRING', nullable: false } },
          { name: 'df', type: { kind: 'INTEGER', nullable: false } },
          { name: 'tags', type: { kind: 'LIST', nullable: true, of: { kind: 'STRING', nullable: false } } },
        ],
      },
    });
  });

  test.each([
    ['// Params: $model. Columns: n.\nRETURN $model AS n', /x\.cypher:1: .*'\/\/ @param name TYPE'.*not in prose/],
    ['// Does.\n// $users: [{handle: INTEGER}]\nUNWIND $users AS u RETURN u', /x\.cypher:2: declare the parameter as/],
    [
      '// Does.\n// @param model TEXT\nRETURN $model AS m',
      /x\.cypher:2: expected a type \(STRING, .*\), but got: TEXT/,
    ],
    ['// Does.\n// @param ids LIST<INTEGER\nRETURN $ids AS m', /x\.cypher:2: expected '>' closing LIST<\.\.\.>/],
    [
      '// Does.\n// @column m {a: INTEGER b: STRING}\nRETURN 1 AS m',
      /x\.cypher:2: expected ',' or '}' after field 'a'/,
    ],
    ['// Does.\n// @param model STRING,\nRETURN $model AS m', /x\.cypher:2: expected a space after the type of model/],
    ['// Does.\n// @returns m INTEGER\nRETURN 1 AS m', /x\.cypher:2: expected @param or @column, but got @returns/],
    ['// Does.\n// @column m INTEGER\n// @column m STRING\nRETURN 1 AS m', /x\.cypher:3: @column m is declared twice/],
    ['// Does.\n// @column m INTEGER\n// and more prose\nRETURN 1 AS m', /x\.cypher:3: .*but got prose/],
    ['// Does.\nRETURN $model AS m', /uses \$model but the header declares no @param for it/],
    ['// Does.\n// @param model STRING\nRETURN 1 AS m', /@param model declared but the statement never uses it/],
    ['RETURN 1 AS m', /x\.cypher:1: expected a header/],
    ['// Only a header.\n', /expected a statement after the header/],
  ])('refuses %j', (text, message) => {
    expect(refusal(text)).toMatch(message);
  });

  test('a $ inside a string literal is no parameter', () => {
    expect(parse("// Does.\nRETURN '$notAParam' AS m").params).toEqual([]);
  });
});

describe('the registry', () => {
  test('holds every .cypher file outside cypher/explore, and nothing else', () => {
    expect([...CYPHER_NAMES]).toEqual(statementFiles());
    expect(CYPHER_NAMES.length).toBeGreaterThan(50);
  });

  test('loads every statement without its header', () => {
    for (const name of CYPHER_NAMES) {
      const { text } = cypher(name);
      expect(text).not.toMatch(/^\s*\/\//m);
      expect(text.length).toBeGreaterThan(0);
    }
  });
});

// Never called: `npm run typecheck` proves the compiler refuses a wrong name, a missing parameter and an absent column.
export async function compileTimeChecks(graph: Graph): Promise<unknown[]> {
  // @ts-expect-error: no statement has this name
  const wrongName = cypher('similarity/read-modle');
  // @ts-expect-error: read-model takes $model
  const missing = await graph.read(cypher('similarity/read-model'), {});
  const [row] = await graph.read(cypher('similarity/read-model'), { model: 'als' });
  // @ts-expect-error: read-model returns no column 'default'
  const absent: unknown = row?.default;
  // @ts-expect-error: a statement that takes parameters cannot be run without them
  const none = await graph.write(cypher('similarity/set-metrics'));
  return [wrongName, missing, absent, none];
}
