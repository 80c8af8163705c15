// typescript-eslint with type-checked rules, plus the dependency rule of the architecture (README).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.neo4j/**',
      'web/dist/**',
      'src/generated/**',
      'web/src/generated/**',
      'coverage/**',
      'bench/.venv/**',
      'bench/out/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'neo4j-driver', message: 'Only src/graph/ talks to Neo4j.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // The layers (README, Architecture): cli -> {api, ingest, jobs} -> graph -> neo4j-driver, never upwards.
  {
    files: ['src/graph/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/ingest/**', '**/jobs/**', '**/cli/**'],
              message: 'graph/ is the bottom layer: api, ingest, jobs and cli import it, never the other way.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/api/**/*.ts', 'src/ingest/**/*.ts', 'src/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'neo4j-driver', message: 'Only src/graph/ talks to Neo4j.' }],
          patterns: [{ group: ['**/cli/**'], message: 'cli composes api, ingest and jobs; they never import it.' }],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'neo4j-driver', message: 'Only src/graph/ talks to Neo4j.' }],
          patterns: [
            {
              group: ['**/graph/**', '!**/graph/connect'],
              message:
                'cli reaches the graph through api, ingest and jobs (the repositories are theirs); it opens connections with graph/connect only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/similarity/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/graph/**', '**/api/**', '**/ingest/**', 'neo4j-driver'],
              message: 'similarity/ is pure math: no I/O imports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
