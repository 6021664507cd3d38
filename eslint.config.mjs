import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Each folder runs in one place; these rules say so (DESIGN.md, "Folders").
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'child_process', 'url', 'util', 'worker_threads'];
const restrict = (patterns, message) => ({ group: patterns, message });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-electron/', 'release/', 'test-results/', 'playwright-report/', '.electron-native/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restrict(nodeBuiltins, 'core/ runs everywhere: no Node built-ins.'),
            restrict(['electron', 'better-sqlite3', 'react', 'react-dom', 'antd', 'pino'], 'core/ is plain TypeScript.'),
            restrict(['**/electron/**', '**/renderer/**', '**/server/**'], 'core/ imports nothing above it.'),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', 'Buffer', 'localStorage'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restrict(nodeBuiltins, 'The renderer is sandboxed: no Node.'),
            restrict(['electron', 'better-sqlite3', 'pino'], 'The renderer talks only through the typed API.'),
            restrict(['**/electron/**', '**/server/**'], 'The renderer imports core/ and its own files only.'),
          ],
        },
      ],
    },
  },
  {
    // Playwright reads a fixture's first parameter as a destructuring pattern; `{}` is its idiom.
    files: ['test/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    files: ['electron/*/**/*.ts', 'server/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: "Only the top-level electron/*.ts files import 'electron'; the rest runs under plain Node." }] },
      ],
    },
  },
);
