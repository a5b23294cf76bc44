import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createApplication } from '../../server/app.ts';
import { loadConfig } from '../../server/infra/config.ts';
import { openDatabase } from '../../server/infra/db.ts';
import { connectRedis } from '../../server/infra/redis.ts';
import { removeExpiredUploads, startUploadCleanup } from '../../server/uploads/cleanup.ts';
import { createFolderFiles } from '../../server/uploads/files.ts';
import { UPLOAD_MAX_AGE_HOURS } from '../../src/lib/protocol/index.ts';
import { UPLOAD_BACKENDS, useTestApp } from '../support/app.ts';
import { registerUser } from '../support/client.ts';
import { storedUploads } from '../support/uploads.ts';

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

let serial = 0;
/** A name shaped like our uploads: 21 id characters and an image extension. */
const uploadName = (ext = 'png') => `${`cleanup${++serial}`.padEnd(21, 'x')}.${ext}`;

describe.each(UPLOAD_BACKENDS)('uploads kept in: %s', (backend) => {
  const ctx = useTestApp({}, { uploads: backend });
  const stored = () => storedUploads(ctx.app);
  const isStored = async (name: string) => (await stored().read(name)) !== null;
  const rowExists = async (filename: string) => (await ctx.app.sql('SELECT 1 FROM uploads WHERE filename = ?', filename)).length > 0;
  const deps = () => ({ files: ctx.app.application.context.files, queries: ctx.app.application.context.stores.uploads });

  let uploaderId: number;
  beforeAll(async () => {
    uploaderId = (await registerUser(ctx.app.baseUrl)).id;
  });

  describe('removeExpiredUploads', () => {
    it(`removes only our own uploads in messages/ older than ${UPLOAD_MAX_AGE_HOURS} hours`, async () => {
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
        await stored().write(`messages/${name}`, GIF, hours);
        await ctx.app.application.context.stores.uploads.recordUpload(name, uploaderId);
      }

      // Old things that are not ours to delete: other names, deeper, beside or above messages/.
      const foreign = ['notes.txt', 'short.png', `${'a'.repeat(21)}.html`, `${'b'.repeat(21)}.png.bak`, '.hidden.png'].map((n) => `messages/${n}`);
      const elsewhere = [`messages/${uploadName('png')}/${uploadName('png')}`, uploadName('png'), `avatars/${uploadName('png')}`];
      for (const name of [...foreign, ...elsewhere]) await stored().write(name, GIF, 100);

      const removed = await removeExpiredUploads(deps());

      expect(removed).toBe(2);
      expect(await isStored(`messages/${oldPng}`)).toBe(false);
      expect(await isStored(`messages/${oldWebp}`)).toBe(false);
      expect(await rowExists(oldPng)).toBe(false);
      expect(await rowExists(oldWebp)).toBe(false);
      expect(await isStored(`messages/${fresh}`)).toBe(true);
      expect(await isStored(`messages/${almost}`)).toBe(true);
      expect(await rowExists(fresh)).toBe(true);
      expect(await rowExists(almost)).toBe(true);
      for (const name of [...foreign, ...elsewhere]) expect(await isStored(name)).toBe(true);
    });

    it('forgets rows of old uploads whose file is already gone', async () => {
      const gone = uploadName('png');
      const recent = uploadName('png');
      const queries = ctx.app.application.context.stores.uploads;
      await queries.recordUpload(gone, uploaderId);
      await queries.recordUpload(recent, uploaderId);
      // UTC, written as SQLite writes its times (the PostgreSQL test cluster runs in UTC).
      const longAgo = new Date(Date.now() - (UPLOAD_MAX_AGE_HOURS + 1) * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
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

      stored().age(`messages/${filename}`, UPLOAD_MAX_AGE_HOURS + 1);
      await removeExpiredUploads(deps());
      expect((await fetch(ctx.app.baseUrl + url)).status).toBe(404);
      expect(await rowExists(filename)).toBe(false);
    });
  });

  describe('the cleanup schedule', () => {
    it('runs again on its interval until stopped', async () => {
      const cleanup = startUploadCleanup(deps(), 50);
      try {
        const late = `messages/${uploadName('png')}`;
        await stored().write(late, GIF, UPLOAD_MAX_AGE_HOURS + 1);
        await vi.waitFor(async () => expect(await isStored(late)).toBe(false), { timeout: 5000, interval: 20 });
      } finally {
        await cleanup.stop();
      }
      const afterStop = `messages/${uploadName('png')}`;
      await stored().write(afterStop, GIF, UPLOAD_MAX_AGE_HOURS + 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await isStored(afterStop)).toBe(true);
    });

    it('runs once when the app starts', async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'bbb-startup-'));
      const config = loadConfig({
        NODE_ENV: 'test',
        JWT_SECRET: 'test-secret-for-this-run-only',
        DATA_DIR: dataDir,
        UPLOADS_DIR: path.join(dataDir, 'uploads'),
        REDIS_URL: ctx.redis.url,
        ...ctx.app.s3?.env
      });
      // What an earlier run of the app left: in this app's folder, or in the shared bucket.
      const place = ctx.app.s3 ? stored() : storedUploads({ ...ctx.app, config });
      const old = `messages/${uploadName('gif')}`;
      const fresh = `messages/${uploadName('gif')}`;
      await place.write(old, GIF, UPLOAD_MAX_AGE_HOURS + 1);
      await place.write(fresh, GIF, 1);
      const db = await openDatabase({ sqliteFile: path.join(dataDir, 'test.db') });
      const client = await connectRedis(ctx.redis.url, 'test');
      const application = await createApplication({ config, db, redis: client, redisUrl: ctx.redis.url, clientDir: path.join(dataDir, 'none') });
      try {
        await vi.waitFor(async () => expect(await place.read(old)).toBeNull(), { timeout: 5000, interval: 20 });
        expect(await place.read(fresh)).not.toBeNull();
      } finally {
        await application.close();
        client.disconnect();
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});

describe('the uploads folder', () => {
  const ctx = useTestApp();
  const deps = () => ({ files: ctx.app.application.context.files, queries: ctx.app.application.context.stores.uploads });

  it('never follows a symlink named like an upload, even to an old file', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'bbb-outside-'));
    try {
      const target = path.join(outside, uploadName('png'));
      await storedUploads({ ...ctx.app, config: { ...ctx.app.config, uploadsDir: outside } }).write(path.basename(target), GIF, 100);
      const link = uploadName('png');
      symlinkSync(target, path.join(ctx.app.config.uploadsDir, 'messages', link));

      expect(await removeExpiredUploads(deps())).toBe(0);
      expect(readdirSync(path.join(ctx.app.config.uploadsDir, 'messages'))).toContain(link);
      expect(readdirSync(outside)).toEqual([path.basename(target)]);
      expect((await fetch(`${ctx.app.baseUrl}/uploads/messages/${link}`)).status).toBe(404);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('does nothing when the folder does not exist', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'bbb-empty-'));
    try {
      const files = createFolderFiles(path.join(empty, 'never-made'));
      expect(await removeExpiredUploads({ files, queries: ctx.app.application.context.stores.uploads })).toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
