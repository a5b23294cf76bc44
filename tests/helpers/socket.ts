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
import { registerUser, type HttpClient } from './http.ts';

// Real socket.io-client connections to a test app, as a browser tab would open them: websocket
// transport, the session cookie in the handshake.

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ServerEvent = keyof ServerToClientEvents;
export type Payload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

export interface SocketOptions {
  origin?: string;
  /** Leave unconnected (to queue events before connecting). */
  autoConnect?: boolean;
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
    autoConnect: options.autoConnect ?? true
  });
  open.push(socket);
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
export function request<T = unknown>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<Ack<T>> {
  const raw = socket as unknown as Socket;
  return raw.timeout(5000).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

/** A well-formed acknowledged event: its payload and answer typed by the contract's event table. */
export function ask<E extends AckedEvent>(socket: ClientSocket, event: E, payload: PayloadOf<E>): Promise<Ack<ReplyOf<E>>> {
  return request<ReplyOf<E>>(socket, event, payload);
}

/**
 * Joins a room as the app does: the page arrives once, as `room:history`, and the acknowledgement
 * that follows carries nothing. Throws with the server's refusal.
 */
export async function joinRoom(socket: ClientSocket, roomId: string): Promise<HistoryPage> {
  const history = nextEvent(socket, 'room:history', (page) => page.roomId === roomId);
  history.catch(() => undefined); // a refused join sends no page; the acknowledgement says why
  const ack = await ask(socket, 'room:join', { roomId });
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

export interface TestUser {
  id: number;
  username: string;
  cookie: string;
  client: HttpClient;
}

/** Fresh users registered over the real API (unique names), each with their session. */
export async function createUsers(baseUrl: string, count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => registerUser(baseUrl)));
}

/** A room made through the REST API by `owner`, joined (over REST) by every other user. */
export async function createRoom(owner: TestUser, members: TestUser[] = [], name = 'Test room'): Promise<RoomSummary> {
  const created = await owner.client.post('/api/rooms', { name });
  if (created.status !== 201) throw new Error(`create room failed: ${created.status} ${created.text}`);
  const room = created.json as RoomSummary;
  for (const member of members) {
    const joined = await member.client.post(`/api/rooms/${room.id}/join`, {});
    if (joined.status >= 300) throw new Error(`join room failed: ${joined.status} ${joined.text}`);
  }
  return room;
}
