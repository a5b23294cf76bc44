import { SEND_INTERVAL_SECONDS } from '../../src/lib/protocol/index.ts';
import { createRoom, registerUser } from '../../tests/support/client.ts';
import { connectClient, eventFrameBytes, nextEvent } from '../client.ts';
import { sampleDrawings } from '../drawings.ts';
import type { DrawingForm } from '../options.ts';
import type { Target } from '../processes.ts';

// Scenario "drawing size": what typical drawings cost on the wire, sent through the real server
// from one member to another; the frames are counted as they leave and arrive. Both forms are
// computed (strokes packed, and every point spelled out as before packing); the one the server
// under test takes (--drawing-form) is sent and measured.

export interface DrawingSize {
  name: string;
  description: string;
  strokes: number;
  points: number;
  /** The form sent through the server. */
  form: DrawingForm;
  /** JSON of the drawing alone, in the form sent. */
  drawingBytes: number;
  /** JSON of the drawing in each form. */
  packedBytes: number;
  unpackedBytes: number;
  /** The `message:send` frame in each form, computed. */
  packedSendFrameBytes: number;
  unpackedSendFrameBytes: number;
  /** The `message:send` frame the client sent (measured; computed when not sent). */
  sendFrameBytes: number;
  /** The `message:new` frame each other member receives; null when the server did not deliver. */
  newFrameBytes: number | null;
}

export interface DrawingResult {
  drawings: DrawingSize[];
  /** True when the frames were observed through the server, false when only computed. */
  measuredThroughServer: boolean;
  note?: string;
}

export async function runDrawingSize(server: Target, form: DrawingForm, tag: string): Promise<DrawingResult> {
  const samples = sampleDrawings();
  const sendFrame = (content: unknown) => eventFrameBytes('message:send', { roomId: 'x'.repeat(21), type: 'drawing', content }, true);
  const sent = (s: (typeof samples)[number]) => (form === 'packed' ? s.drawing : s.unpacked);
  const computed: DrawingSize[] = samples.map((s) => ({
    name: s.name,
    description: s.description,
    strokes: s.strokes,
    points: s.points,
    form,
    drawingBytes: Buffer.byteLength(JSON.stringify(sent(s))),
    packedBytes: Buffer.byteLength(JSON.stringify(s.drawing)),
    unpackedBytes: Buffer.byteLength(JSON.stringify(s.unpacked)),
    packedSendFrameBytes: sendFrame(s.drawing),
    unpackedSendFrameBytes: sendFrame(s.unpacked),
    sendFrameBytes: sendFrame(sent(s)),
    newFrameBytes: null
  }));
  try {
    const sender = await registerUser(server.baseUrl, `b${tag}_draw_a`);
    const receiver = await registerUser(server.baseUrl, `b${tag}_draw_b`);
    const room = await createRoom(sender, [receiver], `bench ${tag} drawings`);
    const a = await connectClient(server.baseUrl, sender);
    const b = await connectClient(server.baseUrl, receiver);
    try {
      for (const client of [a, b]) {
        const history = nextEvent(client.socket, 'room:history', (p) => p.roomId === room.id);
        client.socket.emit('room:join', { roomId: room.id });
        await history;
      }
      const measured: DrawingSize[] = [];
      for (const [i, s] of samples.entries()) {
        // One send a second per user: wait out the limit between drawings.
        if (i > 0) await new Promise((r) => setTimeout(r, SEND_INTERVAL_SECONDS * 1000 + 100));
        const arrived = nextEvent(b.socket, 'message:new', (m) => m.roomId === room.id && m.type === 'drawing' && m.userId === sender.id);
        a.socket.emit('message:send', { roomId: room.id, type: 'drawing', content: sent(s) as typeof s.drawing });
        await arrived;
        measured.push({
          ...computed[i],
          sendFrameBytes: a.frames.lastSent('message:send') ?? computed[i].sendFrameBytes,
          newFrameBytes: b.frames.lastReceived('message:new') ?? null
        });
      }
      return { drawings: measured, measuredThroughServer: true };
    } finally {
      a.socket.disconnect();
      b.socket.disconnect();
    }
  } catch (err) {
    // The sizes of what the editor sends hold even when the server cannot carry them yet.
    return { drawings: computed, measuredThroughServer: false, note: `not sent through the server: ${err instanceof Error ? err.message : String(err)}` };
  }
}
