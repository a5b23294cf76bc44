import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IMAGE_MAX_BYTES, IMAGE_URL_PATTERN, UPLOADS_PER_HOUR, type RoomDetails } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { HttpClient, registerUser } from '../support/client.ts';

const ctx = useTestApp();

// ---- Tiny real images, built here (each one decodes in Chromium) -------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real RGB PNG; `padTo` adds a tEXt chunk so the file has exactly that many bytes. */
function png({ width = 1, height = 1, padTo }: { width?: number; height?: number; padTo?: number } = {}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0xc0)]);
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row))))
  ];
  const end = pngChunk('IEND', Buffer.alloc(0));
  if (padTo !== undefined) {
    const used = parts.reduce((n, p) => n + p.length, 0) + end.length + 12;
    const text = Buffer.alloc(padTo - used, 0x61);
    Buffer.from('Comment\0', 'latin1').copy(text);
    parts.push(pngChunk('tEXt', text));
  }
  return Buffer.concat([...parts, end]);
}

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

// ---- The app -------------------------------------------------------------------------------------



type User = Awaited<ReturnType<typeof registerUser>>;
const user = () => registerUser(ctx.app.baseUrl);

function form(field: string, bytes: Buffer, type: string, filename = 'picture'): FormData {
  const body = new FormData();
  body.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return body;
}
const upload = (who: User | HttpClient, body: FormData | unknown) =>
  ('client' in who ? who.client : who).post('/api/upload', body);

/** Every file under the uploads folder (relative paths), so a test can see what was left behind. */
function filesOnDisk(): string[] {
  const root = ctx.app.config.uploadsDir;
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}
const uploadRows = () => ctx.app.sql<{ filename: string; user_id: number }>('SELECT filename, user_id FROM uploads ORDER BY filename');

/** Runs an upload that must be refused and checks that the disk and the table are as before. */
async function expectRefused(body: FormData | unknown, status: number, error?: string | RegExp) {
  const uploader = await user();
  const files = filesOnDisk();
  const rows = await uploadRows();
  const res = await upload(uploader, body);
  expect(res.status).toBe(status);
  expect(typeof res.json?.error).toBe('string');
  if (typeof error === 'string') expect(res.json.error).toBe(error);
  else if (error) expect(res.json.error).toMatch(error);
  expect(filesOnDisk()).toEqual(files);
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
      expect(readFileSync(path.join(ctx.app.config.uploadsDir, 'messages', filename))).toEqual(bytes);
      expect(await uploadRows()).toContainEqual({ filename, user_id: uploader.id });

      const served = await fetch(ctx.app.baseUrl + url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(type);
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toContain('sandbox');
      expect(Buffer.from(await served.arrayBuffer())).toEqual(bytes);
    });
  }

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
    const before = filesOnDisk();
    const names = ['../../escape.png', '..\\..\\escape.png', '../messages/../../escape.png.html', '/etc/passwd'];
    for (const filename of names) {
      const res = await upload(uploader, form('image', png(), 'image/png', filename));
      expect(res.status).toBe(201);
      expect(res.json.url).toMatch(IMAGE_URL_PATTERN);
    }
    const added = filesOnDisk().filter((f) => !before.includes(f));
    expect(added).toHaveLength(names.length);
    for (const file of added) expect(file).toMatch(/^messages\/[A-Za-z0-9_-]{21}\.png$/);
    expect(readdirSync(ctx.app.dataDir)).not.toContain('escape.png');
    expect(readdirSync(ctx.app.config.uploadsDir)).toEqual(['messages']);
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
    const before = filesOnDisk();
    const res = await uploader.client.request('POST', '/api/upload', '--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n', {
      'content-type': 'multipart/form-data; boundary=xyz'
    });
    expect(res.status).toBe(400);
    expect(typeof res.json.error).toBe('string');
    expect(filesOnDisk()).toEqual(before);
  });

  it('answers 401 when signed out and keeps nothing', async () => {
    const files = filesOnDisk();
    const res = await upload(new HttpClient(ctx.app.baseUrl), form('image', png(), 'image/png'));
    expect(res.status).toBe(401);
    expect(filesOnDisk()).toEqual(files);
  });

  it(`limits each user to ${UPLOADS_PER_HOUR} uploads an hour`, async () => {
    const [busy, other] = await Promise.all([user(), user()]);
    for (let i = 0; i < UPLOADS_PER_HOUR; i++) {
      expect((await upload(busy, form('image', gif(), 'image/gif'))).status).toBe(201);
    }
    const files = filesOnDisk();
    const refused = await upload(busy, form('image', gif(), 'image/gif'));
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/Too many uploads/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(filesOnDisk()).toEqual(files);
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
  const exists = (filename: string) => filesOnDisk().includes(`messages/${filename}`);

  for (const how of ['deleted', 'left by its owner'] as const) {
    it(`takes its uploaded images with it when it is ${how}`, async () => {
      const [owner, guest] = await Promise.all([user(), user()]);
      const room = (await owner.client.post('/api/rooms', { name: 'Pictures' })).json as RoomDetails;
      const other = (await owner.client.post('/api/rooms', { name: 'Keep' })).json as RoomDetails;
      await guest.client.post(`/api/rooms/${room.id}/join`, {});
      const mine = await uploadInto(owner, room.id, 'm1');
      const theirs = await uploadInto(guest, room.id, 'm2');
      const kept = await uploadInto(owner, other.id, 'm3');

      const res = how === 'deleted' ? await owner.client.delete(`/api/rooms/${room.id}`) : await owner.client.post(`/api/rooms/${room.id}/leave`);
      expect(res.status).toBe(200);
      expect(exists(mine)).toBe(false);
      expect(exists(theirs)).toBe(false);
      expect(exists(kept)).toBe(true);
      const rows = (await uploadRows()).map((r) => r.filename);
      expect(rows).not.toContain(mine);
      expect(rows).not.toContain(theirs);
      expect(rows).toContain(kept);
      expect((await fetch(`${ctx.app.baseUrl}/uploads/messages/${mine}`)).status).toBe(404);
    });
  }
});
