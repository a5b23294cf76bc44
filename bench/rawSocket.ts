import type { IncomingMessage } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';

// A bare Socket.IO client for attackers: Engine.IO v4 / Socket.IO v5 text packets over one
// WebSocket (`ws`, the library socket.io itself uses), so the bench decides when to read and never
// spends its own CPU parsing megabytes of history. Packets: "0" open, "2"/"3" ping/pong, "40"
// connect, "44" connect error, "41" disconnect, "42[...]" event, "42<id>[...]" event asking for an
// acknowledgement, "43<id>[...]" the acknowledgement.

export class ConnectFailure extends Error {
  constructor(
    /** refused: the server answered no (handshake error, HTTP status); failed: no answer. */
    readonly kind: 'refused' | 'failed',
    message: string
  ) {
    super(message);
  }
}

export type AckResult =
  | { kind: 'ok'; data: Buffer }
  | { kind: 'refused'; code: string }
  | { kind: 'timeout' }
  | { kind: 'closed' };

export interface RawSocketOptions {
  cookie: string;
  timeoutMs: number;
  /** Answer the server's pings; a client that reads nothing cannot. */
  answerPings: boolean;
}

interface PendingAck {
  resolve: (result: AckResult) => void;
  timer: NodeJS.Timeout;
}

const EVENT_NAME = /^42\d*\["([^"]+)"/;

export class RawSocket {
  /** Called with each event's name and its whole packet (`42["name",...]`). */
  onEvent: ((name: string, packet: Buffer) => void) | null = null;
  /** Called once when the connection ends, however it ends. */
  onClose: ((reason: string) => void) | null = null;
  open = false;
  closeReason: string | null = null;
  localPort: number | null = null;
  private tcp: NetSocket | null = null;
  private nextAck = 0;
  private acks = new Map<number, PendingAck>();
  private connected: ((err?: ConnectFailure) => void) | null = null;

  private constructor(
    private readonly ws: WebSocket,
    private readonly answerPings: boolean
  ) {}

  /** Opens the connection and the default namespace; fails with a ConnectFailure. */
  static connect(baseUrl: string, options: RawSocketOptions): Promise<RawSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, {
      headers: { origin: new URL(baseUrl).origin, cookie: options.cookie },
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: options.timeoutMs
    });
    const socket = new RawSocket(ws, options.answerPings);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => socket.settle(new ConnectFailure('failed', `not connected within ${options.timeoutMs} ms`)), options.timeoutMs);
      socket.connected = (err) => {
        clearTimeout(timer);
        socket.connected = null;
        if (err) {
          socket.terminate();
          reject(err);
        } else {
          resolve(socket);
        }
      };
      ws.on('upgrade', (res: IncomingMessage) => {
        socket.tcp = res.socket as NetSocket;
        socket.localPort = res.socket.localPort ?? null;
      });
      ws.on('unexpected-response', (req, res) => {
        res.resume();
        req.destroy();
        socket.settle(new ConnectFailure('refused', `HTTP ${res.statusCode}`));
      });
      ws.on('error', (err) => socket.settle(new ConnectFailure('failed', err.message)));
      ws.on('close', () => socket.ended('closed'));
      ws.on('message', (data) => socket.receive(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])));
    });
  }

  private settle(err?: ConnectFailure): void {
    this.connected?.(err);
  }

  private ended(reason: string): void {
    this.settle(new ConnectFailure('failed', `closed before the namespace opened (${reason})`));
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.open = false;
    for (const [id, pending] of this.acks) {
      clearTimeout(pending.timer);
      this.acks.delete(id);
      pending.resolve({ kind: 'closed' });
    }
    this.onClose?.(reason);
  }

  private receive(data: Buffer): void {
    const type = data[0];
    // '4' (message) carries a Socket.IO packet; the rest is Engine.IO's own.
    if (type === 0x34) {
      const sub = data[1];
      if (sub === 0x32) {
        const name = EVENT_NAME.exec(data.toString('latin1', 0, Math.min(data.length, 96)))?.[1];
        if (name) this.onEvent?.(name, data);
      } else if (sub === 0x33) {
        this.acknowledged(data);
      } else if (sub === 0x30) {
        this.open = true;
        this.settle();
      } else if (sub === 0x34) {
        const message = /"message":"([^"]*)"/.exec(data.toString('utf8', 0, 400))?.[1] ?? 'connect error';
        this.settle(new ConnectFailure('refused', message));
      } else if (sub === 0x31) {
        this.terminate('server disconnect');
      }
    } else if (type === 0x30) {
      // Open: join the default namespace.
      this.ws.send('40');
    } else if (type === 0x32) {
      if (this.answerPings) this.ws.send('3');
    } else if (type === 0x31) {
      this.terminate('server close');
    }
  }

  private acknowledged(data: Buffer): void {
    const bracket = data.indexOf(0x5b);
    if (bracket < 0) return;
    const id = Number(data.toString('latin1', 2, bracket));
    const pending = this.acks.get(id);
    if (!pending) return;
    this.acks.delete(id);
    clearTimeout(pending.timer);
    // Success answers may be megabytes: only the head is looked at.
    if (data.indexOf('{"ok":true', bracket) === bracket + 1) {
      pending.resolve({ kind: 'ok', data });
      return;
    }
    let code = 'UNKNOWN';
    try {
      const [result] = JSON.parse(data.toString('utf8', bracket)) as [{ error?: { code?: string } }];
      code = result.error?.code ?? code;
    } catch {
      // An answer of an unexpected shape stays UNKNOWN.
    }
    pending.resolve({ kind: 'refused', code });
  }

  /**
   * Sends an event without waiting for anything; with `askAnswer` it still asks for an
   * acknowledgement (which then goes unread). False when the connection is gone.
   */
  emit(event: string, payload: unknown, askAnswer = false): boolean {
    if (!this.open || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(`42${askAnswer ? this.nextAck++ : ''}${JSON.stringify([event, payload])}`);
    return true;
  }

  /** Sends an event and waits for its acknowledgement. */
  request(event: string, payload: unknown, timeoutMs: number): Promise<AckResult> {
    if (!this.open || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve({ kind: 'closed' });
    const id = this.nextAck++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.acks.set(id, { resolve, timer });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  /** Stops reading: what the server sends piles up in the kernel, then in the server. */
  pauseReading(): void {
    this.ws.pause();
  }

  /** Bytes read from the TCP connection so far (HTTP upgrade answer and frames). */
  get bytesRead(): number {
    return this.tcp?.bytesRead ?? 0;
  }

  /** Drops the connection at once, without a closing handshake. */
  terminate(reason = 'closed by client'): void {
    this.ended(reason);
    this.ws.terminate();
  }
}
