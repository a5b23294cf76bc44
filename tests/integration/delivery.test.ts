import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CACHE, COMPRESS_THRESHOLD_BYTES, IMMUTABLE_CACHE, REVALIDATE_CACHE, UPLOAD_CACHE } from '../../server/infra/delivery.ts';
import { ROOM_NAME_MAX, TEXT_MAX_CHARS } from '../../src/lib/protocol/limits.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectSocket, createRoom, registerUser, request, type TestUser } from '../support/client.ts';
import { png } from '../support/images.ts';
import { startTestRedis } from '../support/redis.ts';

// What a browser receives on the wire: the built page and its files in the compressed form it
// accepts (as `vite build` stored them), JSON answers compressed once they are worth it, the
// Socket.IO transport as it is, and a Cache-Control on each (docs/architecture.md#delivery).
// The client folder here is laid out as the build lays it out; tests/e2e/delivery.spec.ts checks
// the real build.

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let app: TestApp;
let clientDir: string;

const script = `export function start() {\n${Array.from({ length: 200 }, (_, i) => `  console.log('line ${i} of a script long enough to be worth compressing');`).join('\n')}\n}\n`;
const page = `<!doctype html><html><head><meta charset="utf-8"><title>BeeBeeBee</title></head><body>${'<p>hello</p>'.repeat(200)}</body></html>`;

