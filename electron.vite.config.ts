// Electron build: main and preload (CommonJS, as a sandboxed preload needs), the Svelte renderer (its index.html
// carries the CSP as a meta tag: the window loads it from file://, where no header applies).
// The core is not bundled: main loads the compiled build/node at run time, the same code serve mode runs.
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { cspMetaPlugin } from './src/shared/csp.js';

export default defineConfig({
  main: {
    build: { rollupOptions: { input: 'src/main/index.ts' } },
  },
  preload: {
    // A sandboxed preload can require only electron: the contract's schemas (zod) are bundled into it.
    build: { externalizeDeps: false, rollupOptions: { input: 'src/preload/index.ts', output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [svelte(), cspMetaPlugin],
    build: { rollupOptions: { input: 'src/renderer/index.html' } },
  },
});
