import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  AVATAR_CHANGES_PER_HOUR,
  AVATAR_SIZE,
  AVATAR_URL_PATTERN,
  DEFAULT_SETTINGS,
  IMAGE_MAX_BYTES,
  SETTINGS_WRITES_PER_MINUTE,
  type Member
} from '../../src/lib/protocol/index.ts';
import { AVATAR_CACHE } from '../../server/profiles/routes.ts';
import { UPLOAD_BACKENDS, useTestApp } from '../support/app.ts';
import { connectSocket, createRoom, HttpClient, joinRoom, nextEvent, registerUser, TEST_PASSWORD, type TestUser } from '../support/client.ts';
import { png, pngChunk } from '../support/images.ts';
import { storedUploads } from '../support/uploads.ts';

// Profile pictures and settings (docs/architecture.md#profiles), through the real API: what the
// uploader gets back, what is served, what is stored, and what the other members of a room see.

function form(bytes: Buffer, type: string, field = 'image'): FormData {
  const body = new FormData();
  body.append(field, new Blob([new Uint8Array(bytes)], { type }), 'picture');
  return body;
}

/** A 300 x 100 picture in three vertical stripes: red, green, blue. Its centred square is all green. */
function stripes(): Promise<Buffer> {
  const third = (r: number, g: number, b: number) => ({ create: { width: 100, height: 100, channels: 3 as const, background: { r, g, b } } });
  return sharp({ create: { width: 300, height: 100, channels: 3, background: { r: 0, g: 200, b: 0 } } })
    .composite([
      { input: third(255, 0, 0), left: 0, top: 0 },
      { input: third(0, 0, 255), left: 200, top: 0 }
    ])
    .png()
    .toBuffer();
}

/** A two-frame animated GIF, red then blue. */
function animatedGif(): Promise<Buffer> {
  const side = 40;
  const raw = Buffer.alloc(side * side * 2 * 3);
  for (let i = 0; i < side * side; i++) raw[i * 3] = 255;
  for (let i = side * side; i < 2 * side * side; i++) raw[i * 3 + 2] = 255;
  return sharp(raw, { raw: { width: side, height: side * 2, channels: 3, pageHeight: side } })
    .gif()
    .toBuffer();
}

/** A real, well-formed greyscale PNG of width x height pixels of one colour: tiny on the wire, huge decoded. */
function bombPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((width + 1) * height); // filter byte 0 and black pixels
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The mean colour of a decoded picture. */
async function meanColour(bytes: Buffer): Promise<[number, number, number]> {
  const { channels } = await sharp(bytes).stats();
  return [channels[0].mean, channels[1].mean, channels[2].mean];
}

