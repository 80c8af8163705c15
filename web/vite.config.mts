// The neighbourhood page: built into web/dist, which the API server serves at `/` (next to /graphql).
import { defineConfig } from 'vite';

// `vite web` (development) forwards API calls to a running `npm run serve`; API_ORIGIN overrides where that is.
const api = process.env.API_ORIGIN ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 200,
  },
  server: {
    proxy: { '/graphql': api },
    fs: { allow: ['..'] },
  },
});
