import { expect, test, type Locator, type Page } from '@playwright/test';
import { CANVAS_HEIGHT, CANVAS_WIDTH, DRAWING_LIMITS, drawingSchema, unpackDrawing, type Drawing } from '../../src/lib/protocol/drawing';

// The scratch pad at /app/draw: the editor, and a replay of what it exports.

async function signUpAndOpenPad(page: Page) {
  const username = `cv_${Date.now() % 1_000_000}_${Math.floor(Math.random() * 1000)}`;
  const res = await page.request.post('/api/auth/register', { data: { username, password: 'correct horse' } });
  expect(res.status()).toBe(201);
  await page.goto('/app/draw');
  await expect(page.getByTestId('drawing-canvas')).toBeVisible();
}

/** Page coordinates of a point in the 600 x 200 drawing space, however wide the canvas is shown. */
async function at(canvas: Locator, x: number, y: number) {
  const box = await canvas.boundingBox();
  if (!box) throw new Error('canvas is not laid out');
  return { x: box.x + (x * box.width) / CANVAS_WIDTH, y: box.y + (y * box.height) / CANVAS_HEIGHT };
}

async function drag(page: Page, canvas: Locator, points: [number, number][]) {
  const [first, ...rest] = points;
  const start = await at(canvas, ...first);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (const p of rest) {
    const next = await at(canvas, ...p);
    await page.mouse.move(next.x, next.y, { steps: 6 });
  }
  await page.mouse.up();
}

async function click(page: Page, canvas: Locator, x: number, y: number) {
  const p = await at(canvas, x, y);
  await page.mouse.click(p.x, p.y);
}

/** RGBA bytes of a canvas found by test id, read back from its 2D context (base64 keeps it quick). */
async function readPixels(page: Page, testId: string): Promise<Buffer> {
  const base64 = await page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`);
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) throw new Error(`no canvas ${id}`);
    const bytes = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, testId);
  return Buffer.from(base64, 'base64');
}

/** How many pixels differ between two RGBA buffers (0 means identical pictures). */
function differingPixels(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) return Math.max(a.length, b.length) / 4;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a.readUInt32BE(i) !== b.readUInt32BE(i)) n++;
  return n;
}

const pixel = (data: Buffer, x: number, y: number) => {
  const i = (y * CANVAS_WIDTH + x) * 4;
  return `#${[data[i], data[i + 1], data[i + 2]].map((v) => v.toString(16).padStart(2, '0').toUpperCase()).join('')}`;
};
const nonWhite = (data: Buffer) => {
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) n++;
  return n;
};

