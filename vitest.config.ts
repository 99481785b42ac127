// One test command for everything real: unit, integration (SQLite, trainer process) and e2e (Chromium).
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  // Compiles the renderer's *.svelte.ts state classes (runes) for their unit tests with a fake transport.
  plugins: [svelte()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/reliability/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores here: trainer processes and Chromium need one of them.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
