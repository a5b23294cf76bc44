import { ROOM_MAX_MEMBERS, SEND_INTERVAL_SECONDS } from '../../src/lib/protocol/index.ts';
import { growRooms, type SeatedRoom } from '../api.ts';
import { Histogram } from '../histogram.ts';
import type { WorkerPool } from '../pool.ts';
import { coresBetween, sampleMachine, sampleProcess, type ProcSample, type Target } from '../processes.ts';
import type { ClientSpec, DrawingLoad, RunResult } from '../workerProtocol.ts';

// Scenario "chat": rooms of 16 members, everyone sending a ~200-byte text every 2 s (jittered),
// R growing step by step until the target saturates. Run against the server and the relay in
// turns, step by step, so both see the same machine at nearly the same moment.

export interface ChatOptions {
  /** How the log names the scenario. */
  label: string;
  steps: number[];
  roomSize: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  sendIntervalMs: number;
  jitterMs: number;
  textBytes: number;
  /** Members send drawings instead of text (the drawing-room scenario). */
  drawings?: DrawingLoad;
  /** Saturated when p99 exceeds this... */
  p99LimitMs: number;
  /** ...or fewer than this share of the expected deliveries arrive. */
  deliveryFloor: number;
  /** No new step starts after this much time in the scenario. */
  timeBudgetMs: number;
  connectConcurrency: number;
  /** A saturated step is measured up to this many times; the best attempt stands. */
  attemptsAtSaturation: number;
  /** Before a step, wait up to this long for other work on the machine to drop under `quietCores`. */
  quietWaitMs: number;
  quietCores: number;
}

export const CHAT_DEFAULTS: Omit<ChatOptions, 'steps' | 'timeBudgetMs' | 'warmupMs' | 'measureMs' | 'drainMs' | 'attemptsAtSaturation' | 'quietWaitMs'> = {
  label: 'chat',
  roomSize: ROOM_MAX_MEMBERS,
  sendIntervalMs: 2000,
  // 2 s +- 0.6 s keeps every gap well over the 1 s limit.
  jitterMs: 600,
  textBytes: 200,
  p99LimitMs: 100,
  deliveryFloor: 0.9,
  connectConcurrency: 32,
  quietCores: 0.4
};

export interface ChatStep {
  rooms: number;
  sockets: number;
  offeredMsgPerS: number;
  expectedDeliveriesPerS: number;
  deliveredPerS: number;
  deliveredShare: number;
  /** Bytes on the wire of the message frames all clients received, per second. */
  receivedBytesPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: Record<string, number>;
  disconnects: number;
  /** Cores in use (1 = one core fully busy) during the measured window. */
  serverCores: number | null;
  redisCores: number | null;
  generatorCores: number;
  /** Everything busy on the machine, including other people's work. */
  machineCores: number | null;
  /** What the machine did besides the server, its Redis and the generator (other people's work). */
  otherCores: number | null;
  /** Measurements taken of this step (a saturated step is measured again); the best is shown. */
  attempts: number;
  /** The measured window on the system's monotonic clock (microseconds), to cut CPU profiles. */
  windowMicros: [number, number];
  /** Server and Redis CPU per delivery: what one delivery costs, however busy the machine is. */
  cpuMicrosPerDelivery: number | null;
  serverRssMB: number | null;
  redisRssMB: number | null;
  generatorLoopDelayP99Ms: number;
  saturated: boolean;
  reason?: string;
}

export interface ChatTargetResult {
  target: string;
  steps: ChatStep[];
  /** Rooms at the first saturated step; null when no step saturated within the bounds. */
  saturationRooms: number | null;
  /** Highest delivered rate seen up to and including the saturation step. */
  saturationDeliveriesPerS: number;
  idleRssMB: number | null;
  /** RSS growth per added socket, from the smallest to the largest step. */
  rssPerSocketKB: number | null;
  /** RSS at the largest step over its sockets (includes the process's baseline). */
  rssTotalPerSocketKB: number | null;
  /** Why this target stopped before saturating, when it failed. */
  error?: string;
}

export interface ChatResult {
  options: ChatOptions;
  targets: ChatTargetResult[];
  /** server saturation deliveries / relay saturation deliveries. */
  ratio: number | null;
  stoppedBy: 'saturation' | 'steps' | 'time';
}

interface TargetState {
  target: Target;
  rooms: SeatedRoom[];
  /** Rooms whose sockets are connected. */
  connectedRooms: number;
  result: ChatTargetResult;
  idle: ProcSample | null;
  done: boolean;
}

const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

