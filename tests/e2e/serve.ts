// The server the browser tests talk to: the real built app and compiled server, a private Redis and a temp data dir.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildServer, serverNodeFlags } from '../../scripts/build-server.mjs';
import { startTestRedis } from '../support/redis.ts';
import { startTestSmtp } from '../support/smtp.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bbb-e2e-'));
const redis = await startTestRedis();
const redisUrlFile = process.env.E2E_REDIS_URL_FILE;
if (redisUrlFile) writeFileSync(redisUrlFile, redis.url);
// A real SMTP server; each mail it receives becomes a JSON file in E2E_MAIL_DIR for the specs to read.
const mailDir = process.env.E2E_MAIL_DIR;
if (mailDir) mkdirSync(mailDir, { recursive: true });
let mailCount = 0;
const smtp = await startTestSmtp((mail) => {
  if (mailDir) writeFileSync(path.join(mailDir, `${String(++mailCount).padStart(5, '0')}.json`), JSON.stringify(mail));
});
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
    AUTH_RATE_LIMIT: '0',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'BeeBeeBee <bees@example.test>'
  }
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
  await redis.stop();
  await smtp.stop();
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  if (redisUrlFile) rmSync(redisUrlFile, { force: true });
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
server.on('exit', () => void stop());
