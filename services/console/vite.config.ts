import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** The initial load's budget (gzipped): what the browser fetches before the first page shows. */
const INITIAL_LOAD_LIMIT_BYTES = 500 * 1024;

/**
 * Prints the gzipped size of the initial load (the entry chunk, the chunks it imports
 * statically, and their CSS) and fails the build over the budget. Lazy pages are not counted.
 */
function initialLoadSize(): Plugin {
  return {
    name: 'initial-load-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      const seen = new Set<string>();
      const visit = (fileName: string) => {
        if (seen.has(fileName)) return;
        seen.add(fileName);
        const item = bundle[fileName];
        if (item?.type !== 'chunk') return;
        for (const imported of item.imports) visit(imported);
        for (const css of item.viteMetadata?.importedCss ?? []) seen.add(css);
      };
      for (const item of Object.values(bundle)) {
        if (item.type === 'chunk' && item.isEntry) visit(item.fileName);
      }
      let gzipped = 0;
      for (const fileName of seen) {
        const item = bundle[fileName];
        if (!item) continue;
        gzipped += gzipSync(item.type === 'chunk' ? item.code : item.source).length;
      }
      const kb = (gzipped / 1024).toFixed(1);
      console.log(`console bundle: initial load ${kb} KB gzipped (${seen.size} files, limit 500 KB)`);
      if (gzipped > INITIAL_LOAD_LIMIT_BYTES) this.error(`initial load ${kb} KB gzipped is over 500 KB`);
    },
  };
}

// The api serves the built console at /console; in development Vite serves it and
// forwards the api's paths to the api (API_URL, the dev api by default).
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/console/',
  plugins: [react(), initialLoadSize()],
  server: { proxy: { '/trpc': apiUrl, '/api': apiUrl } },
  // The budget that matters is the gzipped initial load above, not one chunk's raw size.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
