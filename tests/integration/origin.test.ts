import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestApps, type TestApp } from '../support/app.ts';
import { closeAllSockets, connectSocket, openSocket, registerUser } from '../support/client.ts';

const ctx = useTestApps({
  plain: {},
  proxied: {
    env: {
      TRUST_PROXY: 'loopback',
      ALLOWED_ORIGINS: 'https://partner.example, https://port.example:8443, https://default-port.example:443/, https://path.example/app'
    }
  },
  elsewhere: { env: { TRUST_PROXY: '10.0.0.1' } }
});

// Cross-site requests: a state-changing API call or a socket handshake is accepted only from the
// app's own origin (scheme, host and port, exactly as a browser writes it) or one listed in
// ALLOWED_ORIGINS. Behind a proxy the scheme is the proxy's X-Forwarded-Proto, and only when
// TRUST_PROXY names that proxy.

/** Nobody trusted as a proxy. */
/** The loopback proxy (the test itself) is trusted; two more origins are allowed. */
/** Some other proxy is trusted, not the test's own address. */

afterEach(() => closeAllSockets());

/** A POST with exactly these headers (fetch would not let a test set Host). */
function post(app: TestApp, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: app.port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

const REFUSED = { status: 403, body: JSON.stringify({ error: 'Cross-site request refused' }) };

/** Signing out is a state change any visitor may ask for: 403 when refused, 200 otherwise. */
async function signOutAnswer(app: TestApp, headers: Record<string, string>) {
  const res = await post(app, '/api/auth/logout', headers);
  return res.status === 403 ? res : { status: res.status, body: 'accepted' };
}

describe('REST: the origin must be exactly the app’s own', () => {
  it('the own origin and no origin at all are accepted', async () => {
    const own = `http://127.0.0.1:${ctx.plain.port}`;
    expect((await signOutAnswer(ctx.plain, { origin: own })).body).toBe('accepted');
    expect((await signOutAnswer(ctx.plain, {})).body).toBe('accepted');
  });

  it('every near miss is refused with the reason', async () => {
    const port = ctx.plain.port;
    const nearMisses = [
      `https://127.0.0.1:${port}`, // another scheme
      `ws://127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`, // another port
      'http://127.0.0.1', // the default port is another port
      `http://localhost:${port}`, // another name for the same machine is another origin
      `http://evil@127.0.0.1:${port}`, // userinfo: the host part alone matched before
      `http://evil:secret@127.0.0.1:${port}`,
      `http://127.0.0.1:${port}@evil.example`,
      `http://127.0.0.1:${port}/`, // browsers never send a path, not even "/"
      `http://127.0.0.1:${port}/app`,
      `http://127.0.0.1:${port}?x=1`,
      `HTTP://127.0.0.1:${port}`, // not how a browser writes it
      'null', // sandboxed frames, file: pages
      '',
      'not a url'
    ];
    for (const origin of nearMisses) {
      expect(await signOutAnswer(ctx.plain, { origin }), origin).toEqual(REFUSED);
    }
  });

  it('a refused registration creates no account; the same one from the own origin does', async () => {
    const username = `origin_${process.pid % 10000}`;
    const body = JSON.stringify({ username, password: 'password123' });
    const send = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: ctx.plain.port, path: '/api/auth/register', method: 'POST', headers: { 'content-type': 'application/json', origin } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }
        );
        req.on('error', reject);
        req.end(body);
      });
    expect(await send(`https://127.0.0.1:${ctx.plain.port}`)).toBe(403);
    expect(await ctx.plain.application.context.stores.users.findUserByUsername(username)).toBeUndefined();
    expect(await send(`http://127.0.0.1:${ctx.plain.port}`)).toBe(201);
    expect(await ctx.plain.application.context.stores.users.findUserByUsername(username)).toBeDefined();
  });

  it('default ports: Host with :80 over http is the origin without a port', async () => {
    expect((await signOutAnswer(ctx.plain, { host: 'chat.example:80', origin: 'http://chat.example' })).body).toBe('accepted');
    expect((await signOutAnswer(ctx.plain, { host: 'chat.example', origin: 'http://chat.example' })).body).toBe('accepted');
    // Browsers leave the default port out, so an origin that writes it is not one of theirs.
    expect(await signOutAnswer(ctx.plain, { host: 'chat.example', origin: 'http://chat.example:80' })).toEqual(REFUSED);
    // :443 is not the default port of plain http.
    expect(await signOutAnswer(ctx.plain, { host: 'chat.example:443', origin: 'https://chat.example' })).toEqual(REFUSED);
    expect(await signOutAnswer(ctx.plain, { host: 'chat.example:443', origin: 'http://chat.example' })).toEqual(REFUSED);
  });

  it('a Host header hiding another host is no match for anything', async () => {
    expect(await signOutAnswer(ctx.plain, { host: 'evil.example@chat.example', origin: 'http://chat.example' })).toEqual(REFUSED);
    expect(await signOutAnswer(ctx.plain, { host: 'chat.example/path', origin: 'http://chat.example' })).toEqual(REFUSED);
  });
});

