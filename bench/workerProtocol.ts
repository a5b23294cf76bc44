import type { HistogramData } from './histogram.ts';
import type { DrawingForm } from './options.ts';

// What the orchestrator and its client worker processes say to each other over IPC.

export interface ClientSpec {
  /** Unique per target: which seat of which room this socket is. */
  senderId: number;
  roomId: string;
  /** Session cookie for the real server; the relay takes `auth` instead. */
  cookie?: string;
  auth?: { userId: number; username: string };
}

export interface RunSpec {
  step: number;
  /** hrtime in microseconds at which every worker starts sending. */
  startAtMicros: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  sendIntervalMs: number;
  /** Each gap between sends is the interval plus or minus up to this. */
  jitterMs: number;
  textBytes: number;
  /** Send drawings instead of text: a doodle, or a sketch with this probability. */
  drawings?: DrawingLoad;
}

export interface DrawingLoad {
  sketchShare: number;
  form: DrawingForm;
}

export type Command =
  | { id: number; type: 'connect'; target: string; url: string; clients: ClientSpec[]; concurrency: number }
  | { id: number; type: 'run'; target: string; run: RunSpec }
  | { id: number; type: 'disconnect'; target: string }
  | { id: number; type: 'exit' };

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError?: string;
  /** Milliseconds from room:join to room:history per client, for the curious. */
  joinMsMedian: number;
}

export interface RunResult {
  /** Messages sent inside the measured window. */
  sent: number;
  /** Sends in the window whose delivery to others was counted. */
  deliveredToOthers: number;
  /** The sender's own copy of its messages (the server may echo to the sender). */
  ownCopies: number;
  /** Deliveries of warm-up messages or of earlier steps, not counted. */
  uncounted: number;
  errors: Record<string, number>;
  disconnects: number;
  latency: HistogramData;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  measuredMs: number;
  eventLoopDelayP99Ms: number;
  /** Bytes on the wire of the message frames the clients received in the measured window. */
  receivedBytes: number;
}

export interface OkReply {
  id: number;
  ok: true;
  connect?: ConnectResult;
  run?: RunResult;
}
export type Reply = OkReply | { id: number; ok: false; error: string };
