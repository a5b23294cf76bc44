import { registerUser, createRoom, joinRoomOverRest, TEST_PASSWORD, type Session, type TestUser } from '../tests/support/client.ts';

// The bench's own REST needs on top of the shared test client (tests/support/client.ts, which
// registers, creates and joins rooms): attempts whose status is the figure, bounded concurrency,
// and rooms grown to a size. Every user and room is real, made through the public API.

/** A registered bench user: the shared client's user, signed in over HTTP. */
export type BenchUser = TestUser;

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

/** `POST /api/rooms/join-by-code` with a password guess: 200 joined, 403 wrong, 429 limited... */
export function tryRoomPassword(baseUrl: string, user: BenchUser, inviteCode: string, password: string, timeoutMs = 10_000): Promise<number> {
  return statusOf(baseUrl, '/api/rooms/join-by-code', { inviteCode, password }, user.cookie, timeoutMs);
}

/** `POST /api/auth/login` with the password every bench user has; answers the status. */
export function signIn(baseUrl: string, username: string, timeoutMs = 10_000): Promise<number> {
  return statusOf(baseUrl, '/api/auth/login', { username, password: TEST_PASSWORD }, undefined, timeoutMs);
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
  /** Real users on the server; made-up ones (no cookie) on the relay. */
  members: Session[];
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
    const room = await createRoom(members[0], [], `bench ${tag} ${roomIndex}`);
    await mapLimit(members.slice(1), 4, (member) => joinRoomOverRest(member, room));
    return { roomId: room.id, members };
  });
  return [...existing, ...made];
}
