import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { HttpClient, registerUser } from '../support/client.ts';
import { png } from '../support/images.ts';
import { startTestRedis } from '../support/redis.ts';

// The headers a browser gets from the app: the page's Content-Security-Policy (the one SvelteKit
// wrote into the built page, plus frame-ancestors), a deny-all policy for the JSON API, the
// uploads' own sandbox, helmet's set, a Permissions-Policy, and HSTS only in production.

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let app: TestApp;
let production: TestApp;
let clientDir: string;

// What `vite build` writes with kit.csp: the hash is of the page's one inline script.
const META_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' blob:; object-src 'none'; script-src 'self' 'sha256-KqFgaXjsKXWVaizT6JTslK6yNU1YPGgAdpx2aL/DUfs='; style-src 'self'; style-src-attr 'unsafe-inline'; base-uri 'self'; form-action 'self'";
const page = (policy: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="content-security-policy" content="${policy}"><title>BeeBeeBee</title></head><body><script>start()</script></body></html>`;

function writePage(policy: string, mtime: Date) {
  const file = path.join(clientDir, 'index.html');
  writeFileSync(file, page(policy));
  utimesSync(file, mtime, mtime);
}

beforeAll(async () => {
  redis = await startTestRedis();
  clientDir = mkdtempSync(path.join(tmpdir(), 'bbb-client-'));
  mkdirSync(path.join(clientDir, '_app'));
  writeFileSync(path.join(clientDir, '_app', 'start.js'), 'export {};');
  writePage(META_POLICY, new Date(Date.now() - 60_000));
  app = await startTestApp(redis.url, {}, { clientDir });
  production = await startTestApp(redis.url, { NODE_ENV: 'production' }, { clientDir });
});
afterAll(async () => {
  await app?.close();
  await production?.close();
  await redis?.stop();
  rmSync(clientDir, { recursive: true, force: true });
});

const csp = (res: Response) => res.headers.get('content-security-policy');

/** A policy as directive name -> sources. */
function directives(policy: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

function expectCommonHeaders(res: Response) {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('x-powered-by')).toBeNull();
  const permissions = res.headers.get('permissions-policy') ?? '';
  for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial', 'hid', 'display-capture']) {
    expect(permissions.split(', '), feature).toContain(`${feature}=()`);
  }
}

describe('the app page', () => {
  it('carries the built page policy as a header, with frame-ancestors added', async () => {
    const res = await fetch(`${app.baseUrl}/app/room/abc`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('content-security-policy');
    expect(csp(res)).toBe(`${META_POLICY}; frame-ancestors 'none'`);
    const policy = directives(csp(res));
    expect(policy.get('script-src')).toEqual(["'self'", "'sha256-KqFgaXjsKXWVaizT6JTslK6yNU1YPGgAdpx2aL/DUfs='"]);
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expectCommonHeaders(res);
  });

  it('the same for / and for index.html asked by name', async () => {
    for (const url of ['/', '/index.html', '/join/SOMECODE']) {
      const res = await fetch(app.baseUrl + url);
      expect(res.status, url).toBe(200);
      expect(csp(res), url).toBe(`${META_POLICY}; frame-ancestors 'none'`);
    }
  });

  it('follows a rebuild: the new start-up script hash is served without a restart', async () => {
    const rebuilt = META_POLICY.replace('KqFgaXjsKXWVaizT6JTslK6yNU1YPGgAdpx2aL/DUfs=', 'AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK=');
    writePage(rebuilt, new Date());
    try {
      const res = await fetch(`${app.baseUrl}/app`);
      expect(csp(res)).toBe(`${rebuilt}; frame-ancestors 'none'`);
    } finally {
      writePage(META_POLICY, new Date(Date.now() - 30_000));
    }
    expect(csp(await fetch(`${app.baseUrl}/app`))).toBe(`${META_POLICY}; frame-ancestors 'none'`);
  });

  it('no HSTS outside production: plain http://localhost must stay usable', async () => {
    const res = await fetch(`${app.baseUrl}/app`);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('HSTS in production, with everything else unchanged', async () => {
    const res = await fetch(`${production.baseUrl}/app`);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(csp(res)).toBe(`${META_POLICY}; frame-ancestors 'none'`);
    expectCommonHeaders(res);
    const api = await fetch(`${production.baseUrl}/api/auth/me`);
    expect(api.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('the JSON API', () => {
  it('answers JSON as before, under a policy that allows nothing', async () => {
    const res = await fetch(`${app.baseUrl}/api/auth/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'Not authenticated' });
    expect(csp(res)).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expectCommonHeaders(res);
  });

  it('a signed-in round trip still works', async () => {
    const user = await registerUser(app.baseUrl);
    const me = await user.client.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ username: user.username });
    expect(me.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
  });

  it('unknown API paths are JSON 404s with the same policy', async () => {
    const res = await fetch(`${app.baseUrl}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not found' });
    expect(csp(res)).toMatch(/^default-src 'none'/);
  });
});

describe('uploaded files', () => {
  it('keep their own sandbox policy, not the page one', async () => {
    const user = await registerUser(app.baseUrl);
    const body = new FormData();
    body.append('image', new Blob([new Uint8Array(png({ width: 2, height: 2 }))], { type: 'image/png' }), 'dot.png');
    const uploaded = await user.client.post('/api/upload', body);
    expect(uploaded.status).toBe(201);
    const url = uploaded.json.url as string;
    expect(url).toMatch(/^\/uploads\/messages\//);

    const res = await fetch(app.baseUrl + url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(csp(res)).toBe("default-src 'none'; sandbox");
    expectCommonHeaders(res);
  });

  it('a missing upload is a JSON 404 under the deny-all policy', async () => {
    const res = await fetch(`${app.baseUrl}/uploads/messages/nothing.png`);
    expect(res.status).toBe(404);
    expect(csp(res)).toMatch(/^default-src 'none'/);
  });
});

describe('the page itself', () => {
  it('static assets are served as before', async () => {
    const res = await new HttpClient(app.baseUrl).get('/_app/start.js');
    expect(res.status).toBe(200);
    expect(res.text).toBe('export {};');
  });
});