test('draw with every kind of tool, undo and redo, export and replay to the same pixels', async ({ page }) => {
  await signUpAndOpenPad(page);
  const canvas = page.getByTestId('drawing-canvas');
  const tools = page.getByRole('toolbar', { name: 'Drawing tools' });
  const colours = page.getByRole('group', { name: 'Colours' });

  // A pen stroke with the mouse.
  await tools.getByRole('button', { name: 'Pen', exact: true }).click();
  await drag(page, canvas, [[30, 150], [60, 40], [90, 160], [120, 60]]);

  // A rectangle, then a yellow fill inside it.
  await tools.getByRole('button', { name: 'Rectangle', exact: true }).click();
  await drag(page, canvas, [[150, 40], [260, 150]]);
  await colours.getByRole('button', { name: 'Yellow', exact: true }).click();
  await tools.getByRole('button', { name: 'Fill', exact: true }).click();
  await click(page, canvas, 205, 95);

  // A red star stamp.
  await colours.getByRole('button', { name: 'Red', exact: true }).click();
  await tools.getByRole('button', { name: 'Stamps', exact: true }).click();
  await page.getByRole('group', { name: 'Choose a stamp' }).getByRole('button', { name: 'Star', exact: true }).click();
  await page.getByRole('group', { name: 'Brush sizes' }).getByRole('button', { name: 'Brush size 22' }).click();
  await click(page, canvas, 320, 100);

  // Text typed at a cursor: Backspace deletes, Enter places it.
  await colours.getByRole('button', { name: 'Navy', exact: true }).click();
  await tools.getByRole('button', { name: 'Text', exact: true }).click();
  await page.getByRole('group', { name: 'Font sizes' }).getByRole('button', { name: 'Font size 24' }).click();
  await click(page, canvas, 380, 70);
  await page.keyboard.type('Hi beez');
  await page.keyboard.press('Backspace');
  await page.getByTestId('drawing-editor').screenshot({ path: 'test-results/canvas-typing.png' });
  await page.keyboard.press('Enter');

  // Two more shapes to undo.
  await colours.getByRole('button', { name: 'Green', exact: true }).click();
  await tools.getByRole('button', { name: 'Line', exact: true }).click();
  await drag(page, canvas, [[380, 150], [580, 120]]);
  const withLine = await readPixels(page, 'drawing-canvas');
  await tools.getByRole('button', { name: 'Ellipse', exact: true }).click();
  await drag(page, canvas, [[470, 20], [590, 180]]);
  const withEllipse = await readPixels(page, 'drawing-canvas');
  expect(differingPixels(withEllipse, withLine)).toBeGreaterThan(100);

  // Undo twice (button, then keyboard), redo once (keyboard): back to the picture with the line.
  await tools.getByRole('button', { name: 'Undo', exact: true }).click();
  await canvas.focus();
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => differingPixels(await readPixels(page, 'drawing-canvas'), withLine)).toBe(0);
  await expect(tools.getByRole('button', { name: 'Redo', exact: true })).toBeEnabled();

  // Export: the data passes the contract and has exactly what is left after undo/redo.
  await page.getByRole('button', { name: 'Export and replay', exact: true }).click();
  const json = await page.getByTestId('exported-json').inputValue();
  const parsed = drawingSchema.safeParse(JSON.parse(json));
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
  const drawing = parsed.data as Drawing;
  expect(drawing.operations.map((op) => (op.type === 'shape' ? op.shape : op.type))).toEqual([
    'stroke',
    'rect',
    'fill',
    'stamp',
    'text',
    'line'
  ]);
  expect(drawing.operations.find((op) => op.type === 'text')).toMatchObject({ content: 'Hi bee', fontSize: 24, color: '#000080' });
  expect(drawing.operations.find((op) => op.type === 'stamp')).toMatchObject({ stampId: 'star', size: 22, color: '#FF0000' });
  await expect(page.getByTestId('export-facts')).toContainText('passes the contract');
  // The facts count the points the strokes unpack to, against the drawing's budget.
  const points = unpackDrawing(drawing).operations.reduce((n, op) => n + (op.type === 'stroke' ? op.points.length : 0), 0);
  expect(points).toBeGreaterThan(5);
  await expect(page.getByTestId('export-facts')).toContainText(`${points.toLocaleString('en-US')} of ${DRAWING_LIMITS.maxPointsTotal.toLocaleString('en-US')} points`);

  // The replay, drawn by the same renderer from the data alone, is pixel for pixel the editor.
  const editor = await readPixels(page, 'drawing-canvas');
  const replay = await readPixels(page, 'drawing-view');
  expect(replay.length).toBe(CANVAS_WIDTH * CANVAS_HEIGHT * 4);
  expect(differingPixels(replay, editor)).toBe(0);

  // And it shows what was drawn where it was drawn.
  expect(pixel(editor, 205, 95)).toBe('#FFFF00'); // filled inside the rectangle
  expect(pixel(editor, 205, 20)).toBe('#FFFFFF'); // the fill stayed inside
  expect(pixel(editor, 150, 95)).toBe('#000000'); // the rectangle's edge
  expect(pixel(editor, 320, 100)).toBe('#FF0000'); // the middle of the star
  expect(pixel(editor, 530, 100)).toBe('#FFFFFF'); // the undone ellipse is gone
  expect(nonWhite(editor)).toBeGreaterThan(5000);
  let textInk = 0;
  for (let y = 70; y < 100; y++) for (let x = 380; x < 480; x++) if (pixel(editor, x, y) !== '#FFFFFF') textInk++;
  expect(textInk).toBeGreaterThan(50);

  await page.screenshot({ path: 'test-results/canvas-drawn.png', fullPage: true });

  // Ctrl+Z in a text field belongs to that field, not to the canvas.
  await page.getByTestId('exported-json').focus();
  await page.keyboard.press('Control+z');
  expect(differingPixels(await readPixels(page, 'drawing-canvas'), editor)).toBe(0);
});

