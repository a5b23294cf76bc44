import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = `http://localhost:${process.env.PORT ?? 3001}`;

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    port: 5173,
    proxy: {
      // The object form keeps the browser's Host header (the string form rewrites it to the API's
      // port), so the API sees the page's own origin and its same-origin check passes.
      '/api': { target: api },
      '/socket.io': { target: api, ws: true },
      '/uploads': api
    }
  }
});
