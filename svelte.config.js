import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: every path falls back to index.html and the client router takes over.
    // precompress writes a .br and a .gz beside every page, script and stylesheet; the server
    // picks one by Accept-Encoding (server/infra/delivery.ts).
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true, precompress: true }),
    // The page's policy. Kit hashes its own inline start-up script into script-src, so no inline
    // script runs unless it is that one. The built page carries this as a <meta> tag; the server
    // sends the same text as a header and adds what a <meta> cannot carry (frame-ancestors), see
    // server/infra/headers.ts. In `vite dev` kit sends it as a header itself.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // Stylesheets are files; the style="" attributes Svelte writes (and app.html's wrapper)
        // need inline attributes, which cannot run code.
        'style-src': ['self'],
        'style-src-attr': ['unsafe-inline'],
        // blob: previews a picture before it is uploaded.
        'img-src': ['self', 'blob:'],
        // Socket.IO (websocket and polling) and the JSON API: the page's own origin only.
        'connect-src': ['self'],
        'font-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none']
      }
    }
  }
};

export default config;
