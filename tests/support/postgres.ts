import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './redis.ts';

// A private PostgreSQL cluster for the tests, made with initdb in a temp folder and served on a
// free loopback port, as redis.ts does for Redis. initdb and postgres refuse to run as root, so as
// root they run as the `postgres` user of Debian's package.

/** Debian installs each major version under /usr/lib/postgresql/{major}/bin; the newest is taken. */
function postgresBin(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return path.join(root, majors[0] ?? '15', 'bin');
}
const BIN = postgresBin();

export interface TestPostgres {
  /** The cluster's `postgres` database, for administration (creating the tests' databases). */
  url: string;
  port: number;
  child: ChildProcess;
  /** The cluster's data folder (postmaster.pid names the server's process). */
  data: string;
  /** A new, empty database on the cluster; answers its URL. */
  createDatabase(): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Stops the server (fast shutdown) and removes the folder. */
  stop(): Promise<void>;
}

/** As root, run a PostgreSQL program as `postgres`; otherwise as ourselves. */
function asOwner(program: string, args: string[]): [string, string[]] {
  const binary = path.join(BIN, program);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

/** The postmaster's process id, from the file it keeps in its data folder. */
export function serverPid(data: string): number {
  return Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let databases = 0;

/** A new, empty database on the cluster of `adminUrl`; answers its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `bbb_${process.pid}_${++databases}_${Date.now().toString(36)}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createDatabase, disconnecting whoever still uses it. */
export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^bbb_\w+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-pg-'));
  if (process.getuid?.() === 0) {
    const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const uid = Number(owner.stdout.trim());
    chownSync(dir, uid, uid);
  }
  const data = path.join(dir, 'data');
  const [initdb, initArgs] = asOwner('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  // Durability is not what these tests are about: no fsync, and times in UTC as SQLite keeps them.
  const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'timezone=UTC', 'max_connections=200'];
  const [postgres, args] = asOwner('postgres', ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])]);
  const child = spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`postgres exited with code ${code}: ${stderr}`)));
  });
  failed.catch(() => undefined);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  while (!(await Promise.race([answers(url), failed]))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('postgres did not start within 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    child,
    data,
    createDatabase: () => createDatabase(url),
    dropDatabase: (databaseUrl: string) => dropDatabase(url, databaseUrl),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing waits. It goes
          // to the server itself (postmaster.pid's first line): runuser does not pass signals on.
          process.kill(serverPid(data), 'SIGINT');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
