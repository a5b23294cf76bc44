import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startTestApp, testPostgresUrl, useTestApp, type TestApp } from '../support/app.ts';
import { createDatabase, startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';

// GET /api/health, as a load balancer asks it: 200 while Redis, the database and the upload store
// answer, 503 naming the part that is down. The parts are really stopped.

const ctx = useTestApp();

async function health(app: TestApp) {
  const res = await fetch(`${app.baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json(), cache: res.headers.get('cache-control') };
}

describe('GET /api/health', () => {
  it('answers 200 with both parts up, without a session, never cached', async () => {
    const engine = testPostgresUrl() ? 'postgres' : 'sqlite';
    expect(await health(ctx.app)).toEqual({ status: 200, body: { status: 'ok', redis: 'up', database: 'up', uploads: 'up', engine }, cache: 'no-store' });
  });
});

describe('with Redis stopped', () => {
  let redis: TestRedis;
  let app: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    app = await startTestApp(redis.url);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('answers 503 naming Redis', async () => {
    expect((await health(app)).status).toBe(200);
    await redis.stop();
    const down = await health(app);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', redis: 'down', database: 'up' });
  });
});

describe('with PostgreSQL stopped', () => {
  let redis: TestRedis;
  let cluster: TestPostgres;
  let app: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    // A cluster of its own: stopping the run's cluster would take it from the other files.
    cluster = await startTestPostgres();
    app = await startTestApp(redis.url, { DATABASE_URL: await createDatabase(cluster.url) });
  });
  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
    await redis?.stop();
  });

  it('answers 503 naming the database', async () => {
    expect(await health(app)).toMatchObject({ status: 200, body: { engine: 'postgres', database: 'up' } });
    // The server logs each pool connection the stop cuts: expected here, so kept out of the output.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    onTestFinished(() => {
      for (const call of logged.mock.calls) expect(String(call[0])).toBe('[db] a PostgreSQL connection failed:');
      logged.mockRestore();
    });
    await cluster.stop();
    const started = Date.now();
    const down = await health(app);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', redis: 'up', database: 'down', uploads: 'up', engine: 'postgres' });
    // Within the check's deadline: a balancer's probe does not hang.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('with the upload bucket stopped', () => {
  let redis: TestRedis;
  let s3: TestS3;
  let app: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    s3 = await startTestS3();
    app = await startTestApp(redis.url, {}, { uploads: 's3' }, s3);
  });
  afterAll(async () => {
    await app?.close();
    await s3?.stop();
    await redis?.stop();
  });

  it('answers 503 naming the uploads', async () => {
    expect(await health(app)).toMatchObject({ status: 200, body: { uploads: 'up' } });
    await s3.stop();
    const started = Date.now();
    const down = await health(app);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', redis: 'up', database: 'up', uploads: 'down' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