async function seatRooms(state: TargetState, count: number, options: ChatOptions, tag: string): Promise<void> {
  if (state.rooms.length >= count) return;
  if (state.target.name === 'relay') {
    // The relay has no accounts or rooms: seats are made up, with the same shape.
    for (let i = state.rooms.length; i < count; i++) {
      const members = Array.from({ length: options.roomSize }, (_, seat) => ({
        id: i * options.roomSize + seat + 1,
        username: `b${tag}_${i}_${seat}`,
        cookie: ''
      }));
      state.rooms.push({ roomId: `relay-${tag}-${i}`, members });
    }
    return;
  }
  state.rooms = await growRooms(state.target.baseUrl, state.rooms, count, options.roomSize, tag);
}

async function connectRooms(state: TargetState, pool: WorkerPool, count: number, options: ChatOptions): Promise<void> {
  const perWorker: ClientSpec[][] = Array.from({ length: pool.size }, () => []);
  for (let r = state.connectedRooms; r < count; r++) {
    const room = state.rooms[r];
    // A whole room lives in one worker: its fan-out is timed against one process's clock anyway.
    const bucket = perWorker[r % pool.size];
    room.members.forEach((member, seat) => {
      bucket.push({
        senderId: r * options.roomSize + seat,
        roomId: room.roomId,
        ...(state.target.name === 'relay' ? { auth: { userId: member.id, username: member.username } } : { cookie: member.cookie })
      });
    });
  }
  const replies = await pool.all(
    (i) => ({ type: 'connect', target: state.target.name, url: state.target.baseUrl, clients: perWorker[i], concurrency: options.connectConcurrency }),
    180_000
  );
  const failed = replies.reduce((n, r) => n + (r.connect?.failed ?? 0), 0);
  if (failed > 0) {
    const reason = replies.find((r) => r.connect?.firstError)?.connect?.firstError;
    throw new Error(`${state.target.name}: ${failed} sockets could not connect and join (${reason})`);
  }
  state.connectedRooms = count;
}

interface Snapshot {
  server: ProcSample | null;
  redis: ProcSample | null;
  machine: ProcSample | null;
}

function snapshot(target: Target): Snapshot {
  return { server: sampleProcess(target.pid), redis: sampleProcess(target.redisPid), machine: sampleMachine() };
}

async function runStep(state: TargetState, pool: WorkerPool, rooms: number, step: number, options: ChatOptions): Promise<ChatStep> {
  const { target } = state;
  const startAtMicros = nowMicros() + 300_000;
  const measureFromMs = (startAtMicros - nowMicros()) / 1000 + options.warmupMs;
  // Snapshots at both edges of the measured window, taken on the orchestrator's timers.
  const window: { before?: Snapshot; after?: Snapshot } = {};
  let maxRss = 0;
  let maxRedisRss = 0;
  const sampleRss = () => {
    maxRss = Math.max(maxRss, sampleProcess(target.pid)?.rssBytes ?? 0);
    maxRedisRss = Math.max(maxRedisRss, sampleProcess(target.redisPid)?.rssBytes ?? 0);
  };
  const beforeTimer = setTimeout(() => (window.before = snapshot(target)), measureFromMs);
  const rssTimer = setInterval(sampleRss, 1000);
  const afterTimer = setTimeout(() => {
    window.after = snapshot(target);
    sampleRss();
  }, measureFromMs + options.measureMs);

  let replies;
  try {
    replies = await pool.all(
      () => ({
        type: 'run',
        target: target.name,
        run: {
          step,
          startAtMicros,
          warmupMs: options.warmupMs,
          measureMs: options.measureMs,
          drainMs: options.drainMs,
          sendIntervalMs: options.sendIntervalMs,
          jitterMs: options.jitterMs,
          textBytes: options.textBytes,
          drawings: options.drawings
        }
      }),
      options.warmupMs + options.measureMs + options.drainMs + 60_000
    );
  } finally {
    clearTimeout(beforeTimer);
    clearTimeout(afterTimer);
    clearInterval(rssTimer);
  }
  const runs = replies.map((r) => r.run).filter((r): r is RunResult => r !== undefined);
  const latency = new Histogram();
  const errors: Record<string, number> = {};
  let sent = 0;
  let delivered = 0;
  let receivedBytes = 0;
  let disconnects = 0;
  let generatorCpuMicros = 0;
  let loopDelay = 0;
  for (const run of runs) {
    latency.merge(run.latency);
    sent += run.sent;
    delivered += run.deliveredToOthers;
    receivedBytes += run.receivedBytes;
    disconnects += run.disconnects;
    generatorCpuMicros += run.cpuUserMicros + run.cpuSystemMicros;
    loopDelay = Math.max(loopDelay, run.eventLoopDelayP99Ms);
    for (const [code, n] of Object.entries(run.errors)) errors[code] = (errors[code] ?? 0) + n;
  }
  const seconds = options.measureMs / 1000;
  const expected = sent * (options.roomSize - 1);
  const share = expected === 0 ? 0 : delivered / expected;
  const p99 = latency.quantile(0.99) / 1000;
  const { before: b, after: a } = window;
  const serverCores = b && a ? coresBetween(b.server, a.server) : null;
  const redisCores = b && a && target.redisPid ? coresBetween(b.redis, a.redis) : null;
  const machineCores = b && a ? coresBetween(b.machine, a.machine) : null;
  const generatorCores = generatorCpuMicros / 1e6 / seconds;
  const otherCores = machineCores === null ? null : Math.max(0, machineCores - (serverCores ?? 0) - (redisCores ?? 0) - generatorCores);
  const reasons: string[] = [];
  if (p99 > options.p99LimitMs) reasons.push(`p99 ${round(p99)} ms > ${options.p99LimitMs} ms`);
  if (share < options.deliveryFloor) reasons.push(`delivered ${round(share * 100)}% < ${options.deliveryFloor * 100}%`);
  return {
    rooms,
    sockets: rooms * options.roomSize,
    offeredMsgPerS: round(sent / seconds),
    expectedDeliveriesPerS: round(expected / seconds),
    deliveredPerS: round(delivered / seconds),
    deliveredShare: round(share, 4),
    receivedBytesPerS: round(receivedBytes / seconds, 0),
    latencyMs: {
      p50: round(latency.quantile(0.5) / 1000, 2),
      p95: round(latency.quantile(0.95) / 1000, 2),
      p99: round(p99, 2),
      max: round(latency.max / 1000, 2)
    },
    errors,
    disconnects,
    serverCores: serverCores === null ? null : round(serverCores, 2),
    redisCores: redisCores === null ? null : round(redisCores, 2),
    generatorCores: round(generatorCores, 2),
    machineCores: machineCores === null ? null : round(machineCores, 2),
    otherCores: otherCores === null ? null : round(otherCores, 2),
    cpuMicrosPerDelivery: serverCores === null || delivered === 0 ? null : round((((serverCores + (redisCores ?? 0)) * seconds) / delivered) * 1e6),
    attempts: 1,
    windowMicros: [startAtMicros + options.warmupMs * 1000, startAtMicros + (options.warmupMs + options.measureMs) * 1000],
    serverRssMB: maxRss ? round(maxRss / MB) : null,
    redisRssMB: maxRedisRss ? round(maxRedisRss / MB) : null,
    generatorLoopDelayP99Ms: round(loopDelay, 1),
    saturated: reasons.length > 0,
    ...(reasons.length ? { reason: reasons.join('; ') } : {})
  };
}

