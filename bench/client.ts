import { nextEvent, openSocket, type ClientSocket, type Session } from '../tests/support/client.ts';

// One socket of the shared test client (websocket, session cookie, the page's Origin), plus a
// view of the exact frames it sends and receives.

export { nextEvent, type ClientSocket };

/** WebSocket frame header bytes for a payload; client frames add a 4-byte mask. */
export function wsFrameOverhead(payloadBytes: number, fromClient: boolean): number {
  const length = payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10;
  return length + (fromClient ? 4 : 0);
}

/**
 * Bytes on the wire of one Socket.IO event in the default namespace, without acknowledgement:
 * engine.io's "4" (message) + Socket.IO's "2" (event) + the JSON array, in one WebSocket frame.
 */
export function eventFrameBytes(event: string, payload: unknown, fromClient: boolean): number {
  const text = '42' + JSON.stringify([event, payload]);
  const bytes = Buffer.byteLength(text);
  return bytes + wsFrameOverhead(bytes, fromClient);
}

export interface FrameLog {
  /** Bytes on the wire of the last frame received whose event name matches. */
  lastReceived(event: string): number | undefined;
  lastSent(event: string): number | undefined;
  /** Bytes on the wire of every message frame received so far (events and acknowledgements). */
  receivedTotal(): number;
}

export async function connectClient(baseUrl: string, user: Session, timeoutMs = 10_000): Promise<{ socket: ClientSocket; frames: FrameLog }> {
  const socket = openSocket(baseUrl, user.cookie, { origin: new URL(baseUrl).origin, timeoutMs, track: false });
  const received = new Map<string, number>();
  const sent = new Map<string, number>();
  let receivedTotal = 0;
  // Engine.io packets hold the Socket.IO text ("2[...]"); its own type byte adds one.
  const eventName = (data: unknown): string | undefined => {
    if (typeof data !== 'string') return undefined;
    const match = /^\d+\["([^"]+)"/.exec(data);
    return match?.[1];
  };
  const track = (target: Map<string, number>, fromClient: boolean) => (packet: { type: string; data?: unknown }) => {
    if (packet.type !== 'message') return;
    const name = eventName(packet.data);
    if (!name) return;
    const bytes = Buffer.byteLength(packet.data as string) + 1;
    target.set(name, bytes + wsFrameOverhead(bytes, fromClient));
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect in time')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
  });
  socket.io.engine.on('packet', track(received, false));
  socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
    if (packet.type !== 'message' || typeof packet.data !== 'string') return;
    const bytes = Buffer.byteLength(packet.data) + 1;
    receivedTotal += bytes + wsFrameOverhead(bytes, false);
  });
  socket.io.engine.on('packetCreate', track(sent, true));
  return {
    socket,
    frames: { lastReceived: (event) => received.get(event), lastSent: (event) => sent.get(event), receivedTotal: () => receivedTotal }
  };
}
