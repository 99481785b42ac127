// The same Svelte renderer built for serve mode (out/web); electron.vite.config.ts builds it for the desktop.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { cspMetaPlugin } from './src/shared/csp.js';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [svelte(), cspMetaPlugin],
  build: { outDir: fileURLToPath(new URL('./out/web', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1200 },
});
