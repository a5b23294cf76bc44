import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot, sampleProcess, type ProcSample } from './processes.ts';
import type { Command, OkReply, Reply } from './workerProtocol.ts';

// The load generator: a few forked worker processes, each holding a share of the sockets.

type CommandBody = Command extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

interface Waiter {
  worker: ChildProcess;
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

export class WorkerPool {
  private workers: ChildProcess[] = [];
  private pending = new Map<number, Waiter>();
  private nextId = 1;

  static async start(count: number): Promise<WorkerPool> {
    const pool = new WorkerPool();
    for (let i = 0; i < count; i++) pool.workers.push(pool.spawn());
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  private spawn(): ChildProcess {
    const child = fork(path.join(repoRoot, 'bench/worker.ts'), [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    });
    child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      waiter.resolve(reply);
    });
    child.on('exit', (code, signal) => {
      // Anything still waiting on this worker will never be answered.
      for (const [id, waiter] of this.pending) {
        if (waiter.worker === child) {
          this.pending.delete(id);
          waiter.reject(new Error(`worker exited (${code ?? signal})`));
        }
      }
    });
    return child;
  }

  /** Sends one command to worker `index` and resolves with its reply; fails after `timeoutMs`. */
  send(index: number, body: CommandBody, timeoutMs: number): Promise<OkReply> {
    const worker = this.workers[index];
    const id = this.nextId++;
    return new Promise<OkReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${index} did not answer ${body.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        worker,
        resolve: (reply: Reply) => {
          clearTimeout(timer);
          if (reply.ok) resolve(reply);
          else reject(new Error(`worker ${index}: ${reply.error}`));
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        }
      };
      this.pending.set(id, waiter);
      worker.send({ ...body, id } as Command);
    });
  }

  /** The same command to every worker, each with its own body. */
  all(body: (index: number) => CommandBody, timeoutMs: number): Promise<OkReply[]> {
    return Promise.all(this.workers.map((_, i) => this.send(i, body(i), timeoutMs)));
  }

  samples(): (ProcSample | null)[] {
    return this.workers.map((w) => sampleProcess(w.pid));
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((_, i) => this.send(i, { type: 'exit' }, 3000)));
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            const force = setTimeout(() => w.kill('SIGKILL'), 3000);
            w.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
          })
      )
    );
  }
}