describe('REST behind a proxy', () => {
  it('a trusted proxy’s X-Forwarded-Proto is the scheme', async () => {
    const https = { host: 'chat.example', 'x-forwarded-proto': 'https' };
    expect((await signOutAnswer(ctx.proxied, { ...https, origin: 'https://chat.example' })).body).toBe('accepted');
    expect((await signOutAnswer(ctx.proxied, { ...https, host: 'chat.example:443', origin: 'https://chat.example' })).body).toBe('accepted');
    expect((await signOutAnswer(ctx.proxied, { ...https, 'x-forwarded-proto': 'https, http', origin: 'https://chat.example' })).body).toBe('accepted');
    expect(await signOutAnswer(ctx.proxied, { ...https, origin: 'http://chat.example' })).toEqual(REFUSED);
    // Without the header the request came over plain http.
    expect(await signOutAnswer(ctx.proxied, { host: 'chat.example', origin: 'https://chat.example' })).toEqual(REFUSED);
  });

  it('X-Forwarded-Proto from a peer that is not a trusted proxy is ignored', async () => {
    for (const app of [ctx.plain, ctx.elsewhere]) {
      expect(await signOutAnswer(app, { host: 'chat.example', 'x-forwarded-proto': 'https', origin: 'https://chat.example' })).toEqual(REFUSED);
      expect((await signOutAnswer(app, { host: 'chat.example', 'x-forwarded-proto': 'https', origin: 'http://chat.example' })).body).toBe('accepted');
    }
  });

  it('ALLOWED_ORIGINS match exactly too', async () => {
    const from = (origin: string) => signOutAnswer(ctx.proxied, { host: 'chat.example', origin });
    expect((await from('https://partner.example')).body).toBe('accepted');
    expect((await from('https://port.example:8443')).body).toBe('accepted');
    // Listed with its default port and a slash: written the browser's way, it matches.
    expect((await from('https://default-port.example')).body).toBe('accepted');
    for (const origin of [
      'http://partner.example',
      'https://partner.example:8443',
      'https://user@partner.example',
      'https://partner.example/',
      'https://port.example',
      // An entry with a path is not an origin and matches nothing.
      'https://path.example'
    ]) {
      expect(await from(origin), origin).toEqual(REFUSED);
    }
  });
});

describe('socket handshake', () => {
  it('connects from the own origin and without one', async () => {
    const user = await registerUser(ctx.plain.baseUrl);
    const socket = await connectSocket(ctx.plain.baseUrl, user.cookie, { origin: ctx.plain.baseUrl });
    expect(socket.connected).toBe(true);
    const bare = await connectSocket(ctx.plain.baseUrl, user.cookie);
    expect(bare.connected).toBe(true);
  });

  it('refuses another scheme, userinfo, a path, another port and null, saying why', async () => {
    const user = await registerUser(ctx.plain.baseUrl);
    const port = ctx.plain.port;
    for (const origin of [`https://127.0.0.1:${port}`, `http://evil@127.0.0.1:${port}`, `http://127.0.0.1:${port}/`, `http://127.0.0.1:${port + 1}`, 'null']) {
      await expect(connectSocket(ctx.plain.baseUrl, user.cookie, { origin }), origin).rejects.toThrow('Cross-site connection refused');
    }
  });

  it('believes X-Forwarded-Proto only from a trusted proxy', async () => {
    const connect = (app: TestApp, cookie: string) =>
      new Promise<string>((resolve) => {
        const socket = openSocket(app.baseUrl, cookie, { autoConnect: false });
        socket.io.opts.extraHeaders = { cookie, origin: `https://127.0.0.1:${app.port}`, 'x-forwarded-proto': 'https' };
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(err.message));
        socket.connect();
      });
    const trusted = await registerUser(ctx.proxied.baseUrl);
    expect(await connect(ctx.proxied, trusted.cookie)).toBe('connected');
    const untrusted = await registerUser(ctx.elsewhere.baseUrl);
    expect(await connect(ctx.elsewhere, untrusted.cookie)).toBe('Cross-site connection refused');
  });
});
