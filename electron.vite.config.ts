// Electron build: main and preload (CommonJS, as a sandboxed preload needs), the Svelte renderer.
// The core is not bundled: main loads the compiled build/node at run time, the same code serve mode runs.
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: { rollupOptions: { input: 'src/main/index.ts' } },
  },
  preload: {
    build: { rollupOptions: { input: 'src/preload/index.ts', output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [svelte()],
    build: { rollupOptions: { input: 'src/renderer/index.html' } },
  },
});
