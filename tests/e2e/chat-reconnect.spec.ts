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

test('after a server restart the room reconnects, and what was missed shows up once', async ({ browser }) => {
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
    for (const page of [a.page, b.page]) await expect(page.getByTestId('connection-banner')).toContainText(/Connection lost|offline/);
    // A stays away a little longer than the server: B talks meanwhile.
    await a.context.setOffline(true);
    server = await startServer(env, baseURL);
    // B is back as soon as the server is ("Back online" shows only for a moment, maybe already gone).
    await expect(b.page.getByTestId('room-view')).toHaveAttribute('data-connection', 'connected');
    await sendText(b.page, 'while you were away 1');
    await expect(messages(b.page, b.username)).toHaveCount(1);
    await b.page.waitForTimeout(1100);
    await sendText(b.page, 'while you were away 2');
    await expect(messages(b.page, b.username)).toHaveCount(2);
    await expect(messages(a.page, b.username)).toHaveCount(0);
    // A tries to answer while away: told so, and the words stay in the box.
    await sendText(a.page, 'anyone there?');
    await expect(a.page.getByTestId('composer-error')).toContainText('You are offline');
    await expect(a.page.getByLabel('Message', { exact: true })).toHaveValue('anyone there?');

    await a.context.setOffline(false);
    await expect(a.page.getByTestId('connection-banner')).toHaveText('Back online');
    await expect(messages(a.page, b.username)).toHaveCount(2);
    const texts = await messages(a.page).getByTestId('message-text').allInnerTexts();
    expect(texts).toEqual(['before the restart', 'while you were away 1', 'while you were away 2']);

    // And the kept draft simply goes out now.
    await a.page.getByLabel('Message', { exact: true }).press('Enter');
    await expect(messages(b.page, a.username)).toHaveCount(2);
    await expect(messages(b.page, a.username).last().getByTestId('message-text')).toHaveText('anyone there?');
    await expect(messages(b.page)).toHaveCount(4);
    await Promise.all([a.context.close(), b.context.close()]);
  } finally {
    await stopServer(server);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
