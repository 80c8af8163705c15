// The executor behind Apollo answers as graphql-js does: the same operations and variables, run through
// executeOperation until graphql-jit serves them (from the second run), give the same data and the same errors
// (message, path, locations, the resolver's own error), over stub data.
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  execute,
  Kind,
  parse,
  print,
  type DocumentNode,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import type { ApiRepository } from '../../src/graph/api-repository';
import type { NeighbourSource } from '../../src/api/cache';
import { createContext } from '../../src/api/graphql/context';
import { executeOperation } from '../../src/api/graphql/executor';
import { resolvers } from '../../src/api/graphql/resolvers';
import { ModelName } from '../../src/api/models';
import { loadTypeDefs } from '../../src/api/server';
import { PROJECT_ROOT } from '../../src/config';
import {
  ModelsDocument,
  NeighbourhoodDocument,
  UserProfileDocument,
  UsersWithNeighboursDocument,
} from '../../src/generated/client/graphql';

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(PROJECT_ROOT), resolvers });

/** Users 1..5 exist; user n's neighbours are the others, best first. */
const exists = (h: number) => h >= 1 && h <= 5;
const neighboursOf = (h: number) =>
  [1, 2, 3, 4, 5].filter((x) => x !== h).map((x, i) => ({ handle: x, score: 0.9 - i / 10, rank: i + 1 }));

const source: NeighbourSource = {
  get: (handles) =>
    Promise.resolve(
      handles.map((h) => ({
        found: exists(h),
        version: exists(h) ? 3 : null,
        neighbours: exists(h) ? neighboursOf(h) : [],
      })),
    ),
  defaultModel: () => Promise.resolve(ModelName.COSINE),
  weighting: () => Promise.resolve(null),
  preview: () => Promise.resolve(null),
};

const repo = {
  usersExist: (hs: readonly number[]) => Promise.resolve(hs.map(exists)),
  interests: (hs: readonly number[]) => Promise.resolve(hs.map((h) => [{ name: `tag-${h}`, df: 2 }])),
  viewedCourses: (hs: readonly number[]) =>
    Promise.resolve(
      hs.map((h) => [{ courseId: `c${h}`, level: 'beginner', seconds: 60 * h, days: 1, df: 1, tags: [] }]),
    ),
  assessments: (hs: readonly number[]) =>
    Promise.resolve(hs.map((h) => [{ tag: `a${h}`, score: 100 + h, takenAt: null, df: 1 }])),
  models: () =>
    Promise.resolve([
      {
        name: 'cosine',
        version: 3,
        trainedAt: '2026-01-01T00:00:00Z',
        writing: null,
        params: { k: 10 },
        metrics: null,
        users: 5,
        edges: 20,
        validation: 0.2,
        isDefault: true,
        writingRun: null,
        shardsDone: null,
      },
    ]),
  userCount: () => Promise.resolve(5),
  usersPage: (after: number, take: number) =>
    Promise.resolve(
      [1, 2, 3, 4, 5]
        .filter((h) => h > after)
        .slice(0, take)
        .map((handle) => ({ handle })),
    ),
} as unknown as ApiRepository;

/** What a client sees of a result, errors by message, path, locations and the resolver's error code. */
function shape(r: ExecutionResult): unknown {
  return JSON.parse(
    JSON.stringify({
      data: r.data,
      errors: r.errors?.map((e) => ({
        message: e.message,
        path: e.path,
        locations: e.locations,
        extensions: e.extensions,
        original: (e.originalError as { code?: unknown } | undefined)?.code,
      })),
    }),
  ) as unknown;
}

const cases: Array<[string, DocumentNode, Record<string, unknown>]> = [
  [
    'similar users',
    parse(
      'query($h: ID!, $l: Int) { user(handle: $h) { handle similarUsers(limit: $l) { handle score rank model version live } } }',
    ),
    { h: '2', l: 3 },
  ],
  [
    'an unknown user is null',
    parse('query($h: ID!) { user(handle: $h) { handle similarUsers { handle } } }'),
    { h: '99' },
  ],
  ['a non-numeric handle is a resolver error', UserProfileDocument, { handle: 'abc' }],
  [
    'a limit out of range is a resolver error',
    parse('query($h: ID!, $l: Int) { user(handle: $h) { similarUsers(limit: $l) { handle } } }'),
    { h: '1', l: 500 },
  ],
  [
    'a variable of the wrong type',
    parse('query($h: ID!, $l: Int) { user(handle: $h) { handle similarUsers(limit: $l) { handle } } }'),
    { h: '1', l: 'ten' },
  ],
  ['a missing variable', parse('query($h: ID!) { user(handle: $h) { handle } }'), {}],
  [
    'an enum variable',
    parse('query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m) { handle model } } }'),
    { h: '1', m: 'ALS' },
  ],
  [
    'a bad enum variable',
    parse('query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m) { handle } } }'),
    { h: '1', m: 'cosine' },
  ],
  ['profile', UserProfileDocument, { handle: '3' }],
  ['neighbourhood', NeighbourhoodDocument, { handle: '1', limit: 2 }],
  ['users with neighbours', UsersWithNeighboursDocument, { first: 3, limit: 2 }],
  ['models (JSON scalars)', ModelsDocument, {}],
  [
    'introspection',
    parse(
      '{ __typename __schema { queryType { name } types { name kind } } __type(name: "User") { fields { name } } }',
    ),
    {},
  ],
  [
    'aliases, fragments and @include',
    parse(
      'query($h: ID!, $yes: Boolean!) { a: user(handle: $h) { ...F } b: user(handle: "5") { handle @include(if: $yes) } } fragment F on User { handle n: similarUsers(limit: 2) { handle } }',
    ),
    { h: '4', yes: false },
  ],
];

test.each(cases)('%s: graphql-jit answers as graphql-js', async (_name, typed, variables) => {
  // As a server sees it: parsed from the text a client sent (the generated documents carry no locations).
  const document = parse(print(typed));
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const expected = shape(
    await execute({ schema, document, variableValues: variables, contextValue: createContext(repo, source) }),
  );
  const compiled = new WeakMap<OperationDefinitionNode, never>();
  // First run by graphql-js, later ones by graphql-jit (compiled once).
  for (let run = 0; run < 3; run++) {
    const got = await executeOperation(schema, compiled, {
      document,
      operation,
      operationName: undefined,
      variables,
      context: createContext(repo, source),
    });
    expect({ run, result: shape(got) }).toEqual({ run, result: expected });
  }
});
