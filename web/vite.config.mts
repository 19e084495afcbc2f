import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The pages built by Vite (Preact, no Babel: Vite's own JSX transform with Preact's runtime).
 * `npm run build` writes them to dist/app; the service serves `/console` from there and the
 * hashed assets under `/app/`.
 */
export default defineConfig({
  root: here,
  base: '/app/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(here, '..', 'dist', 'app'),
    emptyOutDir: true,
    // No source maps: the service would hand anyone the console's source (and never serves a
    // `.map` left from an older build). `vite` in development makes its own, in memory.
    sourcemap: false,
    rollupOptions: { input: { console: resolve(here, 'console.html') } },
  },
});
