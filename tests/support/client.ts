import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AckedEvent,
  ClientToServerEvents,
  HistoryPage,
  PayloadOf,
  ReplyOf,
  RoomSummary,
  ServerToClientEvents
} from '../../src/lib/protocol/index.ts';
import { SEND_INTERVAL_SECONDS } from '../../src/lib/protocol/limits.ts';

// The one test client of the integration tests, the browser tests' API calls and the bench: it
// speaks only HTTP and Socket.IO (as a browser tab would: websocket transport, the session cookie
// in the handshake) and is typed by the contract in src/lib/protocol.

// ---- HTTP ----

/** A browser-like HTTP client over real fetch: keeps the session cookie between calls. */
export class HttpClient {
  cookie = '';

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.cookie) (init.headers as Record<string, string>).cookie = this.cookie;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof FormData) init.body = body;
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
    }
    // A bound on every call, so a stuck server fails a test or a bench step instead of hanging it.
    init.signal = AbortSignal.timeout(30_000);
    const response = await fetch(this.baseUrl + path, init);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0];
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await response.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request('POST', path, body, headers);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

let counter = 0;

/** The password of every user this client registers. */
export const TEST_PASSWORD = 'password123';

/** Who a socket or a request acts as: the session cookie (`token=...`) and the user it belongs to. */
export interface Session {
  id: number;
  username: string;
  cookie: string;
}

/** A registered user with an HTTP client signed in as them. */
export interface TestUser extends Session {
  client: HttpClient;
}

/** Registers a fresh user (unique name per call unless given) and returns a client signed in as them. */
export async function registerUser(baseUrl: string, name?: string): Promise<TestUser> {
  const client = new HttpClient(baseUrl);
  const username = name ?? `user_${process.pid % 10000}_${++counter}`;
  const res = await client.post('/api/auth/register', { username, password: TEST_PASSWORD });
  if (res.status !== 201 || !client.cookie) throw new Error(`register ${username} failed: ${res.status} ${res.text}`);
  return { client, id: res.json.id as number, username, cookie: client.cookie };
}

/**
 * Joins a room over REST with its invite code (`POST /api/rooms/join-by-code`), as a friend sent
 * the link; throws with the refusal. The room is what its owner or a member sees (it carries the
 * code); joining by id admits findable rooms only (docs/architecture.md#public-rooms).
 */
export async function joinRoomOverRest(user: TestUser, room: Pick<RoomSummary, 'inviteCode'>, password?: string): Promise<void> {
  const body = password === undefined ? { inviteCode: room.inviteCode } : { inviteCode: room.inviteCode, password };
  const joined = await user.client.post('/api/rooms/join-by-code', body);
  if (joined.status >= 300) throw new Error(`join room failed: ${joined.status} ${joined.text}`);
}

/** Deletes a room over REST as its owner; throws with the refusal. */
export async function deleteRoomOverRest(owner: TestUser, roomId: string): Promise<void> {
  const deleted = await owner.client.delete(`/api/rooms/${encodeURIComponent(roomId)}`);
  if (deleted.status >= 300) throw new Error(`delete room failed: ${deleted.status} ${deleted.text}`);
}

// ---- Socket.IO ----

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ServerEvent = keyof ServerToClientEvents;
export type Payload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

export interface SocketOptions {
  origin?: string;
  /** Leave unconnected (to queue events before connecting). */
  autoConnect?: boolean;
  /** Connection timeout (Socket.IO's default when absent). */
  timeoutMs?: number;
  /** Keep it for `closeAllSockets` (default); the bench, which closes its own, says false. */
  track?: boolean;
}

const open: ClientSocket[] = [];

/** A socket for the given session cookie, not yet necessarily connected. */
export function openSocket(baseUrl: string, cookie: string, options: SocketOptions = {}): ClientSocket {
  const headers: Record<string, string> = { cookie };
  if (options.origin) headers.origin = options.origin;
  const socket: ClientSocket = io(baseUrl, {
    transports: ['websocket'],
    extraHeaders: headers,
    forceNew: true,
    reconnection: false,
    autoConnect: options.autoConnect ?? true,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs })
  });
  if (options.track ?? true) open.push(socket);
  return socket;
}