/** A file as the build writes it: itself, and a .br and .gz beside it unless told otherwise. */
function writeBuilt(relative: string, content: string, compressed = true) {
  const file = path.join(clientDir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  if (!compressed) return;
  writeFileSync(`${file}.br`, brotliCompressSync(content));
  writeFileSync(`${file}.gz`, gzipSync(content));
}

beforeAll(async () => {
  redis = await startTestRedis();
  clientDir = mkdtempSync(path.join(tmpdir(), 'bbb-client-'));
  writeBuilt('index.html', page);
  writeBuilt('_app/immutable/entry/app.Ab12Cd34.js', script);
  writeBuilt('_app/immutable/chunks/tiny.Zz99Yy88.js', 'export {};');
  writeBuilt('_app/version.json', '{"version":"1"}', false);
  writeBuilt('favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"></svg>', false);
  app = await startTestApp(redis.url, {}, { clientDir });
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
  rmSync(clientDir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http, which (unlike fetch) hands back the bytes as they were sent. */
function raw(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decoded(res: RawResponse): string {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(res.body).toString();
  if (encoding === 'gzip') return gunzipSync(res.body).toString();
  expect(encoding).toBeUndefined();
  return res.body.toString();
}

const vary = (res: RawResponse) => String(res.headers.vary ?? '').toLowerCase();
const scriptUrl = () => `${app.baseUrl}/_app/immutable/entry/app.Ab12Cd34.js`;

describe('the built files', () => {
  it('go out as the stored brotli file when the browser takes br, marked immutable', async () => {
    const res = await raw(scriptUrl(), { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(vary(res)).toContain('accept-encoding');
    expect(res.headers['cache-control']).toBe(IMMUTABLE_CACHE);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(script.length / 5);
    expect(decoded(res)).toBe(script);
  });

  it('as gzip when only gzip is accepted, or when the browser prefers it', async () => {
    for (const accept of ['gzip', 'gzip;q=1, br;q=0.5', 'br;q=0, gzip']) {
      const res = await raw(scriptUrl(), { 'accept-encoding': accept });
      expect(res.headers['content-encoding'], accept).toBe('gzip');
      expect(decoded(res), accept).toBe(script);
    }
  });

  it('as they are to a client that accepts no compression, still saying they vary', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'deflate' }] as Record<string, string>[]) {
      const res = await raw(scriptUrl(), headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(vary(res)).toContain('accept-encoding');
      expect(res.body.toString()).toBe(script);
      expect(res.headers['cache-control']).toBe(IMMUTABLE_CACHE);
    }
  });

  it('a HEAD gets the same headers and no body', async () => {
    const res = await raw(scriptUrl(), { 'accept-encoding': 'br' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.body.length).toBe(0);
  });

  it('a file whose compressed form is no smaller goes out as it is', async () => {
    const res = await raw(`${app.baseUrl}/_app/immutable/chunks/tiny.Zz99Yy88.js`, { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe('export {};');
  });

  it('files without a hashed name are revalidated on every use', async () => {
    for (const url of ['/favicon.svg', '/_app/version.json']) {
      const res = await raw(app.baseUrl + url, { 'accept-encoding': 'br' });
      expect(res.status, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(REVALIDATE_CACHE);
      expect(res.headers['content-encoding'], url).toBeUndefined();
    }
  });

  it('a missing file of the build is a 404, not the page', async () => {
    const res = await raw(`${app.baseUrl}/_app/immutable/chunks/gone.Qq11Ww22.js`, { 'accept-encoding': 'br' });
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('<html');
  });

  it('nothing outside the build folder can be reached', async () => {
    for (const url of ['/_app/..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5c..%5cetc%5cpasswd']) {
      const res = await raw(app.baseUrl + url, { 'accept-encoding': 'br' });
      // Either refused, or an app path like any other: the page.
      if (res.status === 200) expect(decoded(res), url).toBe(page);
      else expect(res.status, url).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('the page', () => {
  it('every app path gets the page, compressed, revalidated on every visit, with its policy', async () => {
    for (const url of ['/', '/index.html', '/login', '/app/room/abc']) {
      const res = await raw(app.baseUrl + url, { 'accept-encoding': 'br, gzip' });
      expect(res.status, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(vary(res), url).toContain('accept-encoding');
      expect(res.headers['cache-control'], url).toBe(REVALIDATE_CACHE);
      expect(res.headers['content-security-policy'], url).toBeTruthy();
      expect(decoded(res), url).toBe(page);
    }
  });

  it('a revalidation of an unchanged page is a 304 without a body', async () => {
    const first = await raw(`${app.baseUrl}/app`, { 'accept-encoding': 'gzip' });
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();
    const again = await raw(`${app.baseUrl}/app`, { 'accept-encoding': 'gzip', 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });
});

describe('the JSON API', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(app.baseUrl);
    // Enough rooms with long names that the list passes the threshold.
    for (let i = 0; i < 8; i += 1) await createRoom(user, [], `${'Room of many words and letters '.slice(0, ROOM_NAME_MAX - 2)}${i}`);
  });

  it('a long answer is compressed on the fly for a browser that takes it, and never cached unasked', async () => {
    const plain = await raw(`${app.baseUrl}/api/rooms`, { cookie: user.cookie });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(COMPRESS_THRESHOLD_BYTES);
    const rooms = JSON.parse(plain.body.toString()) as unknown[];
    expect(rooms).toHaveLength(8);

    for (const encoding of ['br', 'gzip']) {
      const res = await raw(`${app.baseUrl}/api/rooms`, { cookie: user.cookie, 'accept-encoding': encoding });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding'], encoding).toBe(encoding);
      expect(vary(res)).toContain('accept-encoding');
      expect(res.headers['cache-control']).toBe(API_CACHE);
      expect(res.body.length).toBeLessThan(plain.body.length / 2);
      expect(JSON.parse(decoded(res))).toEqual(rooms);
    }
  });

  it('a short answer goes out as it is, with the same caching rule', async () => {
    const res = await raw(`${app.baseUrl}/api/auth/me`, { cookie: user.cookie, 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeLessThan(COMPRESS_THRESHOLD_BYTES);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['cache-control']).toBe(API_CACHE);
    expect(JSON.parse(res.body.toString())).toMatchObject({ username: user.username });
  });

  it('errors too are never cached', async () => {
    const res = await raw(`${app.baseUrl}/api/auth/me`, { 'accept-encoding': 'br' });
    expect(res.status).toBe(401);
    expect(res.headers['cache-control']).toBe(API_CACHE);
    const crossSite = await raw(`${app.baseUrl}/api/rooms`, { cookie: user.cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, 'POST', '{}');
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers['cache-control']).toBe(API_CACHE);
  });
});

describe('the Socket.IO transport', () => {
  it('a long-polling answer is sent uncompressed even when it is long and the client takes gzip', async () => {
    const user = await registerUser(app.baseUrl);
    const room = await createRoom(user);
    const sender = await connectSocket(app.baseUrl, user.cookie);
    const long = 'a drawing of words '.repeat(Math.floor(TEXT_MAX_CHARS / 19)).trim();
    const sent = await request(sender, 'message:send', { roomId: room.id, type: 'text', content: long });
    expect(sent.ok).toBe(true);

    // Engine.IO long-polling by hand: open, connect the namespace, join, then read the history.
    const headers = { cookie: user.cookie, origin: app.baseUrl, 'accept-encoding': 'gzip, br' };
    const base = `${app.baseUrl}/socket.io/?EIO=4&transport=polling`;
    const opened = await raw(base, headers);
    const sid = (JSON.parse(opened.body.toString().slice(1)) as { sid: string }).sid;
    const poll = `${base}&sid=${sid}`;
    await raw(poll, { ...headers, 'content-type': 'text/plain' }, 'POST', '40');
    await raw(poll, headers); // the namespace's connect answer
    await raw(poll, { ...headers, 'content-type': 'text/plain' }, 'POST', `421${JSON.stringify(['room:join', { roomId: room.id }])}`);
    let text = '';
    for (let i = 0; i < 5 && !text.includes(long); i += 1) {
      const res = await raw(poll, headers);
      expect(res.headers['content-encoding']).toBeUndefined();
      text += res.body.toString();
    }
    expect(text).toContain(long);
    expect(Buffer.byteLength(text)).toBeGreaterThan(COMPRESS_THRESHOLD_BYTES);
  });
});

describe('uploads', () => {
  it('an uploaded image is kept by the browser for as long as it lives, never by shared caches', async () => {
    const user = await registerUser(app.baseUrl);
    const image = png({ width: 2, height: 2 });
    const body = new FormData();
    body.append('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'dot.png');
    const uploaded = await user.client.post('/api/upload', body);
    expect(uploaded.status).toBe(201);
    const res = await raw(app.baseUrl + (uploaded.json.url as string), { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe(UPLOAD_CACHE);
    expect(res.headers['cache-control']).toMatch(/max-age=\d{6}/);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.equals(image)).toBe(true);
  });
});