test('clear is undoable, Escape cancels text, and the sound choice is remembered', async ({ page }) => {
  await signUpAndOpenPad(page);
  const canvas = page.getByTestId('drawing-canvas');
  const tools = page.getByRole('toolbar', { name: 'Drawing tools' });

  await drag(page, canvas, [[50, 50], [250, 150]]);
  const drawn = await readPixels(page, 'drawing-canvas');
  expect(nonWhite(drawn)).toBeGreaterThan(100);

  await tools.getByRole('button', { name: 'Clear', exact: true }).click();
  await expect.poll(async () => nonWhite(await readPixels(page, 'drawing-canvas'))).toBe(0);
  await expect(tools.getByRole('button', { name: 'Clear', exact: true })).toBeDisabled();
  await tools.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect.poll(async () => differingPixels(await readPixels(page, 'drawing-canvas'), drawn)).toBe(0);

  await tools.getByRole('button', { name: 'Text', exact: true }).click();
  await click(page, canvas, 300, 100);
  await page.keyboard.type('never mind');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Export and replay', exact: true }).click();
  const exported = JSON.parse(await page.getByTestId('exported-json').inputValue()) as Drawing;
  expect(exported.operations.map((op) => op.type)).toEqual(['stroke']);

  const sound = tools.getByRole('button', { name: 'Sounds', exact: true });
  await expect(sound).toHaveAttribute('aria-pressed', 'true');
  await sound.click();
  await expect(sound).toHaveAttribute('aria-pressed', 'false');
  await page.reload();
  await expect(page.getByRole('toolbar', { name: 'Drawing tools' }).getByRole('button', { name: 'Sounds', exact: true })).toHaveAttribute('aria-pressed', 'false');
});

test('every control is labelled; the toolbar fits a desktop and a 360 px phone', async ({ page }) => {
  await signUpAndOpenPad(page);
  const editor = page.getByTestId('drawing-editor');

  const unlabelled = await editor.locator('button').evaluateAll((buttons) =>
    buttons.filter((b) => !(b.getAttribute('aria-label') ?? b.textContent ?? '').trim()).length
  );
  expect(unlabelled).toBe(0);
  for (const name of ['Pen', 'Eraser', 'Line', 'Rectangle', 'Ellipse', 'Fill', 'Text', 'Stamps', 'Undo', 'Redo', 'Clear', 'Sounds']) {
    await expect(editor.getByRole('button', { name, exact: true })).toBeVisible();
  }
  await expect(editor.getByRole('group', { name: 'Colours' }).getByRole('button')).toHaveCount(28);
  await expect(editor.getByRole('group', { name: 'Brush sizes' }).getByRole('button')).toHaveCount(5);
  await editor.screenshot({ path: 'test-results/canvas-desktop.png' });

  await editor.getByRole('button', { name: 'Stamps', exact: true }).click();
  const picker = editor.getByRole('group', { name: 'Choose a stamp' });
  await expect(picker.getByRole('button')).toHaveCount(24);
  await editor.screenshot({ path: 'test-results/canvas-stamps.png' });
  await page.keyboard.press('Escape');
  await expect(picker).toBeHidden();

  await page.setViewportSize({ width: 360, height: 740 });
  const canvas = page.getByTestId('drawing-canvas');
  const box = await canvas.boundingBox();
  expect(box?.width).toBeLessThanOrEqual(360);
  expect(Math.round((box?.width ?? 0) / (box?.height ?? 1))).toBe(3);
  // Nothing in the editor sticks out sideways on a phone.
  const editorBox = await editor.boundingBox();
  expect((editorBox?.x ?? 0) + (editorBox?.width ?? 999)).toBeLessThanOrEqual(360);
  expect(await editor.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  for (const name of ['Pen', 'Stamps', 'Undo', 'Sounds']) await expect(editor.getByRole('button', { name, exact: true })).toBeInViewport();
  await page.screenshot({ path: 'test-results/canvas-360.png', fullPage: true });
});

test('on a 360 px screen a finger draws where it touches', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signUpAndOpenPad(page);
  const canvas = page.getByTestId('drawing-canvas');
  const cdp = await page.context().newCDPSession(page);
  const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) => {
    const p = await at(canvas, x, y);
    await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: p.x, y: p.y }] });
  };
  await touch('touchStart', 60, 100);
  for (let x = 80; x <= 540; x += 20) await touch('touchMove', x, 100);
  await touch('touchEnd', 540, 100);

  await page.getByRole('button', { name: 'Export and replay', exact: true }).click();
  const exported = JSON.parse(await page.getByTestId('exported-json').inputValue()) as Drawing;
  expect(drawingSchema.safeParse(exported).success).toBe(true);
  const stroke = unpackDrawing(exported).operations[0];
  expect(stroke?.type).toBe('stroke');
  if (stroke?.type !== 'stroke') return;
  // Coordinates are in the 600 x 200 space even though the canvas is shown about 340 px wide.
  expect(stroke.points[0].x).toBeCloseTo(60, -1);
  expect(stroke.points.at(-1)?.x).toBeCloseTo(540, -1);
  for (const p of stroke.points) expect(Math.abs(p.y - 100)).toBeLessThan(2);
  const pixels = await readPixels(page, 'drawing-canvas');
  expect(pixel(pixels, 300, 100)).toBe('#000000');
  expect(differingPixels(await readPixels(page, 'drawing-view'), pixels)).toBe(0);
});

