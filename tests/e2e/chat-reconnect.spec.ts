import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startTestRedis } from '../support/redis.ts';
import { createRoom, joinRoom, messages, openRoom, person, sendText } from './helpers';

// A server of this test's own (the shared one must not be restarted under other tests): the built
// app on a free port, with its own Redis and data directory that outlive a restart.

async function startServer(env: NodeJS.ProcessEnv, baseURL: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    const up = await fetch(`${baseURL}/api/auth/me`).then(
      (res) => res.status < 500,
      () => false
    );
    if (up) return child;
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

test('after a server restart the room reconnects, what was missed shows up once, and what was sent meanwhile goes out in order', async ({ browser }) => {
  // Two server starts of its own, each compiling the server on the fly.
  test.slow();
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-reconnect-'));
  const redis = await startTestRedis();
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    NODE_ENV: 'test',
    JWT_SECRET: 'reconnect-secret',
    REDIS_URL: redis.url,
    DATA_DIR: path.join(dir, 'data'),
    UPLOADS_DIR: path.join(dir, 'uploads'),
    AUTH_RATE_LIMIT: '0'
  };
  let server = await startServer(env, baseURL);
  try {
    const [a, b] = await Promise.all([person(browser, 'ann', { baseURL }), person(browser, 'ben', { baseURL })]);
    const room = await createRoom(a.request, 'Restart-proof');
    await joinRoom(b.request, room.inviteCode);
    await Promise.all([openRoom(a.page, room.id), openRoom(b.page, room.id)]);
    await sendText(a.page, 'before the restart');
    await expect(messages(b.page, a.username)).toHaveCount(1);

    await stopServer(server);
    // The network is fine, the server is not: said so, in one line.
    for (const page of [a.page, b.page]) {
      await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-state', 'reconnecting');
      await expect(page.getByTestId('connection-banner')).toContainText("Can't reach the server");
    }
    // A stays away a little longer than the server: B talks meanwhile.
    await a.context.setOffline(true);
    await expect(a.page.getByTestId('connection-banner')).toHaveAttribute('data-state', 'offline');
    await expect(a.page.getByTestId('connection-banner')).toHaveText(/^You are offline/);
    server = await startServer(env, baseURL);
    // B is back as soon as the server is ("Back online" shows only for a moment, maybe already gone).
    await expect(b.page.getByTestId('room-view')).toHaveAttribute('data-connection', 'connected');
    await sendText(b.page, 'while you were away 1');
    await expect(messages(b.page, b.username)).toHaveCount(1);
    await b.page.waitForTimeout(1100);
    await sendText(b.page, 'while you were away 2');
    await expect(messages(b.page, b.username)).toHaveCount(2);
    await expect(messages(a.page, b.username)).toHaveCount(0);

    // A answers while away: each message waits in the feed, marked, and the box is free again.
    const box = a.page.getByLabel('Message', { exact: true });
    await sendText(a.page, 'anyone there?');
    await sendText(a.page, 'ring \u0007 the bell');
    await sendText(a.page, 'hello again');
    const pending = a.page.getByTestId('pending-message');
    await expect(pending).toHaveCount(3);
    await expect(pending.first()).toHaveAttribute('data-state', 'waiting');
    await expect(box).toHaveValue('');
    await expect(a.page.getByTestId('connection-banner')).toContainText('3 messages wait');
    await expect(a.page.getByTestId('composer-error')).toHaveCount(0);

    await a.context.setOffline(false);
    await expect(a.page.getByTestId('connection-banner')).toHaveText('Back online');
    await expect(messages(a.page, b.username)).toHaveCount(2);
    // Out in order; the one the server refuses stays, marked, with Retry and Discard.
    await expect(messages(b.page, a.username)).toHaveCount(3);
    expect(await messages(b.page).getByTestId('message-text').allInnerTexts()).toEqual([
      'before the restart',
      'while you were away 1',
      'while you were away 2',
      'anyone there?',
      'hello again'
    ]);
    await expect(pending).toHaveCount(1);
    await expect(pending).toHaveAttribute('data-state', 'failed');
    await expect(pending).toContainText('control characters');
    await pending.getByRole('button', { name: 'Retry' }).click();
    await expect(pending).toHaveAttribute('data-state', 'failed');
    await pending.getByRole('button', { name: 'Discard' }).click();
    await expect(pending).toHaveCount(0);
    const texts = await messages(a.page).getByTestId('message-text').allInnerTexts();
    expect(texts).toEqual(['before the restart', 'while you were away 1', 'while you were away 2', 'anyone there?', 'hello again']);
    await expect(a.page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 6000 });
    await Promise.all([a.context.close(), b.context.close()]);
  } finally {
    await stopServer(server);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
