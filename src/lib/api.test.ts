import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { api, ApiError } from './api';
import type { LeaveRoomResult, PublicUser, RoomDetails, RoomInvitePreview, RoomSummary } from './protocol';

interface Sent {
  method: string;
  url: string;
  body: unknown;
  json: boolean;
}

/** Answers every fetch with the given status and body, recording what was asked. */
function serve(status: number, body: unknown): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    sent.push({
      method: init.method ?? 'GET',
      url,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
      json: headers.get('content-type') === 'application/json'
    });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  });
  return sent;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the REST client', () => {
  it('calls each friends endpoint with its method, path and body', async () => {
    const sent = serve(200, {});
    await api.friends.overview();
    await api.friends.request('bob');
    await api.friends.accept(7);
    await api.friends.decline(7);
    await api.friends.cancel(7);
    await api.friends.remove(7);
    await api.friends.seen();
    await api.friends.block({ username: 'bob' });
    await api.friends.block({ userId: 7 });
    await api.friends.unblock(7);
    await api.friends.direct(7);
    expect(sent.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['GET', '/api/friends', undefined],
      ['POST', '/api/friends/requests', { username: 'bob' }],
      ['POST', '/api/friends/requests/7/accept', {}],
      ['POST', '/api/friends/requests/7/decline', {}],
      ['DELETE', '/api/friends/requests/7', undefined],
      ['DELETE', '/api/friends/7', undefined],
      ['POST', '/api/friends/seen', {}],
      ['POST', '/api/friends/blocks', { username: 'bob' }],
      ['POST', '/api/friends/blocks', { userId: 7 }],
      ['DELETE', '/api/friends/blocks/7', undefined],
      ['POST', '/api/friends/7/direct', {}]
    ]);
  });

  it('calls each endpoint with its method, path and body', async () => {
    const sent = serve(200, {});
    await api.auth.me();
    await api.auth.login({ username: 'ada', password: 'secret1' });
    await api.auth.register({ username: 'ada', password: 'secret1' });
    await api.auth.logout();
    await api.rooms.list();
    await api.rooms.create({ name: 'Doodles' });
    await api.rooms.details('r1');
    await api.rooms.remove('r1');
    await api.rooms.join('r1', { password: 'pw' });
    await api.rooms.joinByCode({ inviteCode: 'c1' });
    await api.rooms.leave('r1');
    await api.rooms.invite('c1');
    expect(sent.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['GET', '/api/auth/me', undefined],
      ['POST', '/api/auth/login', { username: 'ada', password: 'secret1' }],
      ['POST', '/api/auth/register', { username: 'ada', password: 'secret1' }],
      ['POST', '/api/auth/logout', {}],
      ['GET', '/api/rooms', undefined],
      ['POST', '/api/rooms', { name: 'Doodles' }],
      ['GET', '/api/rooms/r1', undefined],
      ['DELETE', '/api/rooms/r1', undefined],
      ['POST', '/api/rooms/r1/join', { password: 'pw' }],
      ['POST', '/api/rooms/join-by-code', { inviteCode: 'c1' }],
      ['POST', '/api/rooms/r1/leave', {}],
      ['GET', '/api/rooms/invite/c1', undefined]
    ]);
    // Every body goes as JSON; requests without one send no content type.
    expect(sent.every((s) => s.json === (s.body !== undefined))).toBe(true);
  });

  it('sends my settings as JSON with PUT, and a picture as a multipart form without a JSON type', async () => {
    const sent = serve(200, {});
    await api.account.profile();
    await api.account.settings();
    await api.account.saveSettings({ sounds: false, messageSound: true, volume: 0.5 });
    await api.account.removeAvatar();
    const picture = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' });
    await api.account.setAvatar(picture);
    expect(sent.slice(0, 4).map(({ method, url, body, json }) => [method, url, body, json])).toEqual([
      ['GET', '/api/account/profile', undefined, false],
      ['GET', '/api/account/settings', undefined, false],
      ['PUT', '/api/account/settings', { sounds: false, messageSound: true, volume: 0.5 }, true],
      ['DELETE', '/api/account/avatar', undefined, false]
    ]);
    const upload = sent[4];
    expect([upload.method, upload.url, upload.json]).toEqual(['POST', '/api/account/avatar', false]);
    expect(upload.body).toBeInstanceOf(FormData);
    expect((upload.body as FormData).get('image')).toBeInstanceOf(Blob);
  });

  it('URL-encodes ids and invite codes', async () => {
    const sent = serve(200, {});
    await api.rooms.details('a/../b?c');
    await api.rooms.leave('x y');
    await api.rooms.invite('#code');
    expect(sent.map((s) => s.url)).toEqual(['/api/rooms/a%2F..%2Fb%3Fc', '/api/rooms/x%20y/leave', '/api/rooms/invite/%23code']);
  });

  it("surfaces the server's { error } text, or the status when there is none", async () => {
    serve(409, { error: 'This room is full' });
    await expect(api.rooms.joinByCode({ inviteCode: 'c1' })).rejects.toEqual(new ApiError('This room is full', 409));
    serve(502, '<html>Bad gateway</html>');
    const failure = await api.rooms.list().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ message: 'Request failed (502)', status: 502 });
  });

  it('says so when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(api.auth.me()).rejects.toMatchObject({ message: 'Cannot reach the server. Check your connection.', status: 0 });
  });

  it('answers with the contract types', () => {
    expectTypeOf(api.auth.me).returns.resolves.toEqualTypeOf<PublicUser>();
    expectTypeOf(api.rooms.list).returns.resolves.toEqualTypeOf<RoomSummary[]>();
    expectTypeOf(api.rooms.joinByCode).returns.resolves.toEqualTypeOf<RoomDetails>();
    expectTypeOf(api.rooms.leave).returns.resolves.toEqualTypeOf<LeaveRoomResult>();
    expectTypeOf(api.rooms.invite).returns.resolves.toEqualTypeOf<RoomInvitePreview>();
  });
});
