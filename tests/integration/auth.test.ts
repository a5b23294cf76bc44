import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/infra/config.ts';
import { hashPassword } from '../../server/infra/passwords.ts';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN, PASSWORD_TOO_LONG, USERNAME_MAX, USERNAME_MIN } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { HttpClient, registerUser } from '../support/client.ts';

const ctx = useTestApp();



const userCount = async () => Number((await ctx.app.sql<{ n: number }>('SELECT COUNT(*) AS n FROM users'))[0].n);
const client = () => new HttpClient(ctx.app.baseUrl);

describe('register', () => {
  const badBodies: [string, unknown][] = [
    ['a name that is too short', { username: 'a'.repeat(USERNAME_MIN - 1), password: 'password123' }],
    ['a name that is too long', { username: 'a'.repeat(USERNAME_MAX + 1), password: 'password123' }],
    ['a name with a space', { username: 'bad name', password: 'password123' }],
    ['a name with punctuation', { username: 'bad-name!', password: 'password123' }],
    ['a name with non-ASCII letters', { username: 'zoë_bee', password: 'password123' }],
    ['a password that is too short', { username: 'shortpass', password: 'p'.repeat(PASSWORD_MIN - 1) }],
    ['a password that is too long', { username: 'longpass', password: 'p'.repeat(PASSWORD_MAX_BYTES + 1) }],
    ['a missing username', { password: 'password123' }],
    ['a missing password', { username: 'nopass' }],
    ['a numeric username', { username: 12345, password: 'password123' }],
    ['an array password', { username: 'arraypass', password: ['password123'] }],
    ['a null body field', { username: null, password: null }],
    ['an array body', [{ username: 'arr', password: 'password123' }]]
  ];

  for (const [what, body] of badBodies) {
    it(`answers 400 with an error for ${what} and creates nothing`, async () => {
      const before = await userCount();
      const res = await client().post('/api/auth/register', body);
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe('string');
      expect(res.json.error.length).toBeGreaterThan(0);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await userCount()).toBe(before);
    });
  }

  it('answers 400 for a body that is not JSON', async () => {
    const before = await userCount();
    const malformed = await client().request('POST', '/api/auth/register', '{"username": "x",', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe('Request body is not valid JSON');
    const plain = await client().request('POST', '/api/auth/register', 'username=x&password=y', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(400);
    expect(typeof plain.json.error).toBe('string');
    expect(await userCount()).toBe(before);
  });

  it('creates the account, signs in with an httpOnly SameSite=Lax cookie and never shows the hash', async () => {
    const c = client();
    const res = await c.post('/api/auth/register', { username: 'Honey_Bee', password: 'password123' });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ id: expect.any(Number), username: 'Honey_Bee' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^token=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(res.text).not.toContain('$2b$');
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ id: res.json.id, username: 'Honey_Bee' });
    expect(me.text).not.toMatch(/password|hash|\$2b\$/i);
  });

  it(`refuses a password over ${PASSWORD_MAX_BYTES} UTF-8 bytes, however few its characters`, async () => {
    const before = await userCount();
    // 37 characters, 74 bytes: bcrypt would ignore the last two bytes.
    const accented = 'é'.repeat(37);
    for (const password of [accented, 'p'.repeat(PASSWORD_MAX_BYTES + 1), '🐝'.repeat(19)]) {
      const res = await client().post('/api/auth/register', { username: 'bytes_user', password });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: PASSWORD_TOO_LONG });
    }
    expect(PASSWORD_TOO_LONG).toMatch(/at most 72 bytes/);
    expect(await userCount()).toBe(before);
  });

  it(`accepts a password of exactly ${PASSWORD_MAX_BYTES} bytes and needs all of it to sign in`, async () => {
    const password = 'é'.repeat(PASSWORD_MAX_BYTES / 2);
    const c = client();
    expect((await c.post('/api/auth/register', { username: 'full_bytes', password })).status).toBe(201);
    expect((await client().post('/api/auth/login', { username: 'full_bytes', password })).status).toBe(200);
    const lastLetterChanged = `${'é'.repeat(PASSWORD_MAX_BYTES / 2 - 1)}e`;
    expect((await client().post('/api/auth/login', { username: 'full_bytes', password: lastLetterChanged })).status).toBe(401);
  });

  it('refuses a taken name in any letter case with 409', async () => {
    await registerUser(ctx.app.baseUrl, 'TakenName');
    const before = await userCount();
    for (const name of ['TakenName', 'takenname', 'TAKENNAME']) {
      const res = await client().post('/api/auth/register', { username: name, password: 'password123' });
      expect(res.status).toBe(409);
      expect(res.json.error).toBe('That username is taken');
    }
    expect(await userCount()).toBe(before);
  });

  it('gives one account when the same name is registered twice at once', async () => {
    const results = await Promise.all(
      [0, 1, 2].map(() => client().post('/api/auth/register', { username: 'RaceName', password: 'password123' }))
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });
});