/**
 * Waits (bounded) until the machine's work besides ours drops under the threshold, so a step
 * does not start in the middle of someone else's build. Answers the cores others were using.
 */
async function waitForQuiet(ours: number[], options: ChatOptions, log: (line: string) => void): Promise<number | null> {
  if (options.quietWaitMs <= 0) return null;
  const deadline = Date.now() + options.quietWaitMs;
  let others: number | null = null;
  let warned = false;
  for (;;) {
    const before = { machine: sampleMachine(), ours: ours.map(sampleProcess) };
    await new Promise((r) => setTimeout(r, 1000));
    const machine = coresBetween(before.machine, sampleMachine());
    if (machine === null) return null;
    const ourCores = ours.reduce((sum, pid, i) => sum + (coresBetween(before.ours[i], sampleProcess(pid)) ?? 0), 0);
    others = Math.max(0, machine - ourCores);
    if (others < options.quietCores || Date.now() >= deadline) return others;
    if (!warned) log(`machine busy with other work (${round(others, 2)} cores): waiting up to ${Math.round((deadline - Date.now()) / 1000)} s`);
    warned = true;
  }
}

/** The attempt that shows more of what the target can do: unsaturated first, then lower p99. */
function better(a: ChatStep, b: ChatStep): ChatStep {
  if (a.saturated !== b.saturated) return a.saturated ? b : a;
  return a.latencyMs.p99 <= b.latencyMs.p99 ? a : b;
}

function finish(state: TargetState): void {
  const { result } = state;
  const firstSaturated = result.steps.findIndex((s) => s.saturated);
  const counted = firstSaturated === -1 ? result.steps : result.steps.slice(0, firstSaturated + 1);
  result.saturationRooms = firstSaturated === -1 ? null : result.steps[firstSaturated].rooms;
  result.saturationDeliveriesPerS = Math.max(0, ...counted.map((s) => s.deliveredPerS));
  // Memory per socket is the slope between the smallest and the largest step: the server's own
  // baseline (code, heap, caches) cancels out, and so does most garbage-collector timing.
  const first = result.steps.find((s) => s.serverRssMB !== null);
  const last = result.steps.at(-1);
  if (first?.serverRssMB && last?.serverRssMB && last.sockets > first.sockets) {
    result.rssPerSocketKB = round(((last.serverRssMB - first.serverRssMB) * 1024) / (last.sockets - first.sockets));
  }
  if (last?.serverRssMB) result.rssTotalPerSocketKB = round((last.serverRssMB * 1024) / last.sockets);
}

