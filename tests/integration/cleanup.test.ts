import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createApplication } from '../../server/app.ts';
import { loadConfig } from '../../server/infra/config.ts';
import { openDatabase } from '../../server/infra/db.ts';
import { connectRedis } from '../../server/infra/redis.ts';
import { removeExpiredUploads, startUploadCleanup } from '../../server/uploads/cleanup.ts';
import { UPLOAD_MAX_AGE_HOURS } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { registerUser } from '../support/client.ts';

const ctx = useTestApp();

const HOUR = 60 * 60 * 1000;
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

let uploaderId: number;

beforeAll(async () => {
  uploaderId = (await registerUser(ctx.app.baseUrl)).id;
});

let serial = 0;
/** A name shaped like our uploads: 21 id characters and an image extension. */
const uploadName = (ext = 'png') => `${`cleanup${++serial}`.padEnd(21, 'x')}.${ext}`;

/** Writes a file and sets its modification time `hours` in the past. */
function fileAged(file: string, hours: number, content: Buffer | string = GIF): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  age(file, hours);
  return file;
}
function age(file: string, hours: number): void {
  const when = new Date(Date.now() - hours * HOUR);
  utimesSync(file, when, when);
}

const rowExists = async (filename: string) => (await ctx.app.sql('SELECT 1 FROM uploads WHERE filename = ?', filename)).length > 0;
const deps = () => ({ uploadsDir: ctx.app.config.uploadsDir, queries: ctx.app.application.context.stores.uploads });

describe('removeExpiredUploads', () => {
  it(`removes only our own files in uploads/messages/ older than ${UPLOAD_MAX_AGE_HOURS} hours`, async () => {
    const uploads = ctx.app.config.uploadsDir;
    const messages = path.join(uploads, 'messages');
    const outside = mkdtempSync(path.join(tmpdir(), 'bbb-outside-'));
    try {
      const oldPng = uploadName('png');
      const oldWebp = uploadName('webp');
      const fresh = uploadName('jpg');
      const almost = uploadName('gif');
      for (const [name, hours] of [
        [oldPng, UPLOAD_MAX_AGE_HOURS + 1],
        [oldWebp, 24 * 30],
        [fresh, 1],
        [almost, UPLOAD_MAX_AGE_HOURS - 0.1]
      ] as const) {
        fileAged(path.join(messages, name), hours);
        await ctx.app.application.context.stores.uploads.recordUpload(name, uploaderId);
      }

      // Old things that are not ours to delete.
      const foreign = ['notes.txt', 'short.png', `${'a'.repeat(21)}.html`, `${'b'.repeat(21)}.png.bak`, '.hidden.png'];
      for (const name of foreign) fileAged(path.join(messages, name), 100);
      const dirLikeUpload = uploadName('png');
      const inDir = fileAged(path.join(messages, dirLikeUpload, uploadName('png')), 100);
      age(path.join(messages, dirLikeUpload), 100);
      const target = fileAged(path.join(outside, uploadName('png')), 100);
      const link = uploadName('png');
      symlinkSync(target, path.join(messages, link));
      const inRoot = fileAged(path.join(uploads, uploadName('png')), 100);
      const inSibling = fileAged(path.join(uploads, 'avatars', uploadName('png')), 100);

      const removed = await removeExpiredUploads(deps());

      expect(removed).toBe(2);
      const left = readdirSync(messages);
      expect(left).not.toContain(oldPng);
      expect(left).not.toContain(oldWebp);
      expect(await rowExists(oldPng)).toBe(false);
      expect(await rowExists(oldWebp)).toBe(false);
      expect(left).toContain(fresh);
      expect(left).toContain(almost);
      expect(await rowExists(fresh)).toBe(true);
      expect(await rowExists(almost)).toBe(true);
      for (const name of [...foreign, dirLikeUpload, link]) expect(left).toContain(name);
      for (const file of [inDir, target, inRoot, inSibling]) expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('forgets rows of old uploads whose file is already gone', async () => {
    const gone = uploadName('png');
    const recent = uploadName('png');
    const queries = ctx.app.application.context.stores.uploads;
    await queries.recordUpload(gone, uploaderId);
    await queries.recordUpload(recent, uploaderId);
    // UTC, written as SQLite writes its times (the PostgreSQL test cluster runs in UTC).
    const longAgo = new Date(Date.now() - (UPLOAD_MAX_AGE_HOURS + 1) * HOUR).toISOString().replace('T', ' ').slice(0, 19);
    await ctx.app.sql('UPDATE uploads SET created_at = ? WHERE filename = ?', longAgo, gone);
    await removeExpiredUploads(deps());
    expect(await rowExists(gone)).toBe(false);
    expect(await rowExists(recent)).toBe(true);
  });

  it('removes an aged upload made over HTTP, which is then no longer served', async () => {
    const uploader = await registerUser(ctx.app.baseUrl);
    const body = new FormData();
    body.append('image', new Blob([new Uint8Array(GIF)], { type: 'image/gif' }), 'old.gif');
    const res = await uploader.client.post('/api/upload', body);
    expect(res.status).toBe(201);
    const url = res.json.url as string;
    const filename = path.basename(url);
    expect((await fetch(ctx.app.baseUrl + url)).status).toBe(200);

    await removeExpiredUploads(deps());
    expect((await fetch(ctx.app.baseUrl + url)).status).toBe(200);

    age(path.join(ctx.app.config.uploadsDir, 'messages', filename), UPLOAD_MAX_AGE_HOURS + 1);
    await removeExpiredUploads(deps());
    expect((await fetch(ctx.app.baseUrl + url)).status).toBe(404);
    expect(await rowExists(filename)).toBe(false);
  });

  it('does nothing when the folder does not exist', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'bbb-empty-'));
    try {
      expect(await removeExpiredUploads({ uploadsDir: empty, queries: ctx.app.application.context.stores.uploads })).toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the cleanup schedule', () => {
  it('runs again on its interval until stopped', async () => {
    const cleanup = startUploadCleanup(deps(), 50);
    try {
      const late = fileAged(path.join(ctx.app.config.uploadsDir, 'messages', uploadName('png')), UPLOAD_MAX_AGE_HOURS + 1);
      await vi.waitFor(() => expect(existsSync(late)).toBe(false), { timeout: 5000, interval: 20 });
    } finally {
      await cleanup.stop();
    }
    const afterStop = fileAged(path.join(ctx.app.config.uploadsDir, 'messages', uploadName('png')), UPLOAD_MAX_AGE_HOURS + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(afterStop)).toBe(true);
  });

  it('runs once when the app starts', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bbb-startup-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'test-secret-for-this-run-only',
      DATA_DIR: dataDir,
      UPLOADS_DIR: path.join(dataDir, 'uploads'),
      REDIS_URL: ctx.redis.url
    });
    const old = fileAged(path.join(config.uploadsDir, 'messages', uploadName('gif')), UPLOAD_MAX_AGE_HOURS + 1);
    const fresh = fileAged(path.join(config.uploadsDir, 'messages', uploadName('gif')), 1);
    const db = await openDatabase({ sqliteFile: path.join(dataDir, 'test.db') });
    const client = await connectRedis(ctx.redis.url, 'test');
    const application = await createApplication({ config, db, redis: client, redisUrl: ctx.redis.url, clientDir: path.join(dataDir, 'none') });
    try {
      await vi.waitFor(() => expect(existsSync(old)).toBe(false), { timeout: 5000, interval: 20 });
      expect(existsSync(fresh)).toBe(true);
    } finally {
      await application.close();
      client.disconnect();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
