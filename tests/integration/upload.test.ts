import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { IMAGE_MAX_BYTES, IMAGE_URL_PATTERN, UPLOADS_PER_HOUR, type RoomDetails } from '../../src/lib/protocol/index.ts';
import { createApplication } from '../../server/app.ts';
import { loadConfig } from '../../server/infra/config.ts';
import { openDatabase } from '../../server/infra/db.ts';
import { UPLOAD_CACHE } from '../../server/infra/delivery.ts';
import { connectRedis } from '../../server/infra/redis.ts';
import { UPLOAD_BACKENDS, useTestApp, useTestApps } from '../support/app.ts';
import { HttpClient, registerUser } from '../support/client.ts';
import { png } from '../support/images.ts';
import { storedUploads } from '../support/uploads.ts';

// ---- Tiny real images, built here (each one decodes in Chromium) -------------------------------

/** A 1 x 1 PNG whose header claims other dimensions (with a correct checksum). */
function pngClaiming(width: number, height: number): Buffer {
  const file = png();
  file.writeUInt32BE(width, 16);
  file.writeUInt32BE(height, 20);
  file.writeUInt32BE(crc32(file.subarray(12, 29)), 29);
  return file;
}

/** An 8 x 8 grey baseline JPEG: one quantisation table, one-code Huffman tables, one block. */
function jpeg(): Buffer {
  const segment = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data];
  const oneCodeTable = (tableClass: number) => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0x00];
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    ...segment(0xc4, oneCodeTable(0)),
    ...segment(0xc4, oneCodeTable(1)),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    0x3f, // DC difference 0, then end of block; padded with ones
    0xff, 0xd9
  ]);
}

/** The classic 1 x 1 GIF89a. */
function gif(): Buffer {
  return Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
}

/** A 1 x 1 lossless WebP (VP8L with one-symbol prefix codes: an opaque black pixel). */
function webp(): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const vp8l = Buffer.from([0x2f, 0x00, 0x00, 0x00, 0x00, 0x88, 0x88, 0xfe, 0x07]);
  const chunk = Buffer.concat([Buffer.from('VP8L'), u32(vp8l.length), vp8l, Buffer.alloc(vp8l.length % 2)]);
  return Buffer.concat([Buffer.from('RIFF'), u32(4 + chunk.length), Buffer.from('WEBP'), chunk]);
}

const JFIF_HEADER = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');

// ---- The app, keeping uploads in its folder and then in a bucket -------------------------------

