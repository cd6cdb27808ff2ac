// @ts-check
/**
 * Lint rules that `npm test` enforces (through `npm run lint`). Type-aware where a rule needs types
 * (floating promises); the import boundaries between parts live in .dependency-cruiser.cjs.
 */
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/lint/probes break one rule each on purpose; test/lint/lint-rules.spec.ts lints them with --no-ignore.
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs', 'test/lint/probes/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits swallows its error and can outlive the request or the shutdown.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Decorated Nest classes and declaration merging use these deliberately.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    // STYLE.md: only repositories build queries, so a table's every use can be found in one file. The database part
    // (connection, LISTEN/NOTIFY), the job queue (pg-boss's own schema) and the migration commands are the exceptions.
    files: ['src/**/*.ts', 'src/**/*.tsx', 'test/lint/probes/query-*.probe.ts'],
    ignores: ['**/*.repository.ts', 'src/database/**', 'src/jobs/**', 'src/cli/migration.commands.ts', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='query']", message: 'Queries live in a *.repository.ts (STYLE.md §2).' },
        { selector: "CallExpression[callee.name='preparedQuery']", message: 'Queries live in a *.repository.ts (STYLE.md §2).' },
        { selector: "CallExpression[callee.property.name='createQueryBuilder']", message: 'Queries live in a *.repository.ts (STYLE.md §2).' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    plugins: { jest },
    languageOptions: { globals: jest.environments.globals.globals },
    rules: {
      // A focused test silently skips the rest of the suite; a skipped one hides a failure.
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-identical-title': 'error',
      'jest/valid-expect': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'request.**.expect', 'expect*', 'assert*'] }],
    },
  },
);
