// The studio is a static app: `vite build` writes plain files to dist/ (any static host, or
// `tfbricks studio`). Workspace packages resolve to their TypeScript sources, as in tests.
import { defineConfig } from 'vite';
import { sharedConfig } from '../../vitest.shared.ts';

export default defineConfig({
  base: './',
  resolve: { alias: sharedConfig().resolve!.alias },
  worker: { format: 'es' },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 8000, sourcemap: true },
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
});