describe.each(UPLOAD_BACKENDS)('profiles, pictures kept in: %s', (backend) => {
  const ctx = useTestApp({}, { uploads: backend });

  const user = () => registerUser(ctx.app.baseUrl);

  const setAvatar = (who: TestUser, bytes: Buffer, type = 'image/png') => who.client.post('/api/account/avatar', form(bytes, type));
  const profileOf = async (who: TestUser) => (await who.client.get('/api/account/profile')).json as { avatar: string | null };
  const putSettings = (who: TestUser, body: unknown) => who.client.request('PUT', '/api/account/settings', body);

  /** The pictures stored in the app's avatars folder or under the bucket's avatars/ prefix. */
  const storedPictures = async () => (await storedUploads(ctx.app).list()).filter((name) => name.startsWith('avatars/'));
  const fileOf = (url: string) => `avatars/${url.split('/').pop() ?? ''}`;

  async function served(url: string) {
    const res = await fetch(ctx.app.baseUrl + url);
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  describe('profile pictures', () => {
    it('are re-encoded to a centred square of WebP and served to be kept long', async () => {
      const ann = await user();
      const res = await setAvatar(ann, await stripes());
      expect(res.status).toBe(201);
      expect(res.json.avatar).toMatch(AVATAR_URL_PATTERN);
      expect(await profileOf(ann)).toEqual({ avatar: res.json.avatar });

      const { res: file, bytes } = await served(res.json.avatar);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/webp');
      expect(file.headers.get('cache-control')).toBe(AVATAR_CACHE);
      expect(file.headers.get('x-content-type-options')).toBe('nosniff');
      const meta = await sharp(bytes).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: AVATAR_SIZE, height: AVATAR_SIZE });
      // The red and blue sides were cut away.
      const [r, g, b] = await meanColour(bytes);
      expect(g).toBeGreaterThan(150);
      expect(r).toBeLessThan(40);
      expect(b).toBeLessThan(40);
    });

    it('are served again as 304 while unchanged, and only under names of ours', async () => {
      const ann = await user();
      const url = (await setAvatar(ann, png({ width: 3, height: 3 }))).json.avatar as string;
      const { res } = await served(url);
      // As a browser revalidates (fetch() alone would add no-cache, which asks for the whole picture).
      const again = await fetch(ctx.app.baseUrl + url, { headers: { 'cache-control': 'max-age=0', 'if-none-match': res.headers.get('etag') ?? '' } });
      expect(again.status).toBe(304);
      for (const name of ['nothing.webp', `${'a'.repeat(21)}.png`, `${'a'.repeat(21)}.webp`, '..%2Fmessages%2Fx.png']) {
        const missing = await fetch(`${ctx.app.baseUrl}/uploads/avatars/${name}`);
        expect(missing.status).toBe(404);
        expect(((await missing.json()) as { error: unknown }).error).toEqual(expect.any(String));
      }
    });

    it('keep no metadata and only the first frame of an animation', async () => {
      const ann = await user();
      const withExif = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
        .jpeg()
        .withExif({ IFD0: { Copyright: 'secret place', Artist: 'Ann' } })
        .toBuffer();
      expect((await sharp(withExif).metadata()).exif).toBeDefined();
      const jpeg = await setAvatar(ann, withExif, 'image/jpeg');
      expect(jpeg.status).toBe(201);
      const { bytes } = await served(jpeg.json.avatar);
      const meta = await sharp(bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(bytes.includes(Buffer.from('secret place'))).toBe(false);

      const gif = await setAvatar(ann, await animatedGif(), 'image/gif');
      expect(gif.status).toBe(201);
      const still = (await served(gif.json.avatar)).bytes;
      const stillMeta = await sharp(still).metadata();
      expect(stillMeta.pages ?? 1).toBe(1);
      const [r, , b] = await meanColour(still);
      expect(r).toBeGreaterThan(200);
      expect(b).toBeLessThan(40);
    });

    it('remove the replaced picture, and the last one when the picture is removed', async () => {
      const ann = await user();
      const first = (await setAvatar(ann, png({ width: 4, height: 4 }))).json.avatar as string;
      const second = (await setAvatar(ann, png({ width: 5, height: 3 }))).json.avatar as string;
      expect(second).not.toBe(first);
      expect((await served(first)).res.status).toBe(404);
      expect((await served(second)).res.status).toBe(200);
      expect(await storedPictures()).toContain(fileOf(second));
      expect(await storedPictures()).not.toContain(fileOf(first));

      const removed = await ann.client.delete('/api/account/avatar');
      expect(removed.status).toBe(200);
      expect(removed.json).toEqual({ avatar: null });
      expect(await profileOf(ann)).toEqual({ avatar: null });
      expect((await served(second)).res.status).toBe(404);
      expect(await storedPictures()).not.toContain(fileOf(second));
    });

    describe('refuse with { error } and change nothing', () => {
      async function expectRefused(body: FormData, status: number, error?: RegExp) {
        const ann = await user();
        const kept = (await setAvatar(ann, png({ width: 2, height: 2 }))).json.avatar as string;
        const before = await storedPictures();
        const res = await ann.client.post('/api/account/avatar', body);
        expect(res.status).toBe(status);
        expect(typeof res.json?.error).toBe('string');
        if (error) expect(res.json.error).toMatch(error);
        expect(await profileOf(ann)).toEqual({ avatar: kept });
        expect((await served(kept)).res.status).toBe(200);
        expect(await storedPictures()).toEqual(before);
      }

      it('a file that is not an image', () => expectRefused(form(Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'), 415, /PNG, JPEG, GIF and WebP/));
      it('a format other than the four', async () => {
        const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
          .tiff()
          .toBuffer();
        await expectRefused(form(tiff, 'image/tiff'), 415);
      });
      it('a damaged image', () => expectRefused(form(png({ width: 20, height: 20 }).subarray(0, 60), 'image/png'), 415));
      it('a file over the size cap', () => expectRefused(form(png({ width: 1, height: 1, padTo: IMAGE_MAX_BYTES + 1 }), 'image/png'), 413));
      it('a decompression bomb', () => expectRefused(form(bombPng(8000, 8000), 'image/png'), 422, /megapixels/));
      it('a header claiming more pixels than the file holds', () => {
        const liar = png();
        liar.writeUInt32BE(30_000, 16);
        liar.writeUInt32BE(30_000, 20);
        return expectRefused(form(liar, 'image/png'), 422);
      });
      it('no file, or a file in another field', async () => {
        await expectRefused(new FormData(), 400);
        await expectRefused(form(png(), 'image/png', 'avatar'), 400);
      });
    });

    it('a bomb is small to send and would be huge to decode', () => {
      const bomb = bombPng(8000, 8000);
      expect(bomb.length).toBeLessThan(IMAGE_MAX_BYTES);
    });

    it('are for signed-in users only', async () => {
      const anon = await fetch(`${ctx.app.baseUrl}/api/account/avatar`, { method: 'POST', body: form(png(), 'image/png') });
      expect(anon.status).toBe(401);
      expect(((await anon.json()) as { error: unknown }).error).toEqual(expect.any(String));
      expect((await fetch(`${ctx.app.baseUrl}/api/account/settings`)).status).toBe(401);
    });

    it('are limited per user per hour, counted before the body is read', async () => {
      const ann = await user();
      for (let i = 0; i < AVATAR_CHANGES_PER_HOUR; i++) expect((await ann.client.delete('/api/account/avatar')).status).toBe(200);
      const refused = await setAvatar(ann, png({ width: 2, height: 2 }));
      expect(refused.status).toBe(429);
      expect(refused.json.error).toMatch(/Too many picture changes/);
      expect(await profileOf(ann)).toEqual({ avatar: null });
      // Someone else is not held back.
      expect((await setAvatar(await user(), png({ width: 2, height: 2 }))).status).toBe(201);
    });

    it('are decoded a few at a time; of racing changes one wins and no file is left behind', async () => {
      const people = [await user(), await user()];
      const before = await storedPictures();
      // Large enough to take a while to decode, small on the wire.
      const big = bombPng(6000, 6000);
      const results = await Promise.all(people.flatMap((who) => Array.from({ length: 12 }, () => setAvatar(who, big))));
      const refused = results.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect(r.json.error).toMatch(/Many pictures/);
      expect(results.every((r) => r.status === 201 || r.status === 429)).toBe(true);
      // Each person ends with one picture, one of those they were answered, and only it is stored.
      const finals = await Promise.all(people.map(profileOf));
      for (const i of people.keys()) {
        const answered = results.filter((r, j) => r.status === 201 && Math.floor(j / 12) === i).map((r) => r.json.avatar);
        expect(answered).toContain(finals[i].avatar);
      }
      const added = (await storedPictures()).filter((name) => !before.includes(name));
      expect(added.sort()).toEqual(finals.map((f) => fileOf(f.avatar ?? '')).sort());
    });

    it('reach the members of shared rooms: in the member list and live', async () => {
      const [ann, ben, cat] = [await user(), await user(), await user()];
      const room = await createRoom(ann, [ben]);
      const benSocket = await connectSocket(ctx.app.baseUrl, ben.cookie);
      const catSocket = await connectSocket(ctx.app.baseUrl, cat.cookie);
      const annSocket = await connectSocket(ctx.app.baseUrl, ann.cookie);
      const firstMembers = nextEvent(benSocket, 'room:members', (p) => p.roomId === room.id);
      await joinRoom(benSocket, room.id);
      const before = (await firstMembers).members.find((m: Member) => m.userId === ann.id);
      expect(before?.avatar).toBeNull();

      // Ben, in the room, hears it live; so do Ann's own tabs; Cat shares no room and hears nothing.
      const live = nextEvent(benSocket, 'profile:updated', (p) => p.userId === ann.id);
      const own = nextEvent(annSocket, 'profile:updated', (p) => p.userId === ann.id);
      let catHeard = false;
      catSocket.on('profile:updated', () => (catHeard = true));
      const avatar = (await setAvatar(ann, png({ width: 6, height: 6 }))).json.avatar as string;
      expect(await live).toEqual({ userId: ann.id, avatar });
      expect(await own).toEqual({ userId: ann.id, avatar });

      // The next join's member list carries it too.
      const again = nextEvent(benSocket, 'room:members', (p) => p.roomId === room.id);
      await joinRoom(benSocket, room.id);
      const members = (await again).members;
      expect(members.find((m: Member) => m.userId === ann.id)?.avatar).toBe(avatar);
      expect(members.find((m: Member) => m.userId === ben.id)?.avatar).toBeNull();

      const cleared = nextEvent(benSocket, 'profile:updated', (p) => p.userId === ann.id && p.avatar === null);
      await ann.client.delete('/api/account/avatar');
      await cleared;
      expect(catHeard).toBe(false);
    });

    it('go with the account', async () => {
      const ann = await user();
      await setAvatar(ann, png({ width: 2, height: 2 }));
      await putSettings(ann, { ...DEFAULT_SETTINGS, volume: 0.5 });
      await ctx.app.sql('DELETE FROM users WHERE id = ?', ann.id);
      expect(await ctx.app.sql('SELECT user_id FROM profiles WHERE user_id = ?', ann.id)).toEqual([]);
    });
  });

  describe('settings', () => {
    it('start at the defaults and follow the user to another sign-in', async () => {
      const ann = await user();
      expect((await ann.client.get('/api/account/settings')).json).toEqual(DEFAULT_SETTINGS);
      const chosen = { sounds: false, messageSound: true, volume: 0.25 };
      const saved = await putSettings(ann, chosen);
      expect(saved.status).toBe(200);
      expect(saved.json).toEqual(chosen);

      // Another browser: a fresh sign-in of the same user.
      const other = new HttpClient(ctx.app.baseUrl);
      const signIn = await other.post('/api/auth/login', { username: ann.username, password: TEST_PASSWORD });
      expect(signIn.status).toBe(200);
      expect((await other.get('/api/account/settings')).json).toEqual(chosen);
    });

    it('reach my other open browsers live, and nobody else', async () => {
      const [ann, ben] = [await user(), await user()];
      await createRoom(ann, [ben]);
      const annElsewhere = await connectSocket(ctx.app.baseUrl, ann.cookie);
      const benSocket = await connectSocket(ctx.app.baseUrl, ben.cookie);
      let benHeard = false;
      benSocket.on('settings:updated', () => (benHeard = true));
      const heard = nextEvent(annElsewhere, 'settings:updated');
      const chosen = { sounds: true, messageSound: false, volume: 0.4 };
      await putSettings(ann, chosen);
      expect(await heard).toEqual(chosen);
      // A refused change is not announced.
      const refusedHeard = nextEvent(annElsewhere, 'settings:updated', () => true, 400).then(
        () => true,
        () => false
      );
      expect((await putSettings(ann, { ...chosen, volume: 7 })).status).toBe(400);
      expect(await refusedHeard).toBe(false);
      expect(benHeard).toBe(false);
    });

    it.each([
      ['a volume over 1', { sounds: true, messageSound: true, volume: 1.5 }],
      ['a negative volume', { sounds: true, messageSound: true, volume: -0.1 }],
      ['a missing field', { sounds: true, volume: 0.5 }],
      ['an unknown field', { ...DEFAULT_SETTINGS, theme: 'dark' }],
      ['a string for a boolean', { sounds: 'yes', messageSound: true, volume: 0.5 }],
      ['not an object', [1, 2, 3]]
    ])('refuse %s with { error } and keep what was saved', async (_what, body) => {
      const ann = await user();
      const chosen = { sounds: true, messageSound: false, volume: 0.75 };
      await putSettings(ann, chosen);
      const res = await putSettings(ann, body);
      expect(res.status).toBe(400);
      expect(typeof res.json?.error).toBe('string');
      expect((await ann.client.get('/api/account/settings')).json).toEqual(chosen);
    });

    it('are limited per user per minute', async () => {
      const ann = await user();
      for (let i = 0; i < SETTINGS_WRITES_PER_MINUTE; i++) {
        expect((await putSettings(ann, { ...DEFAULT_SETTINGS, volume: i / 100 })).status).toBe(200);
      }
      const refused = await putSettings(ann, { ...DEFAULT_SETTINGS, volume: 0.9 });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await ann.client.get('/api/account/settings')).json.volume).toBe((SETTINGS_WRITES_PER_MINUTE - 1) / 100);
    });
  });
});
