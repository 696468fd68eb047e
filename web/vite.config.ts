import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Writes `.gz` and `.br` next to every text asset, so that the server (@fastify/static with
 * `preCompressed`) sends compressed bytes without compressing on each request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'muscode-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(file)) continue;
        const data = fs.readFileSync(file);
        if (data.length < 512) continue;
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    // bench/web-budget.ts reads it to know what the playground's first load is.
    manifest: true,
    target: 'es2022',
    sourcemap: false,
    // Fonts (KaTeX's) stay files: the CSP allows fonts from 'self' only, never data: URIs.
    assetsInlineLimit: (file: string) => (/\.(woff2?|ttf|otf|eot)$/.test(file) ? false : undefined),
    // The entry (React, the router, TanStack Query, socket.io, CodeMirror's core) is one chunk.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      output: {
        // Lazy chunks named after their package ("lang-python") rather than "dist".
        chunkFileNames(chunk) {
          const m = /node_modules\/(?:@[^/]+\/)?([^/]+)\/(?:dist\/)?(?:mode\/)?([^/.]+)?/.exec(chunk.facadeModuleId ?? chunk.moduleIds.at(-1) ?? '');
          const name = m ? (m[2] && m[2] !== 'index' ? `${m[1]}-${m[2]}` : m[1]) : chunk.name;
          return `assets/${name}-[hash].js`;
        },
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.ts` for development: the API on the usual port.
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
