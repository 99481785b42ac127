// Lint keeps the process boundaries: core/trainer/shared/server/cli never import electron, shared imports
// nothing but itself, and the renderer imports no Node modules (it also runs in a plain browser). The renderer's
// .svelte components are linted too (eslint-plugin-svelte) and held to the same boundaries as its .ts files.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import { builtinModules } from 'node:module';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = { name: 'electron', message: 'Only src/main and src/preload may import electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'src/trainer/wasm/**', 'out/**', 'build/**', 'dist/**', 'test-output/**'] },
  ...tseslint.configs.recommended,
  // Svelte 5 components and rune modules: the plugin's parser for the markup, typescript-eslint's for <script lang="ts">.
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**', 'src/server/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            { group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'Node-side code must not reach into the Electron or renderer folders.' },
            { group: ['**/trainer/**'], message: 'The core talks to the trainer only through the protocol in src/shared.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/trainer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [{ group: ['**/core/**', '**/server/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'The trainer talks only the protocol: it imports src/shared and tfjs, nothing else of the app.' }],
        },
      ],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron, ...nodeModules.map((name) => ({ name, message: 'src/shared is imported by the renderer: no Node modules.' }))],
          patterns: [{ group: ['../*', '!./*'], message: 'src/shared imports nothing from the other folders.' }],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron, ...nodeModules.map((name) => ({ name, message: 'The renderer runs in a browser: no Node modules.' }))],
          patterns: [{ group: ['**/core/**', '**/trainer/**', '**/server/**', '**/cli/**', '**/main/**'], message: 'The renderer talks to the core only through the api transport.' }],
        },
      ],
    },
  },
  {
    files: ['tests/**', 'scripts/**', 'bin/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