describe('login', () => {
  beforeAll(async () => {
    await registerUser(ctx.app.baseUrl, 'loginuser');
  });

  it('signs in with the right password, whatever the name case', async () => {
    const c = client();
    const res = await c.post('/api/auth/login', { username: 'LoginUser', password: 'password123' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: expect.any(Number), username: 'loginuser' });
    expect((await c.get('/api/auth/me')).status).toBe(200);
  });

  it('answers 401 with the same words for a wrong password and an unknown name', async () => {
    const wrong = await client().post('/api/auth/login', { username: 'loginuser', password: 'wrong-password' });
    const unknown = await client().post('/api/auth/login', { username: 'nobody_here', password: 'password123' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'Invalid username or password' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('answers 400 for missing or non-string fields and non-JSON bodies', async () => {
    for (const body of [{}, { username: 'loginuser' }, { password: 'password123' }, { username: 1, password: 2 }, { username: ['loginuser'], password: 'password123' }]) {
      const res = await client().post('/api/auth/login', body);
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe('string');
    }
    const res = await client().request('POST', '/api/auth/login', 'not json', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
  });
});

describe('me and sign-out', () => {
  it('answers 401 without a token', async () => {
    const res = await client().get('/api/auth/me');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: 'Not authenticated' });
  });

  it('answers 401 for a forged token', async () => {
    const { id } = await registerUser(ctx.app.baseUrl);
    const c = client();
    c.cookie = `token=${jwt.sign({ id, v: 0 }, 'not-the-server-secret')}`;
    expect((await c.get('/api/auth/me')).status).toBe(401);
    c.cookie = 'token=garbage.garbage.garbage';
    expect((await c.get('/api/auth/me')).status).toBe(401);
    c.cookie = `token=${jwt.sign({ id, v: 0 }, ctx.app.config.jwtSecret, { algorithm: 'none' } as jwt.SignOptions)}`;
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('answers 401 for an expired token', async () => {
    const { id } = await registerUser(ctx.app.baseUrl);
    const c = client();
    c.cookie = `token=${jwt.sign({ id, v: 0, exp: Math.floor(Date.now() / 1000) - 60 }, ctx.app.config.jwtSecret)}`;
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses the old token after sign-out', async () => {
    const { client: c } = await registerUser(ctx.app.baseUrl);
    const oldCookie = c.cookie;
    const out = await c.post('/api/auth/logout');
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ ok: true });
    expect(out.headers.get('set-cookie')).toMatch(/token=;/);
    const replay = client();
    replay.cookie = oldCookie;
    expect((await replay.get('/api/auth/me')).status).toBe(401);
  });

  it("answers 401 for a deleted user's token", async () => {
    const { client: c, id } = await registerUser(ctx.app.baseUrl);
    expect((await c.get('/api/auth/me')).status).toBe(200);
    await ctx.app.sql('DELETE FROM users WHERE id = ?', id);
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses a state-changing call from another site', async () => {
    const { client: c } = await registerUser(ctx.app.baseUrl);
    const res = await c.post('/api/auth/logout', {}, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await c.get('/api/auth/me')).status).toBe(200);
  });
});

describe('session: who is signed in, if anyone', () => {
  it('answers 200 with no user to a visitor, a forged token and a signed-out one', async () => {
    const visitor = await client().get('/api/auth/session');
    expect(visitor.status).toBe(200);
    expect(visitor.json).toEqual({ user: null });

    const forged = client();
    forged.cookie = 'token=garbage.garbage.garbage';
    expect((await forged.get('/api/auth/session')).json).toEqual({ user: null });

    const { client: c } = await registerUser(ctx.app.baseUrl);
    const oldCookie = c.cookie;
    await c.post('/api/auth/logout');
    const replay = client();
    replay.cookie = oldCookie;
    const after = await replay.get('/api/auth/session');
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ user: null });
  });

  it('names the signed-in user, as me does', async () => {
    const { client: c, id, username } = await registerUser(ctx.app.baseUrl);
    const res = await c.get('/api/auth/session');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ user: { id, username } });
    expect((await c.get('/api/auth/me')).json).toEqual({ id, username });
  });
});

describe('accounts from before the 72-byte rule', () => {
  it('still sign in with their long password', async () => {
    // Made the way registration used to: straight to the database with a 100-byte password.
    const longPassword = 'x'.repeat(100);
    await ctx.app.application.context.stores.users.createUser('old_timer', await hashPassword(longPassword, 'account'));
    const res = await client().post('/api/auth/login', { username: 'old_timer', password: longPassword });
    expect(res.status).toBe(200);
    expect(res.json.username).toBe('old_timer');
    expect((await client().post('/api/auth/login', { username: 'old_timer', password: 'y'.repeat(100) })).status).toBe(401);
  });
});

// The sign-in and registration limits have their own file: auth-limits.test.ts.

describe('configuration', () => {
  it('refuses to start in production without a real secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: '/tmp/never-used' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'change-me', DATA_DIR: '/tmp/never-used' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-long-random-secret-value' }).isProduction).toBe(true);
  });
});
