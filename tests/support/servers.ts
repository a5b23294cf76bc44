import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis.ts';

// Whole server processes, as `npm run server` starts them (server/index.ts under tsx), each on a
// free port with a DATA_DIR of its own: "machines" sharing only what their environment names.

const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const READY_TEXT = 'is running on';
const TAIL_CHARS = 4000;

export interface ServerProcess {
  name: string;
  baseUrl: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** The last few kilobytes it printed, for a failure's message. */
  output(): string;
  /** Ends it with SIGKILL, as a crashed machine ends: no goodbye to Redis or anyone. */
  crash(): Promise<void>;
  /** SIGTERM (its orderly shutdown), then removes its DATA_DIR. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the server with `env` on top of test defaults; `prepare` readies its DATA_DIR first.
 * Resolves once it listens.
 */
export async function startServerProcess(name: string, env: Record<string, string>, prepare: (dataDir: string) => void = () => {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `bbb-${name}-`));
  prepare(dataDir);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      AUTH_RATE_LIMIT: '0',
      ...env,
      PORT: String(port),
      DATA_DIR: dataDir,
      UPLOADS_DIR: path.join(dataDir, 'uploads')
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let tail = '';
  const collect = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-TAIL_CHARS));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${tail}`)), 60_000);
      const check = () => {
        if (!tail.includes(READY_TEXT)) return;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      };
      child.stdout!.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${signal ?? `code ${code}`}) while starting:\n${tail}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  child.removeAllListeners('exit');
  return {
    name,
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    output: () => tail,
    async crash() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.kill('SIGTERM');
        await exited(child);
        clearTimeout(force);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
