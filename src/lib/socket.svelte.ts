import { io, type Socket } from 'socket.io-client';
import { auth } from './auth.svelte';
import type { Ack, AckedEvent, AckFn, ClientToServerEvents, ErrorPayload, PayloadOf, ReplyOf, ServerToClientEvents } from '$lib/protocol';
// The transport only: the contract's index would bring its schemas (zod) into every page that
// holds the socket, the room list among them (docs/architecture.md#delivery).
import { SOCKET_TRANSPORTS, type HandshakeRefusal } from '$lib/protocol/transport';

// The one Socket.IO connection of the app (createAuth() pattern): typed with the shared contract,
// exposing its state as runes, and re-joining the open room whenever it (re)connects.

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * idle: not started (or closed after sign-out); connecting: first attempt; connected;
 * reconnecting: the network is there but the server cannot be reached, retrying; offline: the
 * browser has no network, or the server refused us (session ended) and retrying would not help.
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** How long an acknowledged request may take before the user is told it failed. */
const ACK_TIMEOUT_MS = 8000;

/** What the open room page hands the socket so it can be re-joined after every reconnect. */
export interface RoomSubscription {
  roomId: string;
  /**
   * Called after each (re)join, once its `room:history` page has arrived (the page comes as that
   * event, just before the acknowledgement); `rejoin` is true after a reconnect.
   */
  joined(rejoin: boolean): void;
  failed(error: ErrorPayload): void;
}

/**
 * Emits through the socket's untyped view: Socket.IO's typing cannot match arguments to a generic
 * event name. `request`'s signature, taken from the contract's table, does that check instead.
 */
function emitWithAck<E extends AckedEvent>(socket: ChatSocket, event: E, payload: PayloadOf<E>, ack: AckFn<ReplyOf<E>>): void {
  const untyped: Socket = socket;
  untyped.emit(event, payload, ack);
}

function timeoutError(event: string): ErrorPayload {
  return { code: 'UNAVAILABLE', message: 'The server did not answer. Check your connection and try again.', event };
}

/** The wait a RATE_LIMITED message names ("… try again in 3 s"), or two seconds. */
function retryDelayMs(message: string): number {
  const seconds = Number(/try again in (\d+) s/.exec(message)?.[1] ?? 2);
  return Math.min(60, Math.max(1, seconds)) * 1000;
}

