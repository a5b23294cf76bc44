// Shared steps of the chat's browser tests: users and rooms made over the real API (fast), pages
// opened in separate browser contexts (one per person), and a few canvas pixel probes.
import {
  expect,
  request as playwrightRequest,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page
} from '@playwright/test';
import type { Message, MessageSend, RoomDetails } from '../../src/lib/protocol';
import { connectSocket as connectSupportSocket, request as requestOverSocket, type ClientSocket } from '../support/client.ts';

export const PASSWORD = 'correct horse';

let counter = 0;
/** A fresh username (3-20 letters, digits, _), unique across workers and runs. */
export function uniqueName(prefix: string): string {
  const tail = `${process.pid % 1000}${(++counter).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  return `${prefix.slice(0, 20 - tail.length - 1)}_${tail}`;
}

export interface ApiUser {
  id: number;
  username: string;
  request: APIRequestContext;
}

async function register(request: APIRequestContext, username: string): Promise<{ id: number; username: string }> {
  const res = await request.post('/api/auth/register', { data: { username, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { id: number; username: string };
}

/** A user who only talks to the API (no browser page). Dispose `request` when done. */
export async function apiUser(baseURL: string, prefix = 'api'): Promise<ApiUser> {
  const request = await playwrightRequest.newContext({ baseURL });
  const user = await register(request, uniqueName(prefix));
  return { ...user, request };
}

export interface Person {
  id: number;
  username: string;
  context: BrowserContext;
  page: Page;
  request: APIRequestContext;
}

/** A person with their own browser context, signed in through the API (the cookie is shared). */
export async function person(browser: Browser, prefix: string, options: BrowserContextOptions = {}): Promise<Person> {
  const context = await browser.newContext(options);
  const user = await register(context.request, uniqueName(prefix));
  const page = await context.newPage();
  return { ...user, context, page, request: context.request };
}

export async function createRoom(request: APIRequestContext, name: string, password?: string): Promise<RoomDetails> {
  const res = await request.post('/api/rooms', { data: { name, password } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as RoomDetails;
}

export async function joinRoom(request: APIRequestContext, inviteCode: string, password?: string): Promise<void> {
  const res = await request.post('/api/rooms/join-by-code', { data: { inviteCode, password } });
  expect(res.status(), await res.text()).toBe(200);
}

/** Opens the room page and waits until its history has arrived and it is connected. */
export async function openRoom(page: Page, roomId: string): Promise<void> {
  await page.goto(`/app/room/${roomId}`);
  await expect(page.getByTestId('room-view')).toBeVisible();
  await expect(page.getByTestId('composer')).toBeVisible();
  await expect(page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
}

export function messages(page: Page, author?: string): Locator {
  return author ? page.locator(`[data-testid=message][data-author="${author}"]`) : page.getByTestId('message');
}

export async function sendText(page: Page, text: string): Promise<void> {
  await page.getByRole('tab', { name: /Text/ }).click();
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** Drags the mouse across the composer's canvas; points are in drawing units (600 x 200). */
export async function drawStroke(page: Page, points: [number, number][]): Promise<void> {
  const canvas = page.getByTestId('drawing-canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('drawing canvas not visible');
  const at = ([x, y]: [number, number]) => [box.x + (x / 600) * box.width, box.y + (y / 200) * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 6 });
  await page.mouse.up();
}

/** A fingerprint of a canvas's pixels: a hash of every byte and how many pixels are not white. */
export async function canvasPixels(canvas: Locator): Promise<{ hash: number; inked: number; width: number; height: number }> {
  return canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let hash = 2166136261;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) inked += 1;
      for (let k = 0; k < 4; k++) hash = Math.imul(hash ^ data[i + k], 16777619) >>> 0;
    }
    return { hash, inked, width: c.width, height: c.height };
  });
}

/** Whether the pixel at drawing coordinates (x, y) has ink on it (is not white). */
export async function inkAt(canvas: Locator, x: number, y: number): Promise<boolean> {
  return canvas.evaluate(
    (el, [px, py]) => {
      const c = el as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(px, py, 1, 1).data;
      return d[0] < 200 || d[1] < 200 || d[2] < 200;
    },
    [x, y] as const
  );
}

// ---- Node-side Socket.IO clients (the shared test client), for seeding a room quickly ----------

export type TestSocket = ClientSocket;

export async function cookieOf(request: APIRequestContext): Promise<string> {
  const state = await request.storageState();
  return state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

export async function connectSocket(baseURL: string, request: APIRequestContext): Promise<TestSocket> {
  return connectSupportSocket(baseURL, await cookieOf(request), { origin: baseURL });
}

export async function joinOverSocket(socket: TestSocket, roomId: string): Promise<void> {
  const result = await requestOverSocket(socket, 'room:join', { roomId });
  if (!result.ok) throw new Error(result.error.message);
}

/** Sends a message, waiting out the one-a-second limit when it bites. */
export async function sendOverSocket(socket: TestSocket, payload: MessageSend): Promise<Message> {
  for (let attempt = 0; ; attempt++) {
    const result = await requestOverSocket(socket, 'message:send', payload);
    if (result.ok) return result.data;
    if (result.error.code !== 'RATE_LIMITED' || attempt > 10) throw new Error(result.error.message);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A tiny valid PNG (solid colour), made without any image library. */
export function pngBytes(width = 8, height = 8, rgb: [number, number, number] = [255, 200, 0]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  // zlib "stored" blocks keep this dependency-free; the image is tiny.
  const blocks: Buffer[] = [Buffer.from([0x78, 0x01])];
  for (let i = 0; i < raw.length; i += 65535) {
    const part = raw.subarray(i, i + 65535);
    const last = i + 65535 >= raw.length ? 1 : 0;
    const head = Buffer.alloc(5);
    head[0] = last;
    head.writeUInt16LE(part.length, 1);
    head.writeUInt16LE(~part.length & 0xffff, 3);
    blocks.push(head, part);
  }
  let a = 1;
  let b = 0;
  for (const byte of raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  blocks.push(adler);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.concat(blocks)),
    chunk('IEND', Buffer.alloc(0))
  ]);
}
