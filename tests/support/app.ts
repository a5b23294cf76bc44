import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApplication, type Application } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/infra/config.ts';
import { openDatabase, type AppDatabase } from '../../server/infra/db.ts';
import { connectRedis, type Redis } from '../../server/infra/redis.ts';
import { closeAllSockets } from './client.ts';
import { createDatabase, dropDatabase } from './postgres.ts';
import { startTestRedis, type TestRedis } from './redis.ts';
import { startTestS3, type TestS3 } from './s3.ts';

// The app-with-Redis fixture of the integration tests: the real app in this process, on an
// ephemeral port, over a private redis-server. Unlike client.ts it reaches into the server's code.
//
// The database is a SQLite file in the app's data folder, or, in the PostgreSQL pass
// (vitest.postgres.config.ts provides the cluster), a database of its own on that cluster: apps
// sharing a data folder share it, as processes of one deployment would.

export interface TestApp {
  baseUrl: string;
  port: number;
  application: Application;
  config: Config;
  db: AppDatabase;
  redis: Redis;
  dataDir: string;
  /** Any SQL on the app's database, `?` placeholders on both engines. */
  sql<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T[]>;
  /** The bucket holding this app's uploads; undefined when they are in its uploads folder. */
  s3: TestS3 | undefined;
  close(): Promise<void>;
}

/** The admin URL of the PostgreSQL pass's cluster; undefined in the SQLite pass. */
export const testPostgresUrl = (): string | undefined => inject('postgresUrl');

/** The PostgreSQL database of each data folder in this test file (PostgreSQL pass only). */
const databases = new Map<string, string>();

/** Where a test app keeps uploads: its own uploads folder, or a bucket on a private S3 server. */
export type UploadBackend = 'folder' | 's3';
export const UPLOAD_BACKENDS: readonly UploadBackend[] = ['folder', 's3'];

export interface TestAppOptions {
  /**
   * Share another app's data folder (SQLite file and uploads): two processes of one deployment.
   * The folder then stays when this app closes; its owner removes it.
   */
  dataDir?: string;
  /** How often the app counts other server processes (see server/infra/streamsAdapter.ts). */
  peerCheckMs?: number;
  /** A built client to serve (a folder with index.html); by default none is served. */
  clientDir?: string;
  /** Where uploads go; `s3` needs a bucket (given to startTestApp, or started by useTestApps). */
  uploads?: UploadBackend;
}

/**
 * The real app on an ephemeral port with its own SQLite file and upload folder, talking to the
 * given Redis. Sign-in attempts are unlimited unless the test asks for a limit.
 */
export async function startTestApp(redisUrl: string, env: Record<string, string> = {}, options: TestAppOptions = {}, s3?: TestS3): Promise<TestApp> {
  if (options.uploads === 's3' && !s3) throw new Error('an app with uploads in a bucket needs the test S3 server');
  const bucket = options.uploads === 's3' ? s3 : undefined;
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'bbb-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-for-this-run-only',
    DATA_DIR: dataDir,
    UPLOADS_DIR: path.join(dataDir, 'uploads'),
    AUTH_RATE_LIMIT: '0',
    REDIS_URL: redisUrl,
    ...bucket?.env,
    ...env
  });
  mkdirSync(path.join(config.uploadsDir, 'messages'), { recursive: true });
  const postgres = testPostgresUrl();
  let databaseUrl = config.databaseUrl ?? (postgres ? databases.get(dataDir) : undefined);
  if (postgres && !databaseUrl) {
    databaseUrl = await createDatabase(postgres);
    databases.set(dataDir, databaseUrl);
  }
  const db = await openDatabase({ url: databaseUrl, sqliteFile: path.join(dataDir, 'test.db') });
  const redis = await connectRedis(redisUrl, 'test');
  const application = await createApplication({ config, db, redis, redisUrl, clientDir: options.clientDir ?? path.join(dataDir, 'no-client'), peerCheckMs: options.peerCheckMs });
  await new Promise<void>((resolve) => application.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = application.httpServer.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    application,
    config,
    db,
    redis,
    dataDir,
    sql: (text, ...params) => db.query(text, params),
    s3: bucket,
    async close() {
      await application.close();
      redis.disconnect();
      await db.close();
      if (!ownsDataDir) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (postgres && databaseUrl && databases.get(dataDir) === databaseUrl) {
        databases.delete(dataDir);
        await dropDatabase(postgres, databaseUrl);
      }
    }
  };
}

export interface AppSpec {
  env?: Record<string, string>;
  options?: TestAppOptions;
  /** Share the data folder of an app listed before it: two processes of one deployment. */
  shareDataDirOf?: string;
}

function notStarted(): never {
  throw new Error('the test app is not started yet (use it inside tests or hooks)');
}

/**
 * One private Redis and the named apps on it for the whole test file (or `describe` block): started
 * in order in `beforeAll`, with one private S3 server when an app keeps its uploads in a bucket;
 * the client's sockets, the apps, Redis and the S3 server closed in `afterAll`.
 */
export function useTestApps<K extends string>(specs: Record<K, AppSpec>): Record<K, TestApp> & { readonly redis: TestRedis } {
  const names = Object.keys(specs) as K[];
  let redis: TestRedis | undefined;
  let s3: TestS3 | undefined;
  const apps = new Map<K, TestApp>();
  const context = {} as Record<K, TestApp> & { readonly redis: TestRedis };
  Object.defineProperty(context, 'redis', { get: () => redis ?? notStarted() });
  for (const name of names) Object.defineProperty(context, name, { get: () => apps.get(name) ?? notStarted() });
  beforeAll(async () => {
    redis = await startTestRedis();
    if (names.some((name) => specs[name].options?.uploads === 's3')) s3 = await startTestS3();
    for (const name of names) {
      const spec: AppSpec = specs[name];
      const dataDir = spec.shareDataDirOf === undefined ? undefined : apps.get(spec.shareDataDirOf as K)?.dataDir;
      apps.set(name, await startTestApp(redis.url, spec.env, { ...spec.options, ...(dataDir ? { dataDir } : {}) }, s3));
    }
  });
  afterAll(async () => {
    closeAllSockets();
    for (const app of [...apps.values()].reverse()) await app.close();
    await redis?.stop();
    await s3?.stop();
  });
  return context;
}

/** The common case of `useTestApps`: one app, as `ctx.app`, beside `ctx.redis`. */
export function useTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}) {
  return useTestApps({ app: { env, options } });
}