describe.each(UPLOAD_BACKENDS)('uploads kept in: %s', (backend) => {
  const ctx = useTestApp({}, { uploads: backend });

  type User = Awaited<ReturnType<typeof registerUser>>;
  const user = () => registerUser(ctx.app.baseUrl);

  function form(field: string, bytes: Buffer, type: string, filename = 'picture'): FormData {
    const body = new FormData();
    body.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
    return body;
  }
  const upload = (who: User | HttpClient, body: FormData | unknown) =>
    ('client' in who ? who.client : who).post('/api/upload', body);

  /** Every file in the uploads folder or object in the bucket, so a test can see what was left behind. */
  const filesStored = () => storedUploads(ctx.app).list();
  const uploadRows = () => ctx.app.sql<{ filename: string; user_id: number }>('SELECT filename, user_id FROM uploads ORDER BY filename');

  /** Runs an upload that must be refused and checks that the disk and the table are as before. */
  async function expectRefused(body: FormData | unknown, status: number, error?: string | RegExp) {
    const uploader = await user();
    const files = await filesStored();
    const rows = await uploadRows();
    const res = await upload(uploader, body);
    expect(res.status).toBe(status);
    expect(typeof res.json?.error).toBe('string');
    if (typeof error === 'string') expect(res.json.error).toBe(error);
    else if (error) expect(res.json.error).toMatch(error);
    expect(await filesStored()).toEqual(files);
    expect(await uploadRows()).toEqual(rows);
  }

  describe('POST /api/upload', () => {
    const valid: [string, () => Buffer, string, string][] = [
      ['PNG', () => png({ width: 3, height: 2 }), 'image/png', 'png'],
      ['JPEG', jpeg, 'image/jpeg', 'jpg'],
      ['GIF', gif, 'image/gif', 'gif'],
      ['WebP', webp, 'image/webp', 'webp']
    ];
    for (const [name, make, type, ext] of valid) {
      it(`stores a ${name} under our own name and serves it as ${type} with nosniff`, async () => {
        const uploader = await user();
        const bytes = make();
        const res = await upload(uploader, form('image', bytes, type, `holiday.${ext}`));
        expect(res.status).toBe(201);
        const url = res.json.url as string;
        const match = IMAGE_URL_PATTERN.exec(url);
        expect(match).not.toBeNull();
        expect(match![2]).toBe(ext);
        const filename = `${match![1]}.${ext}`;
        expect(await storedUploads(ctx.app).read(`messages/${filename}`)).toEqual(bytes);
        expect(await uploadRows()).toContainEqual({ filename, user_id: uploader.id });

        const served = await fetch(ctx.app.baseUrl + url);
        expect(served.status).toBe(200);
        expect(served.headers.get('content-type')).toBe(type);
        expect(served.headers.get('x-content-type-options')).toBe('nosniff');
        expect(served.headers.get('content-security-policy')).toContain('sandbox');
        expect(Buffer.from(await served.arrayBuffer())).toEqual(bytes);
      });
    }

    it('serves an upload with caching headers, 304 for a copy still current, and 404 for a name it does not hold', async () => {
      const uploader = await user();
      const bytes = gif();
      const url = (await upload(uploader, form('image', bytes, 'image/gif'))).json.url as string;
      const served = await fetch(ctx.app.baseUrl + url);
      expect(served.status).toBe(200);
      expect(served.headers.get('cache-control')).toBe(UPLOAD_CACHE);
      expect(served.headers.get('content-length')).toBe(String(bytes.length));
      const etag = served.headers.get('etag');
      const modified = served.headers.get('last-modified');
      expect(etag).toBeTruthy();
      expect(Date.parse(modified ?? '')).toBeGreaterThan(Date.now() - 60_000);
      await served.arrayBuffer();

      // As a browser revalidates (fetch() alone would add no-cache, which asks for the full image).
      const revalidate = (headers: Record<string, string>) => fetch(ctx.app.baseUrl + url, { headers: { 'cache-control': 'max-age=0', ...headers } });
      expect((await revalidate({ 'if-none-match': etag! })).status).toBe(304);
      expect((await revalidate({ 'if-modified-since': modified! })).status).toBe(304);
      expect((await revalidate({ 'if-none-match': '"something-else"' })).status).toBe(200);
      const head = await fetch(ctx.app.baseUrl + url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('image/gif');

      const unknown = `/uploads/messages/${'x'.repeat(21)}.gif`;
      for (const missing of [unknown, '/uploads/messages/..%2F..%2Fpackage.json', '/uploads/messages/', '/uploads/other.png']) {
        const res = await fetch(ctx.app.baseUrl + missing);
        expect(res.status).toBe(404);
        expect((await res.json()).error).toBe('Not found');
      }
    });

    it('accepts an image of exactly the size limit', async () => {
      const uploader = await user();
      const bytes = png({ padTo: IMAGE_MAX_BYTES });
      expect(bytes.length).toBe(IMAGE_MAX_BYTES);
      const res = await upload(uploader, form('image', bytes, 'image/png'));
      expect(res.status).toBe(201);
    });

    it('answers 413 for one byte over the limit and keeps nothing', async () => {
      await expectRefused(form('image', png({ padTo: IMAGE_MAX_BYTES + 1 }), 'image/png'), 413, 'Image must be 2 MB or smaller');
    });

    it('answers 415 for a PNG sent as a GIF', async () => {
      await expectRefused(form('image', png(), 'image/gif', 'renamed.gif'), 415, /PNG/);
    });

    it('answers 415 for a GIF sent as a PNG and a WebP sent as a JPEG', async () => {
      await expectRefused(form('image', gif(), 'image/png', 'renamed.png'), 415);
      await expectRefused(form('image', webp(), 'image/jpeg', 'renamed.jpg'), 415);
    });

    it('answers 415 for a text file with an image type', async () => {
      const text = Buffer.from('Just some words, not a picture at all.\n');
      await expectRefused(form('image', text, 'image/png', 'notes.png'), 415, 'Only PNG, JPEG, GIF and WebP images can be uploaded');
    });

    it('answers 415 for an image type the product does not take', async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      await expectRefused(form('image', svg, 'image/svg+xml', 'drawing.svg'), 415);
    });

    it('answers 415 for a JPEG header followed by HTML', async () => {
      await expectRefused(form('image', Buffer.concat([JFIF_HEADER, HTML]), 'image/jpeg', 'page.jpg'), 415);
    });

    it('answers 415 for damaged images', async () => {
      const truncated = png({ width: 4, height: 4 }).subarray(0, 50);
      const badChecksum = png();
      badChecksum[30] ^= 0xff;
      const noEnd = jpeg().subarray(0, jpeg().length - 2);
      await expectRefused(form('image', truncated, 'image/png'), 415);
      await expectRefused(form('image', badChecksum, 'image/png'), 415);
      await expectRefused(form('image', noEnd, 'image/jpeg'), 415);
      await expectRefused(form('image', Buffer.alloc(0), 'image/png'), 415);
    });

    it('answers 422 for an image that claims more pixels than a browser should decode', async () => {
      await expectRefused(form('image', pngClaiming(30_000, 30_000), 'image/png'), 422, /megapixels/);
    });

    it('stores a complete JPEG with HTML after its end only as image/jpeg, never as a page', async () => {
      // Bytes after the end marker are allowed (cameras put data there); a browser never renders them.
      const uploader = await user();
      const res = await upload(uploader, form('image', Buffer.concat([jpeg(), HTML]), 'image/jpeg', 'page.html'));
      expect(res.status).toBe(201);
      expect(res.json.url).toMatch(/\.jpg$/);
      const served = await fetch(ctx.app.baseUrl + res.json.url);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    });

    it('ignores the client filename, even one with ../ in it', async () => {
      const uploader = await user();
      const before = await filesStored();
      const names = ['../../escape.png', '..\\..\\escape.png', '../messages/../../escape.png.html', '/etc/passwd'];
      for (const filename of names) {
        const res = await upload(uploader, form('image', png(), 'image/png', filename));
        expect(res.status).toBe(201);
        expect(res.json.url).toMatch(IMAGE_URL_PATTERN);
      }
      const added = (await filesStored()).filter((f) => !before.includes(f));
      expect(added).toHaveLength(names.length);
      for (const file of added) expect(file).toMatch(/^messages\/[A-Za-z0-9_-]{21}\.png$/);
      expect((await filesStored()).filter((f) => !f.startsWith('messages/'))).toEqual([]);
      if (backend === 'folder') expect(readdirSync(ctx.app.dataDir)).not.toContain('escape.png');
    });

    it('answers 400 when there is no file', async () => {
      await expectRefused(new FormData(), 400);
      await expectRefused({ image: 'data:image/png;base64,AAAA' }, 400);
      await expectRefused(undefined, 400);
    });

    it('answers 400 for a file in another field, a text field, or two files', async () => {
      await expectRefused(form('photo', png(), 'image/png'), 400, 'Send exactly one file, in the "image" field');
      const withText = form('image', png(), 'image/png');
      withText.append('caption', 'hello');
      await expectRefused(withText, 400);
      const textOnly = new FormData();
      textOnly.append('image', 'not a file');
      await expectRefused(textOnly, 400);
      const two = form('image', png(), 'image/png');
      two.append('image', new Blob([new Uint8Array(gif())], { type: 'image/gif' }), 'second.gif');
      await expectRefused(two, 400);
    });

    it('answers 400 for a malformed multipart body', async () => {
      const uploader = await user();
      const before = await filesStored();
      const res = await uploader.client.request('POST', '/api/upload', '--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n', {
        'content-type': 'multipart/form-data; boundary=xyz'
      });
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe('string');
      expect(await filesStored()).toEqual(before);
    });

    it('answers 401 when signed out and keeps nothing', async () => {
      const files = await filesStored();
      const res = await upload(new HttpClient(ctx.app.baseUrl), form('image', png(), 'image/png'));
      expect(res.status).toBe(401);
      expect(await filesStored()).toEqual(files);
    });

    it(`limits each user to ${UPLOADS_PER_HOUR} uploads an hour`, async () => {
      const [busy, other] = await Promise.all([user(), user()]);
      for (let i = 0; i < UPLOADS_PER_HOUR; i++) {
        expect((await upload(busy, form('image', gif(), 'image/gif'))).status).toBe(201);
      }
      const files = await filesStored();
      const refused = await upload(busy, form('image', gif(), 'image/gif'));
      expect(refused.status).toBe(429);
      expect(refused.json.error).toMatch(/Too many uploads/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await filesStored()).toEqual(files);
      expect((await upload(other, form('image', gif(), 'image/gif'))).status).toBe(201);
    });
  });

  describe('a room and its images', () => {
    async function uploadInto(uploader: User, roomId: string, messageId: string): Promise<string> {
      const res = await upload(uploader, form('image', png(), 'image/png'));
      expect(res.status).toBe(201);
      const filename = path.basename(res.json.url as string);
      // What the real-time server does when the image is sent as a message in the room.
      expect(await ctx.app.application.context.stores.uploads.claimUpload(roomId, messageId, filename, uploader.id)).toBe(true);
      return filename;
    }
    const exists = async (filename: string) => (await filesStored()).includes(`messages/${filename}`);

    for (const how of ['deleted', 'left by its owner'] as const) {
      it(`takes its uploaded images with it when it is ${how}`, async () => {
        const [owner, guest] = await Promise.all([user(), user()]);
        const room = (await owner.client.post('/api/rooms', { name: 'Pictures' })).json as RoomDetails;
        const other = (await owner.client.post('/api/rooms', { name: 'Keep' })).json as RoomDetails;
        expect((await guest.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(200);
        const mine = await uploadInto(owner, room.id, 'm1');
        const theirs = await uploadInto(guest, room.id, 'm2');
        const kept = await uploadInto(owner, other.id, 'm3');

        const res = how === 'deleted' ? await owner.client.delete(`/api/rooms/${room.id}`) : await owner.client.post(`/api/rooms/${room.id}/leave`);
        expect(res.status).toBe(200);
        expect(await exists(mine)).toBe(false);
        expect(await exists(theirs)).toBe(false);
        expect(await exists(kept)).toBe(true);
        const rows = (await uploadRows()).map((r) => r.filename);
        expect(rows).not.toContain(mine);
        expect(rows).not.toContain(theirs);
        expect(rows).toContain(kept);
        expect((await fetch(`${ctx.app.baseUrl}/uploads/messages/${mine}`)).status).toBe(404);
      });
    }
  });
});

describe('a bucket that is missing or down', () => {
  const ctx = useTestApps({ app: { options: { uploads: 's3' } } });

  it('refuses to start on a bucket that does not exist, saying which', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bbb-nobucket-'));
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), DATA_DIR: dataDir, REDIS_URL: ctx.redis.url, ...ctx.app.s3!.env, S3_BUCKET: 'no-such-bucket' });
    const db = await openDatabase({ sqliteFile: path.join(dataDir, 'test.db') });
    const redis = await connectRedis(ctx.redis.url, 'test');
    try {
      await expect(createApplication({ config, db, redis, redisUrl: ctx.redis.url, clientDir: path.join(dataDir, 'none') })).rejects.toThrow(
        /no-such-bucket.*does not exist/
      );
    } finally {
      redis.disconnect();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers 503 for uploads and images while the bucket cannot be reached, and keeps no record', async () => {
    const uploader = await registerUser(ctx.app.baseUrl);
    const body = () => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(gif())], { type: 'image/gif' }), 'a.gif');
      return form;
    };
    const stored = await uploader.client.post('/api/upload', body());
    expect(stored.status).toBe(201);
    const rows = () => ctx.app.sql('SELECT filename FROM uploads');
    const before = await rows();

    // The server logs each failed store and read: expected here, and checked rather than printed.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await ctx.app.s3!.stop();
    const refused = await uploader.client.post('/api/upload', body());
    expect(refused.status).toBe(503);
    expect(refused.json.error).toBe('Images cannot be stored or shown right now; try again in a moment');
    expect(await rows()).toEqual(before);
    const image = await fetch(ctx.app.baseUrl + stored.json.url);
    expect(image.status).toBe(503);
    expect((await image.json()).error).toMatch(/try again/);
    expect(logged.mock.calls.map((call) => call[0])).toEqual(['[uploads] could not store an image:', '[uploads] could not read an image:']);
    logged.mockRestore();
  });
});
