/**
 * The dashboard's Vite config. Root is `client/`; the build goes to `client/dist`. The dev and
 * preview servers proxy `/api` and `/socket.io` to the arena server (`ARENA_SERVER`, default
 * http://127.0.0.1:8080), so the browser talks to one origin and needs no CORS.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const target = process.env.ARENA_SERVER ?? 'http://127.0.0.1:8080';

const proxy = {
  '/api': { target, changeOrigin: true },
  '/socket.io': { target, changeOrigin: true, ws: true },
};

export default defineConfig({
  root: clientDir,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // vega is large; splitting it out keeps the first paint of the Live page small.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    port: 5173,
    proxy,
    // The client imports `../server/protocol` (the wire types and the frame decoder).
    fs: { allow: [repoRoot] },
  },
  preview: { port: 4173, proxy },
});