export function createSocketClient() {
  let socket: ChatSocket | null = null;
  let status = $state<ConnectionStatus>('idle');
  /** Why the server refused the connection, when it did. */
  let refusal = $state<string | null>(null);
  let everConnected = false;
  let joinsSinceConnect = 0;
  let room: RoomSubscription | null = null;

  function joinOpenRoom(rejoin: boolean) {
    const current = room;
    if (!current || !socket?.connected) return;
    void request('room:join', { roomId: current.roomId }).then((result) => {
      // The user may have moved to another room while the answer was on its way.
      if (room !== current) return;
      if (result.ok) current.joined(rejoin);
      else {
        current.failed(result.error);
        // Refused for now (too many reads just now): asked again once the wait is over.
        if (result.error.code === 'RATE_LIMITED') setTimeout(() => room === current && joinOpenRoom(rejoin), retryDelayMs(result.error.message));
      }
    });
  }

  function onBrowserOnline() {
    // Retry at once instead of waiting out the back-off delay.
    if (socket && !socket.connected && !refusal) {
      status = everConnected ? 'reconnecting' : 'connecting';
      socket.connect();
    }
  }
  function onBrowserOffline() {
    if (!socket) return;
    status = 'offline';
    // A connection the network has just lost may look alive until its heartbeat fails; close it
    // now, so what is sent meanwhile waits in the outbox, and reconnect when the network is back.
    if (socket.connected || socket.active) socket.disconnect();
  }

  function ensure(): ChatSocket {
    if (socket) {
      if (!socket.connected && !socket.active) {
        status = everConnected ? 'reconnecting' : 'connecting';
        socket.connect();
      }
      return socket;
    }
    const s: ChatSocket = io({
      ...SOCKET_TRANSPORTS,
      withCredentials: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000
    });
    socket = s;
    status = 'connecting';
    refusal = null;
    s.on('connect', () => {
      const rejoin = everConnected;
      everConnected = true;
      status = 'connected';
      refusal = null;
      joinsSinceConnect += 1;
      joinOpenRoom(rejoin);
    });
    s.on('error', (error) => {
      // Sent just before the server closes a socket whose session token ran out: the banner says
      // so (with a link to sign in) rather than "reconnecting".
      if (error.code === 'SESSION_EXPIRED') refusal = error.message;
    });
    s.on('disconnect', (reason) => {
      status = refusal || !navigator.onLine ? 'offline' : 'reconnecting';
      // Socket.IO does not retry after the server closed us on purpose (for instance while it
      // shuts down for a restart). Try once more: a session that has really ended is refused by
      // the handshake and shows as offline.
      if (reason === 'io server disconnect') setTimeout(() => socket === s && !s.connected && s.connect(), 1000);
    });
    s.on('connect_error', (err) => {
      const forNow = (err as Error & { data?: Partial<HandshakeRefusal> }).data?.retry === true;
      if (!s.active && forNow) {
        // Refused only for now (a restart under way, sessions not checkable): come back shortly.
        status = navigator.onLine ? 'reconnecting' : 'offline';
        setTimeout(() => socket === s && !s.connected && s.connect(), 1000 + Math.random() * 2000);
      } else if (!s.active) {
        // The server's middleware said no (signed out, session revoked): retrying will not help.
        status = 'offline';
        refusal = err.message || 'The server refused the connection';
      } else {
        // Also before the first success: the page should say it cannot reach the server.
        status = navigator.onLine ? 'reconnecting' : 'offline';
      }
    });
    window.addEventListener('online', onBrowserOnline);
    window.addEventListener('offline', onBrowserOffline);
    return s;
  }

  /** Sends one event that takes an acknowledgement, with a timeout and an offline check. */
  function request<E extends AckedEvent>(event: E, payload: PayloadOf<E>): Promise<Ack<ReplyOf<E>>> {
    const s = socket;
    if (!s?.connected) {
      return Promise.resolve({
        ok: false,
        error: {
          code: 'UNAVAILABLE',
          message:
            event === 'message:send'
              ? 'You are offline. Your message is kept; send it again once you are back.'
              : 'You are offline. Try again once you are back.',
          event
        }
      });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: timeoutError(event) }), ACK_TIMEOUT_MS);
      emitWithAck(s, event, payload, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  }

  return {
    get status() {
      return status;
    },
    get refusal() {
      return refusal;
    },
    /** How many times the socket has connected; tests and the banner use it to see a reconnect. */
    get connections() {
      return joinsSinceConnect;
    },
    /** The live socket, connecting it if needed. */
    get socket(): ChatSocket {
      return ensure();
    },
    /** Opens a room: joins it now and after every reconnect. Returns the function that leaves it. */
    enterRoom(subscription: RoomSubscription): () => void {
      const s = ensure();
      room = subscription;
      if (s.connected) joinOpenRoom(false);
      return () => {
        // The next room may already be open (navigating between rooms): leave only this one.
        if (room === subscription) room = null;
        if (s.connected) s.emit('room:leave', { roomId: subscription.roomId });
      };
    },
    request,
    /** Closes the connection for good (sign-out); the next use opens a fresh one. */
    close() {
      room = null;
      everConnected = false;
      window.removeEventListener('online', onBrowserOnline);
      window.removeEventListener('offline', onBrowserOffline);
      socket?.removeAllListeners();
      socket?.disconnect();
      socket = null;
      status = 'idle';
    }
  };
}

export type SocketClient = ReturnType<typeof createSocketClient>;

export const chatSocket = createSocketClient();
// Loaded with the room only; signing out anywhere later still closes it.
auth.onSignOut(() => chatSocket.close());