test('a pen records its pressure, which widens the line', async ({ page }) => {
  await signUpAndOpenPad(page);
  const canvas = page.getByTestId('drawing-canvas');
  await page.getByRole('group', { name: 'Brush sizes' }).getByRole('button', { name: 'Brush size 14', exact: true }).click();
  const cdp = await page.context().newCDPSession(page);
  const pen = async (type: 'mousePressed' | 'mouseMoved' | 'mouseReleased', x: number, force: number) => {
    const p = await at(canvas, x, 100);
    await cdp.send('Input.dispatchMouseEvent', {
      type,
      x: p.x,
      y: p.y,
      button: 'left',
      buttons: type === 'mouseReleased' ? 0 : 1,
      clickCount: 1,
      pointerType: 'pen',
      force
    });
  };
  await pen('mousePressed', 50, 0.1);
  for (let x = 60; x <= 550; x += 10) await pen('mouseMoved', x, 0.1 + (0.9 * (x - 50)) / 500);
  await pen('mouseReleased', 550, 1);

  await page.getByRole('button', { name: 'Export and replay' }).click();
  const exported = JSON.parse(await page.getByTestId('exported-json').inputValue()) as Drawing;
  expect(drawingSchema.safeParse(exported).success).toBe(true);
  const stroke = unpackDrawing(exported).operations[0];
  if (stroke?.type !== 'stroke') throw new Error('expected a stroke');
  const pressures = stroke.points.map((p) => p.pressure);
  expect(Math.min(...pressures)).toBeLessThan(0.2);
  expect(Math.max(...pressures)).toBeGreaterThan(0.9);

  await canvas.screenshot({ path: 'test-results/canvas-pen-pressure.png' });
  // The light end is thinner than the heavy end.
  const pixels = await readPixels(page, 'drawing-canvas');
  const thickness = (x: number) => {
    let n = 0;
    for (let y = 0; y < CANVAS_HEIGHT; y++) if (pixel(pixels, x, y) !== '#FFFFFF') n++;
    return n;
  };
  expect(thickness(500)).toBeGreaterThan(thickness(80) * 2);
  expect(differingPixels(await readPixels(page, 'drawing-view'), pixels)).toBe(0);
});
