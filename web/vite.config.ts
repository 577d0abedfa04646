import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the API to a host on 127.0.0.1:5080 (./scripts/run.sh), so the SPA can be edited with hot reload.
const api = [
  '/personalize', '/graphql', '/drafts', '/inbound', '/credits', '/audit', '/health', '/organizations', '/privacy', '/suppressions',
  '/guardrails', '/api-keys', '/policies', '/templates', '/qa', '/contacts',
];

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: Object.fromEntries(api.map((p) => [p, { target: 'http://127.0.0.1:5080', changeOrigin: false }])),
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
