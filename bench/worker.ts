import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Message, MessageSend, ServerToClientEvents } from '../src/lib/protocol/index.ts';
import { wsFrameOverhead } from './client.ts';
import { doodle, sketch } from './drawings.ts';
import { median, Histogram } from './histogram.ts';
import type { ClientSpec, Command, ConnectResult, DrawingLoad, Reply, RunResult, RunSpec } from './workerProtocol.ts';

// A client worker process: holds many real socket.io-client connections, sends text (or drawings)
// on a jittered timer during a step and times every delivery from the sender's timestamp in the
// content. hrtime is the system's monotonic clock, so timestamps compare across processes.

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Client {
  spec: ClientSpec;
  socket: ClientSocket;
  timer?: NodeJS.Timeout;
  /** Sends so far, to pick the drawing. */
  sends: number;
}

const CONNECT_TIMEOUT_MS = 20_000;
const LOOP_DELAY_RESOLUTION_MS = 10;

const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** One run at a time per worker; receive handlers count into it. */
interface Tally {
  step: number;
  sent: number;
  deliveredToOthers: number;
  ownCopies: number;
  uncounted: number;
  errors: Record<string, number>;
  disconnects: number;
  latency: Histogram;
  /** Counting received frame bytes (the measured window only). */
  counting: boolean;
  receivedBytes: number;
}
let tally: Tally | null = null;

const targets = new Map<string, Client[]>();

