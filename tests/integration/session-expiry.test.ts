import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSessions, SESSION_COOKIE, signSession } from '../../server/auth/session.ts';
import { useTestApp } from '../support/app.ts';
import { request, closeAllSockets, connectSocket, createRoom, createUsers, quietPeriod, record, requestRaw, type TestUser } from '../support/client.ts';

const ctx = useTestApp();

// A socket stays open long after its handshake; without a timer it would outlive the session
// token that let it in. Here tokens that expire in about two seconds, signed with the test app's
// secret, show the socket being told and closed on time, and the handshake refusing the token
// afterwards.

const SECRET = 'test-secret-for-this-run-only';

let alice: TestUser;
let bob: TestUser;
let roomId: string;

beforeAll(async () => {
  [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
  roomId = (await createRoom(alice, [bob])).id;
});
afterEach(() => closeAllSockets());

/** A session cookie for `user` whose token lives `seconds`. */
async function shortCookie(user: TestUser, seconds: number): Promise<string> {
  const row = await ctx.app.application.context.stores.users.findUserById(user.id);
  if (!row) throw new Error('user not found');
  return `${SESSION_COOKIE}=${signSession(SECRET, row, seconds)}`;
}

describe('a socket whose token expires', () => {
  it('works until then, is told why, and is disconnected by the server on time', async () => {
    const signedAt = Date.now();
    const socket = await connectSocket(ctx.app.baseUrl, await shortCookie(alice, 2));
    const events: string[] = [];
    const errors = record(socket, 'error');
    socket.on('error', () => events.push('error'));
    const closed = new Promise<{ reason: string; at: number }>((resolve) =>
      socket.once('disconnect', (reason) => {
        events.push('disconnect');
        resolve({ reason, at: Date.now() });
      })
    );
    // Fully usable meanwhile.
    expect(await requestRaw(socket, 'room:join', { roomId })).toMatchObject({ ok: true });
    expect(await request(socket, 'message:send', { roomId, type: 'text', content: 'before the end' })).toMatchObject({ ok: true });

    const { reason, at } = await closed;
    expect(reason).toBe('io server disconnect');
    // exp is whole seconds: between one and two seconds after signing, plus a little slack.
    expect(at - signedAt).toBeGreaterThanOrEqual(900);
    expect(at - signedAt).toBeLessThan(3000);
    expect(errors).toEqual([{ code: 'SESSION_EXPIRED', message: 'Your session has expired' }]);
    expect(events).toEqual(['error', 'disconnect']);
    expect(socket.connected).toBe(false);
  });

  it('the same token is refused at the next handshake, with the same words', async () => {
    const cookie = await shortCookie(alice, 1);
    const socket = await connectSocket(ctx.app.baseUrl, cookie);
    await new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    await expect(connectSocket(ctx.app.baseUrl, cookie)).rejects.toThrow('Your session has expired');
  });

  it('only that socket goes: the same user on a normal session stays connected', async () => {
    const shortLived = await connectSocket(ctx.app.baseUrl, await shortCookie(bob, 1));
    const normal = await connectSocket(ctx.app.baseUrl, bob.cookie);
    const normalErrors = record(normal, 'error');
    await new Promise<void>((resolve) => shortLived.once('disconnect', () => resolve()));
    await quietPeriod(300);
    expect(normal.connected).toBe(true);
    expect(normalErrors).toEqual([]);
    expect(await requestRaw(normal, 'room:join', { roomId })).toMatchObject({ ok: true });
  });

  it('a token that lives longer than a timer can wait (about 24.8 days) does not close the socket early', async () => {
    const socket = await connectSocket(ctx.app.baseUrl, await shortCookie(alice, 30 * 24 * 60 * 60));
    const errors = record(socket, 'error');
    await quietPeriod(500);
    expect(socket.connected).toBe(true);
    expect(errors).toEqual([]);
    expect(await requestRaw(socket, 'room:join', { roomId })).toMatchObject({ ok: true });
  });

  it('the sessions module signs what the app accepts, and reports expiry only for its own tokens', async () => {
    const sessions = createSessions(SECRET, ctx.app.application.context.stores.users, false);
    const row = (await ctx.app.application.context.stores.users.findUserById(alice.id))!;
    const check = await sessions.checkCookieHeader(`${SESSION_COOKIE}=${sessions.sign(row, 60)}`);
    expect(check.user).toEqual({ id: alice.id, username: alice.username });
    if (check.user) expect(check.expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
    // An expired token signed with another secret is a forgery, not an expired session.
    const forged = signSession('some-other-secret', row, -10);
    expect(await sessions.checkCookieHeader(`${SESSION_COOKIE}=${forged}`)).toEqual({ user: null, reason: 'invalid' });
    await expect(connectSocket(ctx.app.baseUrl, `${SESSION_COOKIE}=${forged}`)).rejects.toThrow('Not authenticated');
  });
});
