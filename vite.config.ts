import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = `http://localhost:${process.env.PORT ?? 3001}`;

export default defineConfig({
  plugins: [sveltekit()],
  build: {
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // zod and the contract's payload schemas in a chunk of their own: only the drawing
            // editor checks payloads in the browser, so a page that shares a constant with it
            // (the room: emoji, limits) does not fetch and evaluate every schema as it opens
            // (docs/architecture.md#delivery). What the room shares with the editor and needs no
            // zod (the contract's zod-free modules, the sounds) is grouped first, so the schemas'
            // chunk neither takes it along nor is imported by it.
            { name: 'shared', priority: 2, test: /src[\\/]lib[\\/](protocol[\\/](canvas|emoji|errors|limits|points|transport)\.ts|canvas[\\/]sounds\.svelte\.ts)$/ },
            { name: 'schemas', priority: 1, test: /node_modules[\\/]zod[\\/]|src[\\/]lib[\\/]protocol[\\/](account|auth|drawing|events|friends|profiles|rooms|text|validation)\.ts$/ }
          ]
        }
      }
    }
  },
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
