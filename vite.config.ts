import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = `http://localhost:${process.env.PORT ?? 3001}`;

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
      '/uploads': api
    }
  }
});
