// The server the browser tests talk to: the real built app and compiled server, a private Redis and a temp data dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildServer, serverNodeFlags } from '../../scripts/build-server.mjs';
import { startTestRedis } from '../support/redis.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bbb-e2e-'));
const redis = await startTestRedis();
const redisUrlFile = process.env.E2E_REDIS_URL_FILE;
if (redisUrlFile) writeFileSync(redisUrlFile, redis.url);
// The compiled server, as `npm start` runs it.
const server = spawn(process.execPath, [...serverNodeFlags, await buildServer()], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: process.env.E2E_PORT ?? '3917',
    NODE_ENV: 'test',
    JWT_SECRET: 'e2e-secret',
    REDIS_URL: redis.url,
    DATA_DIR: path.join(dir, 'data'),
    UPLOADS_DIR: path.join(dir, 'uploads'),
    AUTH_RATE_LIMIT: '0'
  }
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
  if (redisUrlFile) rmSync(redisUrlFile, { force: true });
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
server.on('exit', () => void stop());