export async function runChat(
  targets: Target[],
  pool: WorkerPool,
  options: ChatOptions,
  tag: string,
  log: (line: string) => void
): Promise<ChatResult> {
  if (options.sendIntervalMs - options.jitterMs <= SEND_INTERVAL_SECONDS * 1000) {
    throw new Error('send interval minus jitter must stay above the rate limit');
  }
  const started = Date.now();
  const states: TargetState[] = targets.map((target) => ({
    target,
    rooms: [],
    connectedRooms: 0,
    idle: sampleProcess(target.pid),
    done: false,
    result: {
      target: target.name,
      steps: [],
      saturationRooms: null,
      saturationDeliveriesPerS: 0,
      idleRssMB: null,
      rssPerSocketKB: null,
      rssTotalPerSocketKB: null
    }
  }));
  for (const state of states) state.result.idleRssMB = state.idle ? round(state.idle.rssBytes / MB) : null;

  // Every process this run started, so the rest of the machine's load counts as other work.
  const ours = [process.pid, ...pool.pids, ...targets.flatMap((t) => [t.pid, t.redisPid])].filter((p): p is number => p !== undefined);
  let stoppedBy: ChatResult['stoppedBy'] = 'steps';
  let stepNumber = 0;
  for (const rooms of options.steps) {
    if (states.every((s) => s.done)) {
      stoppedBy = 'saturation';
      break;
    }
    if (Date.now() - started > options.timeBudgetMs) {
      stoppedBy = 'time';
      break;
    }
    for (const state of states) {
      if (state.done) continue;
      const name = state.target.name;
      log(`${options.label} ${name}: ${rooms} rooms x ${options.roomSize}: seating and connecting`);
      let step: ChatStep;
      try {
        await seatRooms(state, rooms, options, tag);
        await connectRooms(state, pool, rooms, options);
        // Other people's work on this 2-core machine shows up as latency: a saturated step is
        // measured again after waiting for quiet, and the best attempt stands.
        let attempts = 0;
        do {
          await waitForQuiet(ours, options, log);
          stepNumber += 1;
          const attempt = await runStep(state, pool, rooms, stepNumber, options);
          attempts += 1;
          if (attempt.saturated && attempts < options.attemptsAtSaturation) {
            log(`${options.label} ${name}: ${rooms} rooms saturated (${attempt.reason}; others used ${attempt.otherCores ?? '-'} cores): measuring again`);
          }
          step = attempts === 1 ? attempt : better(step!, attempt);
        } while (step.saturated && attempts < options.attemptsAtSaturation);
        step.attempts = attempts;
      } catch (err) {
        // One target failing (a server not ready yet) still leaves the other's figures.
        state.result.error = err instanceof Error ? err.message : String(err);
        log(`${options.label} ${name} failed: ${state.result.error}`);
        state.done = true;
        await pool.all(() => ({ type: 'disconnect', target: name }), 30_000);
        continue;
      }
      state.result.steps.push(step);
      log(
        `${options.label} ${name}: ${rooms} rooms: offered ${step.offeredMsgPerS} msg/s, delivered ${step.deliveredPerS}/s ` +
          `(${round(step.deliveredShare * 100)}%), p50 ${step.latencyMs.p50} p99 ${step.latencyMs.p99} ms, ` +
          `server ${step.serverCores ?? '-'} cores, generator ${step.generatorCores} cores, others ${step.otherCores ?? '-'} cores${step.saturated ? `: SATURATED (${step.reason})` : ''}`
      );
      if (step.saturated) {
        state.done = true;
        // Idle sockets of a finished target would only take memory from the other one.
        await pool.all(() => ({ type: 'disconnect', target: name }), 30_000);
      }
    }
  }
  if (states.every((s) => s.done)) stoppedBy = 'saturation';
  for (const state of states) finish(state);
  await pool.all(() => ({ type: 'disconnect', target: 'server' }), 30_000);
  await pool.all(() => ({ type: 'disconnect', target: 'relay' }), 30_000);
  const server = states.find((s) => s.target.name === 'server')?.result;
  const relay = states.find((s) => s.target.name === 'relay')?.result;
  const ratio = server?.steps.length && relay?.steps.length && relay.saturationDeliveriesPerS > 0 ? round(server.saturationDeliveriesPerS / relay.saturationDeliveriesPerS, 3) : null;
  return { options, targets: states.map((s) => s.result), ratio, stoppedBy };
}
