import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Renderer from '../../src/lib/canvas/render.ts';
import { CANVAS_HEIGHT, CANVAS_WIDTH, MESSAGE_TTL_SECONDS, packDrawing, type Operation } from '../../src/lib/protocol/index.ts';
import { fixtureDrawings } from '../support/drawings.ts';
import { createRoom, messages, openRoom, person } from './helpers.ts';

// Packing strokes changes nothing anyone sees (docs/architecture.md#drawings-are-packed): in the
// real browser, every fixture drawing rendered from its old form (points spelled out) and from its
// packed form gives the same pixels, and drawings stored in Redis before the change show in the
// feed pixel for pixel as their old form renders.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RENDERER_PATH = '/__test-renderer.js';

type Replay = typeof Renderer;

/** The product's renderer, bundled as it is, for the page to draw reference pictures with. */
const rendererBundle = build({
  stdin: { contents: `export * from './src/lib/canvas/render.ts';`, resolveDir: root, loader: 'ts' },
  bundle: true,
  format: 'iife',
  globalName: 'bbbReplay',
  target: 'es2022',
  write: false
}).then((result) => result.outputFiles[0].text);

/** Loads the renderer into the page from its own origin (the page's CSP allows only that). */
async function loadRenderer(page: Page): Promise<void> {
  const body = await rendererBundle;
  await page.route(`**${RENDERER_PATH}`, (route) => route.fulfill({ body, contentType: 'text/javascript' }));
  await page.addScriptTag({ url: RENDERER_PATH });
}

interface Comparison {
  differing: number;
  inked: number;
}

/**
 * Renders `operations` (the old form) in the page, and compares its RGBA pixels with those of
 * `other`: a packed drawing's JSON to render, or the canvas found by a selector and index.
 */
async function compareWithOldForm(page: Page, operations: Operation[], other: { packedJson: string } | { selector: string; index: number }): Promise<Comparison> {
  return page.evaluate(
    ({ operations, other }) => {
      const replay = (window as unknown as { bbbReplay: Replay }).bbbReplay;
      const paint = (draw: (ctx: CanvasRenderingContext2D) => void) => {
        const canvas = document.createElement('canvas');
        const ctx = replay.drawingContext(canvas);
        if (!ctx) throw new Error('no 2D context');
        draw(ctx);
        return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      };
      const old = paint((ctx) => replay.renderOperations(ctx, operations));
      let theirs: Uint8ClampedArray;
      if ('packedJson' in other) theirs = paint((ctx) => replay.renderDrawing(ctx, JSON.parse(other.packedJson)));
      else {
        const canvas = document.querySelectorAll<HTMLCanvasElement>(other.selector)[other.index];
        if (!canvas) throw new Error(`no canvas ${other.selector} #${other.index}`);
        theirs = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      }
      if (theirs.length !== old.length) return { differing: old.length / 4, inked: 0 };
      let differing = 0;
      let inked = 0;
      for (let i = 0; i < old.length; i += 4) {
        if (old[i] !== theirs[i] || old[i + 1] !== theirs[i + 1] || old[i + 2] !== theirs[i + 2] || old[i + 3] !== theirs[i + 3]) differing++;
        if (old[i] !== 255 || old[i + 1] !== 255 || old[i + 2] !== 255) inked++;
      }
      return { differing, inked };
    },
    { operations, other }
  );
}

const fixtures = fixtureDrawings();

test('every fixture drawing gives the same pixels from its old form and from its packed form', async ({ page }) => {
  await page.goto('/login');
  await loadRenderer(page);
  for (const fixture of fixtures) {
    const packedJson = JSON.stringify(packDrawing(fixture.operations));
    const result = await compareWithOldForm(page, fixture.operations, { packedJson });
    expect(result.inked, `${fixture.name} draws something`).toBeGreaterThan(1000);
    expect(result.differing, fixture.name).toBe(0);
  }
  // The comparison does see a change: the same doodle with one stroke a pixel to the right differs.
  const [doodle] = fixtures.filter((f) => f.name === 'mouse doodle');
  const moved = doodle.operations.map((op, i) => (i === 0 && op.type === 'stroke' ? { ...op, points: op.points.map((p) => ({ ...p, x: p.x + 1 })) } : op));
  const shifted = await compareWithOldForm(page, doodle.operations, { packedJson: JSON.stringify(packDrawing(moved)) });
  expect(shifted.differing).toBeGreaterThan(50);
});

test('drawings stored before packing show in the feed pixel for pixel as they were drawn', async ({ browser }) => {
  const file = process.env.E2E_REDIS_URL_FILE;
  if (!file) throw new Error('E2E_REDIS_URL_FILE is not set (see playwright.config.ts)');
  const owner = await person(browser, 'replay');
  const room = await createRoom(owner.request, 'Old drawings');
  // The storage layout before packing (docs/architecture.md#redis-keys): the message JSON with
  // reactions, room and author first and its position last; every point an object.
  const redis = new Redis(readFileSync(file, 'utf8').trim());
  const start = Date.now() - 60_000;
  for (const [seq, fixture] of fixtures.entries()) {
    const id = nanoid();
    const message = {
      reactions: [],
      roomId: room.id,
      userId: owner.id,
      id,
      username: owner.username,
      type: 'drawing',
      content: { operations: fixture.operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT },
      timestamp: start + seq,
      seq
    };
    await redis.set(`bbb:msg:${id}`, JSON.stringify(message), 'EX', MESSAGE_TTL_SECONDS);
    await redis.rpush(`bbb:room:${room.id}:msglist`, id);
  }
  redis.disconnect();

  await openRoom(owner.page, room.id);
  const views = messages(owner.page, owner.username).getByTestId('drawing-view');
  await expect(views).toHaveCount(fixtures.length);
  await loadRenderer(owner.page);
  const selector = `[data-testid=message][data-author="${owner.username}"] [data-testid=drawing-view]`;
  for (const [index, fixture] of fixtures.entries()) {
    const result = await compareWithOldForm(owner.page, fixture.operations, { selector, index });
    expect(result.inked, `${fixture.name} draws something`).toBeGreaterThan(1000);
    expect(result.differing, `${fixture.name} in the feed`).toBe(0);
  }
  await owner.context.close();
});
