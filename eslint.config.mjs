// @ts-check
/**
 * `npm run lint` (ESLint, then `prettier --check`). Type-aware typescript-eslint on every
 * TypeScript file, import cycles (import-x), and the layout's import rules (lint/layers.mjs, the
 * README's layout table): the pure core and the workflow sandbox are kept pure by the linter.
 */
import js from '@eslint/js';
import prettierConfig from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import layers from './lint/layer-imports.mjs';

/** In the pure core: no clock, no randomness, no process, timers or I/O globals (determinism: replay and backtests). */
const pureCore = {
  'no-restricted-properties': [
    'error',
    {
      object: 'Date',
      property: 'now',
      message: 'core/ is pure: take the time from the event (now) the kernel is given.',
    },
    {
      object: 'Math',
      property: 'random',
      message: 'core/ is pure: use seededRandom (core/random.ts) with a seed from the input.',
    },
    { object: 'performance', message: 'core/ is pure: no clock.' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'core/ is pure: new Date() reads the clock; build the date from a given time (new Date(ms)).',
    },
    { selector: "CallExpression[callee.name='Date']", message: 'core/ is pure: Date() reads the clock.' },
  ],
  'no-restricted-globals': [
    'error',
    ...['process', 'performance', 'crypto', 'fetch', 'require', 'Buffer', 'console'].map((name) => ({
      name,
      message: `core/ is pure: no ${name} (I/O, clock or environment belong to activities and workers).`,
    })),
    ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'].map((name) => ({
      name,
      message: `core/ is pure: no ${name}; the kernel asks for a wake-up with a command.`,
    })),
  ],
};

/**
 * core/ only: the worker shares one instance of each core/ module among all its bots
 * (workers/shared-modules.ts), so state at module level would leak from one bot to the next and
 * break replay.
 */
const sharedCoreSyntax = [
  {
    selector: ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration[kind!="const"]',
    message: 'core/ is pure: no module-level let/var (every bot of a worker shares this module).',
  },
  {
    selector:
      ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet|Array)$/]',
    message: 'core/ is pure: no module-level Map/Set (every bot of a worker shares this module); build it per call.',
  },
  {
    selector: 'PropertyDefinition[static=true][readonly!=true]',
    message: 'core/ is pure: no mutable static field (every bot of a worker shares this module).',
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'data/',
      '.tools/',
      'coverage/',
      'reports/',
      'test-artifacts/',
      'bench/results/',
      // Snippets that must fail the lint, linted on purpose by tests/unit/lint-rules.test.ts.
      'tests/support/lint-fixtures/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            '*.mjs',
            'lint/*.mjs',
            'workers/*.cjs',
            'vitest.config.mts',
            'vitest.cluster.config.mts',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX, layers },
    settings: {
      // import-x follows (and checks for cycles) only the extensions listed, parsed by the parser named.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.d.ts', '.js', '.mjs', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
      'layers/imports': 'error',
      // `const { secret: _drop, ...rest } = x` drops a field on purpose; a leading _ says so.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // An async function without await is how an implementation meets a Promise-returning
      // interface (and turns a throw into a rejection): not a bug.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests (and the exchange benchmark, through the tests' client) drive untyped clients (ccxt, raw
    // JSON bodies, WebSocket frames): `any` flows from them by design, so the no-unsafe-* family
    // would flag every assertion. Promises and imports stay checked.
    files: ['tests/**/*.ts', 'bench/exchange.ts'],
    rules: {
      // The same reason: tests/support types the wire loosely on purpose (exchange-client.ts).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // CommonJS preloads (node --require), loaded before any TypeScript loader.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['venue/**/*.ts', 'backtest/optimize/{search,result,ga,feasibility,space,bounds,splits}.ts'],
    rules: pureCore,
  },
  {
    files: ['core/**/*.ts'],
    rules: { ...pureCore, 'no-restricted-syntax': [...pureCore['no-restricted-syntax'], ...sharedCoreSyntax] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'require', 'Buffer', 'fetch', 'setImmediate'].map((name) => ({
          name,
          message: `workflow code runs in Temporal's deterministic sandbox: no ${name} (do it in an activity).`,
        })),
      ],
    },
  },
  prettierConfig,
);
