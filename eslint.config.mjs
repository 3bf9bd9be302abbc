// ESLint: typescript-eslint's recommended rules over the TypeScript and the .cjs glue; the form
// (quotes, wrapping) is Prettier's, and max-len keeps comments and strings within its 120 columns.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'dist/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      // Docker API bodies and cucumber's World are untyped JSON in places; each `any` is at such an edge.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // A variable a closure reads before its one assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // More than four parameters: an options object, so a call says what each value is.
      'max-params': 'off',
      '@typescript-eslint/max-params': ['error', { max: 4 }],
    },
  },
  {
    // Lines of at most 120 characters in the code, comments and strings included: Prettier wraps
    // code at 120 but leaves long comments and strings as they are. test/unit/line-length.test.ts
    // holds the shell scripts of these folders to the same.
    files: ['{support,steps,bin,bench}/**/*.{ts,cjs,mjs,js}'],
    rules: { 'max-len': ['error', { code: 120, tabWidth: 2 }] },
  },
  {
    // Type-aware rules over the code that runs (tests aside: node:test's test() returns a promise
    // nobody awaits by design): a promise neither awaited nor voided, an async callback where a
    // void one is expected, an await of what is no promise. (no-unnecessary-type-assertion is left
    // out: it took summary.ts's schema assertion for unnecessary, which tsc needs.)
    files: ['{support,steps,bench}/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Cucumber calls a step definition with one argument per parameter of its expression, in order:
    // a step cannot take an options object. Each step is one line that passes them on as one.
    files: ['steps/**/*.ts'],
    rules: { '@typescript-eslint/max-params': 'off' },
  },
  {
    // The CLI loads a command's modules only when that command runs (start-up time); tests load
    // modules late on purpose, or read a package's own files.
    files: ['**/*.cjs', 'support/cli/main.ts', 'support/cli/commands/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
