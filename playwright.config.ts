import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './tests/support/chromium.ts';

// The main process picks the port once; workers inherit it through the environment.
process.env.E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
const port = Number(process.env.E2E_PORT);
// Where the server writes its private Redis's URL, for tests that seed data stored by older versions.
process.env.E2E_REDIS_URL_FILE ??= path.join(tmpdir(), `bbb-e2e-redis-${port}.url`);
// Where the server's test SMTP server leaves each mail it receives, as JSON (tests/e2e/mail.ts).
process.env.E2E_MAIL_DIR ??= path.join(tmpdir(), `bbb-e2e-mail-${port}`);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1100, height: 800 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS },
    trace: 'off',
    screenshot: 'only-on-failure'
  },
  webServer: {
    command: 'node --import tsx tests/e2e/serve.ts',
    url: `http://127.0.0.1:${port}/api/auth/me`,
    // /api/auth/me answers 401 when up; any answer under 500 means ready.
    reuseExistingServer: false,
    timeout: 60_000,
    env: { E2E_PORT: String(port), E2E_REDIS_URL_FILE: process.env.E2E_REDIS_URL_FILE, E2E_MAIL_DIR: process.env.E2E_MAIL_DIR },
    stdout: 'ignore',
    stderr: 'pipe'
  }
});