/** A connected socket; rejects with the server's refusal. */
export function connectSocket(baseUrl: string, cookie: string, options: SocketOptions = {}): Promise<ClientSocket> {
  const socket = openSocket(baseUrl, cookie, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Closes every socket the helpers opened (afterEach / afterAll). */
export function closeAllSockets(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

/** The next `event` matching the predicate, or a rejection after the timeout. */
export function nextEvent<E extends ServerEvent>(
  socket: ClientSocket,
  event: E,
  predicate: (payload: Payload<E>) => boolean = () => true,
  timeoutMs = 5000
): Promise<Payload<E>> {
  return new Promise((resolve, reject) => {
    const listener = (payload: Payload<E>) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, listener as never);
  });
}

/** Everything a socket receives of one event, from now on. */
export function record<E extends ServerEvent>(socket: ClientSocket, event: E): Payload<E>[] {
  const items: Payload<E>[] = [];
  socket.on(event, ((payload: Payload<E>) => items.push(payload)) as never);
  return items;
}

/** Emits any event with any arguments (bad payloads included) and resolves with the acknowledgement. */
export function requestRaw<T = unknown>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<Ack<T>> {
  const raw = socket as unknown as Socket;
  return raw.timeout(5000).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

/** A well-formed acknowledged event: its payload and answer typed by the contract's event table. */
export function request<E extends AckedEvent>(socket: ClientSocket, event: E, payload: PayloadOf<E>): Promise<Ack<ReplyOf<E>>> {
  return requestRaw<ReplyOf<E>>(socket, event, payload);
}

/**
 * Joins a room as the app does: the page arrives once, as `room:history`, and the acknowledgement
 * that follows carries nothing. Throws with the server's refusal.
 */
export async function joinRoom(socket: ClientSocket, roomId: string): Promise<HistoryPage> {
  const history = nextEvent(socket, 'room:history', (page) => page.roomId === roomId);
  history.catch(() => undefined); // a refused join sends no page; the acknowledgement says why
  const ack = await request(socket, 'room:join', { roomId });
  if (!ack.ok) throw new Error(`join failed: ${ack.error.code} ${ack.error.message}`);
  if (ack.data !== undefined) throw new Error('the room:join acknowledgement should carry no history');
  return history;
}

/** Resolves once `check` passes (polling), or rejects after the timeout. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits a moment during which something must NOT happen. */
export const quietPeriod = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Fresh users registered over the real API (unique names), each with their session. */
export async function createUsers(baseUrl: string, count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => registerUser(baseUrl)));
}

/** A room made through the REST API by `owner` (with a password if given), joined with its invite code by every member. */
export async function createRoom(owner: TestUser, members: TestUser[] = [], name = 'Test room', password?: string): Promise<RoomSummary> {
  const created = await owner.client.post('/api/rooms', password === undefined ? { name } : { name, password });
  if (created.status !== 201) throw new Error(`create room failed: ${created.status} ${created.text}`);
  const room = created.json as RoomSummary;
  for (const member of members) await joinRoomOverRest(member, room, password);
  return room;
}

/**
 * A room with a short conversation, as a visitor finds it: three friends, each having sent a few
 * texts over their own socket. For the page checks (first-load bench, Lighthouse) that open it in
 * a browser as `owner`.
 */
export async function createRoomWithMessages(baseUrl: string, perMember = 2): Promise<{ owner: TestUser; room: RoomSummary }> {
  const [owner, ...friends] = await createUsers(baseUrl, 3);
  const room = await createRoom(owner, friends, 'Saturday sketches');
  const sockets = await Promise.all([owner, ...friends].map((user) => connectSocket(baseUrl, user.cookie, { origin: baseUrl })));
  try {
    for (let round = 0; round < perMember; round += 1) {
      // One message per user per SEND_INTERVAL_SECONDS: a round per second.
      if (round > 0) await new Promise((r) => setTimeout(r, SEND_INTERVAL_SECONDS * 1000 + 100));
      for (const [i, socket] of sockets.entries()) {
        const sent = await request(socket, 'message:send', { roomId: room.id, type: 'text', content: `Message ${round + 1} from friend ${i + 1}: who is drawing the bee today?` });
        if (!sent.ok) throw new Error(`message:send failed: ${sent.error.code} ${sent.error.message}`);
      }
    }
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
  return { owner, room };
}
