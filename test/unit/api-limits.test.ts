// GraphQL request limits without a server: node and alias caps with fragments expanded, and an estimator that
// cannot price a query refusing it (400) instead of letting it through.
import { buildSchema, GraphQLError, parse, type OperationDefinitionNode } from 'graphql';
import { loadTypeDefs } from '../../src/api/server';
import {
  checkShape,
  complexityPlugin,
  LIVE_SCAN_COST,
  MAX_ALIASES,
  MAX_COMPLEXITY,
} from '../../src/api/graphql/limits';
import { PROJECT_ROOT } from '../../src/config';

const schema = buildSchema(loadTypeDefs(PROJECT_ROOT).join('\n'));

function refusal(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GraphQLError) return err;
    throw err;
  }
  throw new Error('expected a refusal, got none');
}

/** Runs the complexity plugin's check as Apollo would after resolving the operation. */
async function price(query: string, variables: Record<string, unknown> = {}): Promise<void> {
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const hooks = await complexityPlugin().requestDidStart?.({} as never);
  await hooks?.didResolveOperation?.({ request: { variables }, document, schema, operation } as never);
}

test('fragments count as often as they are spread', () => {
  const doc = parse(
    `{ user(handle: "1") { ...A } } fragment A on User { ${'...B '.repeat(40)} } fragment B on User { ${'...C '.repeat(40)} } fragment C on User { handle }`,
  );
  const err = refusal(() => checkShape(doc, undefined));
  expect(err.message).toBe('Query too large: expected at most 1000 fields with fragments expanded, got more than 1000');
  expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
});

test('aliases are capped, in fragments too', () => {
  const aliases = Array.from({ length: MAX_ALIASES + 1 }, (_x, i) => `a${i}: handle`).join(' ');
  const err = refusal(() =>
    checkShape(parse(`{ user(handle: "1") { ...F } } fragment F on User { ${aliases} }`), undefined),
  );
  expect(err.message).toContain(`expected at most ${MAX_ALIASES} aliased fields`);
  expect(() => checkShape(parse('{ a: models { name } b: models { name } }'), undefined)).not.toThrow();
});

test('a query the estimator cannot price is refused, not let through', async () => {
  await expect(
    price('query($l: Int) { user(handle: "1") { similarUsers(limit: $l) { handle } } }', { l: 'ten' }),
  ).rejects.toThrow(/^Variable "\$l" got invalid value "ten"/);
  await expect(price('{ user(handle: "1") { similarUsers(limit: 0) { handle } } }')).rejects.toThrow(
    'limit: expected an integer 1..100, got 0',
  );
  await expect(price('{ user(handle: "1") { similarUsers(limit: 5) { handle } } }')).resolves.toBeUndefined();
});

test('live previews scan every user: a request holds only a few', async () => {
  const preview = (n: number) =>
    `{ ${Array.from({ length: n }, (_x, i) => `p${i}: previewSimilarUsers(interests: ["python"]) { neighbours { handle } }`).join(' ')} }`;
  const few = Math.floor(MAX_COMPLEXITY / LIVE_SCAN_COST) - 1;
  await expect(price(preview(few))).resolves.toBeUndefined();
  await expect(price(preview(few + 2))).rejects.toThrow(/^Query too complex/);
  await expect(price('{ previewSimilarUsers(interests: ["python"], limit: 101) { live } }')).rejects.toThrow(
    'limit: expected an integer 1..100, got 101',
  );
});

test('only queries run', async () => {
  const err = await price('subscription { models { name } }').catch((e: unknown) => e);
  expect((err as GraphQLError).message).toBe(
    'expected a query operation, got a subscription (this API defines queries only)',
  );
});

test('fields that read Neo4j cost a query each, aliases included', async () => {
  const aliased = Array.from(
    { length: 45 },
    (_x, i) => `a${i}: users(first: 100) { totalCount edges { node { handle } } }`,
  );
  const err = await price(`{ ${aliased.join(' ')} }`).catch((e: unknown) => e);
  expect((err as GraphQLError).message).toMatch(/^Query too complex: expected a complexity of at most 20000, got \d+/);
  // The page's own neighbourhood query stays well inside the budget.
  await expect(
    price(
      '{ user(handle: "1") { handle interests { name } similarUsers(limit: 10) { handle score rank reasons(limit: 3) { kind item share } user { interests { name } similarUsers(limit: 10) { handle score } } } } }',
    ),
  ).resolves.toBeUndefined();
});

/** One parsed document priced again and again, as Apollo's document store hands back the same one per query text. */
function pricer(query: string): (variables?: Record<string, unknown>) => Promise<void> {
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const plugin = complexityPlugin();
  return async (variables = {}) => {
    const hooks = await plugin.requestDidStart?.({} as never);
    await hooks?.didResolveOperation?.({ request: { variables }, document, schema, operation } as never);
  };
}

test('a kept price follows the variables that set it: sizes and @include', async () => {
  const users = (n: number) => `a${n}: users(first: $n) @include(if: $all) { totalCount edges { node { handle } } }`;
  const run = pricer(
    `query($n: Int, $all: Boolean!, $h: ID!) { user(handle: $h) { handle } ${Array.from({ length: 45 }, (_x, i) => users(i)).join(' ')} }`,
  );
  await expect(run({ n: 1, all: true, h: '1' })).resolves.toBeUndefined();
  // The same document with other values of its cost variables is priced again: refused above the budget.
  await expect(run({ n: 100, all: true, h: '1' })).rejects.toThrow(/^Query too complex/);
  await expect(run({ n: 100, all: false, h: '2' })).resolves.toBeUndefined();
  await expect(run({ n: 100, all: true, h: '3' })).rejects.toThrow(/^Query too complex/);
  await expect(run({ n: 'many', all: true, h: '1' })).rejects.toThrow(/^Variable "\$n" got invalid value "many"/);
  await expect(run({ n: 0, all: true, h: '1' })).rejects.toThrow('first: expected an integer 1..100, got 0');
  // A price kept for n = 1 stays right whatever the other variables are.
  await expect(run({ n: 1, all: true, h: '4' })).resolves.toBeUndefined();
});

test('a shape refused once is refused every time', async () => {
  const aliases = Array.from({ length: MAX_ALIASES + 1 }, (_x, i) => `a${i}: handle`).join(' ');
  const run = pricer(`query($h: ID!) { user(handle: $h) { ${aliases} } }`);
  await expect(run({ h: '1' })).rejects.toThrow(/^Too many aliases/);
  await expect(run({ h: '1' })).rejects.toThrow(/^Too many aliases/);
});