// Content: "step|phase|senderId|sentMicros|xxxx..." padded to the wanted size.
function content(step: number, phase: 'w' | 'm', senderId: number, bytes: number): string {
  const head = `${step}|${phase}|${senderId}|${nowMicros()}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

// Drawings carry the same marker as their first operation, a line of text in the corner.
type Samples = { doodle: { operations: unknown[] }; sketch: { operations: unknown[] } };
let samples: Samples | null = null;

/** The drawing of a client's `sendIndex`-th send: every tenth (at `sketchShare` 0.1) is a sketch, the same on every target. */
function drawingContent(load: DrawingLoad, marker: string, sendIndex: number): MessageSend['content'] {
  const form = (s: ReturnType<typeof doodle>) => (load.form === 'packed' ? s.drawing : s.unpacked);
  const made: Samples = (samples ??= { doodle: form(doodle()), sketch: form(sketch()) });
  const every = Math.max(1, Math.round(1 / load.sketchShare));
  const drawing = sendIndex % every === every - 1 ? made.sketch : made.doodle;
  const mark = { type: 'text', x: 0, y: 0, content: marker, color: '#000000', fontSize: 12 };
  return { ...drawing, operations: [mark, ...drawing.operations] } as MessageSend['content'];
}

/** The marker a message carries: its text, or the text of a drawing's first operation. */
function markerOf(message: Message): string | null {
  if (message.type === 'text') return message.content;
  if (message.type !== 'drawing') return null;
  const first = message.content.operations[0];
  return first?.type === 'text' ? first.content : null;
}

function onMessage(client: Client, message: Message): void {
  const current = tally;
  const marker = current && markerOf(message);
  if (!current || !marker) return;
  const receivedAt = nowMicros();
  const parts = marker.split('|', 4);
  if (parts.length < 4) return;
  const step = Number(parts[0]);
  const senderId = Number(parts[2]);
  if (senderId === client.spec.senderId) {
    current.ownCopies += 1;
    return;
  }
  if (step !== current.step || parts[1] !== 'm') {
    current.uncounted += 1;
    return;
  }
  current.deliveredToOthers += 1;
  current.latency.record(receivedAt - Number(parts[3]));
}

function connectOne(url: string, spec: ClientSpec): Promise<{ client: Client; joinMs: number }> {
  const origin = new URL(url).origin;
  const socket: ClientSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    extraHeaders: { origin, ...(spec.cookie ? { cookie: spec.cookie } : {}) },
    auth: spec.auth ?? {}
  });
  const client: Client = { spec, socket, sends: 0 };
  socket.on('message:new', (message) => onMessage(client, message));
  socket.io.on('open', () => {
    // Engine.io packets hold the Socket.IO text; its own type byte adds one.
    socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (!tally?.counting || packet.type !== 'message' || typeof packet.data !== 'string') return;
      const bytes = packet.data.length + 1;
      tally.receivedBytes += bytes + wsFrameOverhead(bytes, false);
    });
  });
  socket.on('error', (error) => {
    if (tally) tally.errors[error?.code ?? 'UNKNOWN'] = (tally.errors[error?.code ?? 'UNKNOWN'] ?? 0) + 1;
  });
  socket.on('disconnect', () => {
    if (tally) tally.disconnects += 1;
  });
  return new Promise((resolve, reject) => {
    let joinedAt = 0;
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error('no room:history within 20 s'));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
    const onHistory = (page: { roomId: string }) => {
      if (page.roomId !== spec.roomId) return;
      socket.off('room:history', onHistory);
      clearTimeout(timer);
      resolve({ client, joinMs: (nowMicros() - joinedAt) / 1000 });
    };
    socket.on('room:history', onHistory);
    socket.once('connect', () => {
      joinedAt = nowMicros();
      socket.emit('room:join', { roomId: spec.roomId });
    });
  });
}

async function connectAll(target: string, url: string, specs: ClientSpec[], concurrency: number): Promise<ConnectResult> {
  const clients = targets.get(target) ?? [];
  targets.set(target, clients);
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const joinTimes: number[] = [];
  const runners = Array.from({ length: Math.min(concurrency, specs.length) }, async () => {
    while (next < specs.length) {
      const spec = specs[next++];
      try {
        const { client, joinMs } = await connectOne(url, spec);
        clients.push(client);
        joinTimes.push(joinMs);
      } catch (err) {
        failed += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  });
  await Promise.all(runners);
  return { connected: specs.length - failed, failed, firstError, joinMsMedian: median(joinTimes) };
}

function sleepUntilMicros(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, (at - nowMicros()) / 1000)));
}

async function run(target: string, spec: RunSpec): Promise<RunResult> {
  const clients = targets.get(target) ?? [];
  const current: Tally = {
    step: spec.step,
    sent: 0,
    deliveredToOthers: 0,
    ownCopies: 0,
    uncounted: 0,
    errors: {},
    disconnects: 0,
    latency: new Histogram(),
    counting: false,
    receivedBytes: 0
  };
  tally = current;
  const measureFrom = spec.startAtMicros + spec.warmupMs * 1000;
  const measureTo = measureFrom + spec.measureMs * 1000;

  await sleepUntilMicros(spec.startAtMicros);
  for (const client of clients) {
    const send = () => {
      const now = nowMicros();
      if (now >= measureTo || !client.socket.connected) return;
      const phase = now >= measureFrom ? 'm' : 'w';
      if (phase === 'm') current.sent += 1;
      client.sends += 1;
      if (spec.drawings) {
        const marker = content(spec.step, phase, client.spec.senderId, 0);
        const drawing = drawingContent(spec.drawings, marker, client.sends + client.spec.senderId);
        client.socket.emit('message:send', { roomId: client.spec.roomId, type: 'drawing', content: drawing } as MessageSend);
      } else {
        client.socket.emit('message:send', { roomId: client.spec.roomId, type: 'text', content: content(spec.step, phase, client.spec.senderId, spec.textBytes) });
      }
      const gap = spec.sendIntervalMs + (Math.random() * 2 - 1) * spec.jitterMs;
      client.timer = setTimeout(send, gap);
    };
    // Spread first sends over one interval so the load is even from the start.
    client.timer = setTimeout(send, Math.random() * spec.sendIntervalMs);
  }

  await sleepUntilMicros(measureFrom);
  // Errors and disconnects of the warm-up do not belong to the measurement.
  current.errors = {};
  current.disconnects = 0;
  current.counting = true;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const startedAt = nowMicros();
  await sleepUntilMicros(measureTo);
  const cpu = process.cpuUsage(cpuBefore);
  const measuredMs = (nowMicros() - startedAt) / 1000;
  current.counting = false;
  loopDelay.disable();
  for (const client of clients) clearTimeout(client.timer);
  // Late deliveries of messages sent in the window still count: the drain lets them arrive.
  await sleepUntilMicros(measureTo + spec.drainMs * 1000);
  tally = null;
  return {
    sent: current.sent,
    deliveredToOthers: current.deliveredToOthers,
    ownCopies: current.ownCopies,
    uncounted: current.uncounted,
    errors: current.errors,
    disconnects: current.disconnects,
    latency: current.latency.toJSON(),
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    measuredMs,
    // The monitor samples once per resolution interval and reports whole intervals.
    eventLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS),
    receivedBytes: current.receivedBytes
  };
}

function disconnect(target: string): void {
  for (const client of targets.get(target) ?? []) {
    clearTimeout(client.timer);
    client.socket.disconnect();
  }
  targets.delete(target);
}

async function handle(command: Command): Promise<Reply> {
  switch (command.type) {
    case 'connect':
      return { id: command.id, ok: true, connect: await connectAll(command.target, command.url, command.clients, command.concurrency) };
    case 'run':
      return { id: command.id, ok: true, run: await run(command.target, command.run) };
    case 'disconnect':
      disconnect(command.target);
      return { id: command.id, ok: true };
    case 'exit':
      for (const target of [...targets.keys()]) disconnect(target);
      setTimeout(() => process.exit(0), 50);
      return { id: command.id, ok: true };
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ id: command.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply)
  );
});
// An orphaned worker (the orchestrator died) must not linger holding sockets.
process.on('disconnect', () => process.exit(0));
