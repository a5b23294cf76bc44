import type { PublicUser, RoomSummary } from '../src/lib/protocol/index.ts';

// The REST calls any client makes to get a seat in a room: register, create, join. Run with
// bounded concurrency; every user and room is real, made through the public API.

export interface BenchUser extends PublicUser {
  /** `token=...`, sent as the Cookie header of requests and socket handshakes. */
  cookie: string;
}

const PASSWORD = 'bench-password-1';

async function call<T>(baseUrl: string, method: string, route: string, body: unknown, cookie?: string): Promise<{ data: T; setCookie: string | null }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: baseUrl };
  if (cookie) headers.cookie = cookie;
  const response = await fetch(baseUrl + route, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000)
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 200)}`);
  return { data: (text ? JSON.parse(text) : undefined) as T, setCookie: response.headers.get('set-cookie') };
}

export async function registerUser(baseUrl: string, username: string): Promise<BenchUser> {
  const { data, setCookie } = await call<PublicUser>(baseUrl, 'POST', '/api/auth/register', { username, password: PASSWORD });
  const cookie = setCookie?.split(';')[0];
  if (!cookie?.startsWith('token=')) throw new Error('register answered without a session cookie');
  return { id: data.id, username: data.username, cookie };
}

/** A room owned by `owner`; with a password, joining it over REST needs that password. */
export async function createRoom(baseUrl: string, owner: BenchUser, name: string, password?: string): Promise<RoomSummary> {
  return (await call<RoomSummary>(baseUrl, 'POST', '/api/rooms', password ? { name, password } : { name }, owner.cookie)).data;
}

export async function joinRoom(baseUrl: string, user: BenchUser, roomId: string): Promise<void> {
  await call<unknown>(baseUrl, 'POST', `/api/rooms/${encodeURIComponent(roomId)}/join`, {}, user.cookie);
}

export async function deleteRoom(baseUrl: string, owner: BenchUser, roomId: string): Promise<void> {
  await call<unknown>(baseUrl, 'DELETE', `/api/rooms/${encodeURIComponent(roomId)}`, undefined, owner.cookie);
}

/**
 * One request whose answer is a figure, not a failure: resolves with the HTTP status (the body is
 * read and dropped), rejects only when no answer came (refused connection, timeout).
 */
async function statusOf(baseUrl: string, route: string, body: unknown, cookie: string | undefined, timeoutMs: number): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: baseUrl };
  if (cookie) headers.cookie = cookie;
  const response = await fetch(baseUrl + route, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}

/** `POST /api/rooms/:id/join` with a password guess: 200 joined, 403 wrong, 429 limited... */
export function tryRoomPassword(baseUrl: string, user: BenchUser, roomId: string, password: string, timeoutMs = 10_000): Promise<number> {
  return statusOf(baseUrl, `/api/rooms/${encodeURIComponent(roomId)}/join`, { password }, user.cookie, timeoutMs);
}

/** `POST /api/auth/login` with the password every bench user has; answers the status. */
export function signIn(baseUrl: string, username: string, timeoutMs = 10_000): Promise<number> {
  return statusOf(baseUrl, '/api/auth/login', { username, password: PASSWORD }, undefined, timeoutMs);
}

/** Runs `task` over `items` with at most `limit` in flight; stops at the first failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  });
  await Promise.all(runners);
  return results;
}

/** A short tag so several runs against one server never collide on usernames. */
export function runTag(): string {
  return Math.random().toString(36).slice(2, 7);
}

export interface SeatedRoom {
  roomId: string;
  members: BenchUser[];
}

/**
 * Rooms of `size` members each, grown to `count` rooms: reuses what `existing` holds, registers
 * and seats only what is new. The first member of a room is its owner.
 */
export async function growRooms(
  baseUrl: string,
  existing: SeatedRoom[],
  count: number,
  size: number,
  tag: string,
  concurrency = 8
): Promise<SeatedRoom[]> {
  const fresh = Array.from({ length: Math.max(0, count - existing.length) }, (_, i) => existing.length + i);
  const made = await mapLimit(fresh, Math.max(1, Math.floor(concurrency / 4)), async (roomIndex) => {
    const members = await mapLimit(Array.from({ length: size }, (_, seat) => seat), 4, (seat) =>
      registerUser(baseUrl, `b${tag}_${roomIndex}_${seat}`)
    );
    const room = await createRoom(baseUrl, members[0], `bench ${tag} ${roomIndex}`);
    await mapLimit(members.slice(1), 4, (member) => joinRoom(baseUrl, member, room.id));
    return { roomId: room.id, members };
  });
  return [...existing, ...made];
}
