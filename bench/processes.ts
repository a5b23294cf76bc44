import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer, compileEntry, serverNodeFlags } from '../scripts/build-server.mjs';
import { freePort, startTestRedis } from '../tests/support/redis.ts';

// The processes under test: a private Redis, the production server and the bare relay, each on
// a free loopback port, plus what /proc says about their CPU and memory. The server is built and
// started with the product's own build script (scripts/build-server.mjs), as a user runs it.

export const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

export interface ProcSample {
  /** Seconds of CPU (user + system) since the process started. */
  cpuSeconds: number;
  rssBytes: number;
  atMs: number;
}

/** Reads utime, stime and rss of a process; null when it is gone or not on Linux. */
export function sampleProcess(pid: number | undefined): ProcSample | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields after it are space separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpuSeconds: (utime + stime) / CLOCK_TICKS, rssBytes: rssPages * PAGE_BYTES, atMs: performance.now() };
  } catch {
    return null;
  }
}

/** Share of one core used between two samples (1.0 = one core busy). */
export function coresBetween(a: ProcSample | null, b: ProcSample | null): number | null {
  if (!a || !b || b.atMs <= a.atMs) return null;
  return (b.cpuSeconds - a.cpuSeconds) / ((b.atMs - a.atMs) / 1000);
}

/** Busy CPU seconds of the whole machine (all cores, every process) from /proc/stat. */
export function sampleMachine(): ProcSample | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
    return { cpuSeconds: (user + nice + system + irq + softirq) / CLOCK_TICKS, rssBytes: 0, atMs: performance.now() };
  } catch {
    return null;
  }
}

export interface Target {
  name: 'server' | 'relay';
  baseUrl: string;
  /** Pid of the process answering sockets, when this run started it. */
  pid?: number;
  /** Pid of its Redis, when this run started it. */
  redisPid?: number;
  redisUrl?: string;
  /** How a started process ended ("code 1", "signal SIGABRT"), or null while it runs. */
  exitStatus?(): string | null;
  /** The last few kilobytes it printed (a started process only): why it died, when it did. */
  outputTail?(): string;
  stop(): Promise<void>;
}

export interface ProcStatus {
  rssBytes: number;
  /** One letter of /proc/<pid>/status "State": R, S, D, Z (zombie: exited, not yet reaped)... */
  state: string;
}

/** VmRSS and state from /proc/<pid>/status; null when the process is gone (or not on Linux). */
export function readProcStatus(pid: number | undefined): ProcStatus | null {
  if (!pid) return null;
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(text)?.[1] ?? 0);
    const state = /^State:\s+(\S)/m.exec(text)?.[1] ?? '?';
    return { rssBytes: rssKB * 1024, state };
  } catch {
    return null;
  }
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const TAIL_CHARS = 4000;

interface Spawned {
  child: ChildProcess;
  exitStatus(): string | null;
  outputTail(): string;
}

/**
 * Spawns `node <script>` (compiled JavaScript, as production runs it) and resolves once its stdout
 * prints `readyText`.
 */
async function spawnNode(script: string, env: Record<string, string>, readyText: string, nodeArgs: string[] = []): Promise<Spawned> {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  let tail = '';
  const log = process.env.BENCH_SERVER_LOG;
  const collect = (chunk: Buffer) => {
    if (log) appendFileSync(log, chunk);
    // Only the start-up lines and a short tail are kept, so a chatty server cannot fill memory.
    if (output.length < 20_000) output += chunk.toString();
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within 30 s:\n${output}`));
    }, 30_000);
    const check = () => {
      if (output.includes(readyText)) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  let exit: string | null = null;
  child.once('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `code ${code}`));
  return { child, exitStatus: () => exit, outputTail: () => tail };
}

/** Private Redis + the compiled server (`node dist-server/index.mjs`) in production mode with temp storage. */
export async function startServer(options: { cpuProfileDir?: string } = {}): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-bench-'));
  const redis = await startTestRedis();
  const port = await freePort();
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.cpuProfileDir, 'server')] : [];
  // The flags production runs with; BENCH_NODE_ARGS adds more (e.g. --trace-gc) for a look inside.
  nodeArgs.push(...serverNodeFlags, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []));
  let spawned: Spawned;
  try {
    spawned = await spawnNode(
      await buildServer(),
      {
        NODE_ENV: 'production',
        PORT: String(port),
        REDIS_URL: redis.url,
        DATA_DIR: path.join(dir, 'data'),
        UPLOADS_DIR: path.join(dir, 'uploads'),
        JWT_SECRET: `bench-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
        AUTH_RATE_LIMIT: '0'
      },
      'is running on',
      nodeArgs
    );
  } catch (err) {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const { child } = spawned;
  return {
    name: 'server',
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid,
    redisPid: redis.child.pid,
    redisUrl: redis.url,
    exitStatus: spawned.exitStatus,
    outputTail: spawned.outputTail,
    async stop() {
      // A profiled server writes its profile on a clean exit, which SIGTERM gives it.
      await stopChild(child, 15_000);
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The bare Socket.IO relay of bench/relay.ts on a free port. */
export async function startRelay(options: { cpuProfileDir?: string } = {}): Promise<Target> {
  const port = await freePort();
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.cpuProfileDir, 'relay')] : [];
  // Compiled the same way as the server, so both run as plain JavaScript.
  const relayEntry = path.join(repoRoot, 'dist-bench', 'relay.mjs');
  await compileEntry('bench/relay.ts', relayEntry);
  const { child, exitStatus, outputTail } = await spawnNode(relayEntry, { PORT: String(port) }, 'relay listening', nodeArgs);
  return {
    name: 'relay',
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid,
    exitStatus,
    outputTail,
    stop: () => stopChild(child)
  };
}
