import { expect, test, type Browser, type Page } from '@playwright/test';
import { IMAGE_MAX_BYTES } from '../../src/lib/protocol';
import {
  canvasPixels,
  createRoom,
  drawStroke,
  inkAt,
  joinRoom,
  messages,
  openRoom,
  person,
  pngBytes,
  sendText,
  type Person
} from './helpers';

// The acceptance checks (docs/architecture.md#acceptance-checks), plus PictoChat's "copy": two people, two browser
// contexts, one room, the real built app, server and Redis.

async function twoInARoom(browser: Browser, name: string): Promise<{ a: Person; b: Person; roomId: string; close(): Promise<void> }> {
  const [a, b] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const room = await createRoom(a.request, name);
  await joinRoom(b.request, room.inviteCode);
  await Promise.all([openRoom(a.page, room.id), openRoom(b.page, room.id)]);
  return { a, b, roomId: room.id, close: async () => void (await Promise.all([a.context.close(), b.context.close()])) };
}

async function openDrawTab(page: Page) {
  await page.getByRole('tab', { name: /Draw/ }).click();
  await expect(page.getByTestId('drawing-canvas')).toBeVisible();
}

test('A draws and sends, B sees the very same picture', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Check 1');
  await openDrawTab(a.page);
  await drawStroke(a.page, [[40, 40], [160, 150], [300, 60], [420, 160]]);
  await a.page.getByRole('button', { name: 'Red', exact: true }).click();
  await drawStroke(a.page, [[480, 30], [560, 170]]);
  const drawn = await canvasPixels(a.page.getByTestId('drawing-canvas'));
  expect(drawn.inked).toBeGreaterThan(200);

  await a.page.getByRole('button', { name: 'Send drawing' }).click();
  const received = messages(b.page, a.username).getByTestId('drawing-view');
  await expect(received).toBeVisible();
  expect(await canvasPixels(received)).toEqual(drawn);
  // The sender sees the same in their own feed, and starts again on a clean canvas.
  expect(await canvasPixels(messages(a.page, a.username).getByTestId('drawing-view'))).toEqual(drawn);
  await expect(a.page.getByRole('button', { name: 'Send drawing' })).toBeDisabled();
  await close();
});

test('text arrives with the right name, time and line breaks, and no HTML', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Check 2');
  const box = a.page.getByLabel('Message', { exact: true });
  await box.fill('Hi Ben! <b>not bold</b>');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(a.page.getByTestId('char-counter')).toHaveText('35 / 2,000');
  const before = Date.now();
  await box.press('Enter');
  await expect(box).toHaveValue('');

  const message = messages(b.page, a.username);
  await expect(message).toHaveCount(1);
  await expect(message.getByTestId('message-author')).toHaveText(a.username);
  const text = message.getByTestId('message-text');
  expect(await text.innerText()).toBe('Hi Ben! <b>not bold</b>\nsecond line');
  await expect(text.locator('b')).toHaveCount(0);

  const time = message.getByTestId('message-time');
  const sentAt = Date.parse((await time.getAttribute('datetime'))!);
  expect(Math.abs(sentAt - before)).toBeLessThan(30_000);
  const expected = await b.page.evaluate((t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), sentAt);
  await expect(time).toHaveText(expected);
  await close();
});

test('a picture uploads and shows for both; too big and wrong type are refused in words', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Check 3');
  await a.page.getByRole('tab', { name: /Image/ }).click();
  const input = a.page.getByTestId('image-input');
  const error = a.page.getByTestId('composer-error');

  await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just words') });
  await expect(error).toContainText('Only PNG, JPEG, GIF and WebP images can be sent');

  const big = Buffer.concat([pngBytes(), Buffer.alloc(IMAGE_MAX_BYTES + 1 - pngBytes().length)]);
  expect(big.length).toBe(IMAGE_MAX_BYTES + 1);
  await input.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
  await expect(error).toContainText('Image must be 2 MB or smaller');

  // Something that only claims to be a PNG gets past the browser; the server says no, in words.
  await input.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<html>not a picture</html>') });
  await expect(a.page.getByTestId('image-preview').getByRole('alert')).toContainText(/image/i);
  await expect(a.page.getByRole('button', { name: 'Send picture' })).toBeDisabled();
  await a.page.getByRole('button', { name: 'Remove picture' }).click();

  // A picture pasted from the clipboard lands in the composer too.
  await a.page.evaluate((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
  }, [...pngBytes()]);
  await expect(a.page.getByTestId('image-preview')).toContainText('pasted.png');
  await expect(a.page.getByTestId('image-preview')).toContainText('Ready to send');
  await a.page.getByRole('button', { name: 'Remove picture' }).click();

  // A real picture, dropped onto the page.
  const png = pngBytes(40, 30, [30, 120, 255]);
  const drop = await a.page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'blue.png', { type: 'image/png' }));
    return transfer;
  }, [...png]);
  await a.page.getByTestId('composer').dispatchEvent('dragover', { dataTransfer: drop });
  await a.page.getByTestId('composer').dispatchEvent('drop', { dataTransfer: drop });
  await expect(a.page.getByTestId('image-preview')).toContainText('Ready to send');
  await a.page.getByRole('button', { name: 'Send picture' }).click();

  for (const page of [a.page, b.page]) {
    const img = messages(page, a.username).getByTestId('message-image').locator('img');
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(40);
  }
  // It opens larger.
  await messages(b.page, a.username).getByTestId('message-image').click();
  const lightbox = b.page.getByTestId('lightbox');
  await expect(lightbox.locator('img')).toBeVisible();
  await b.page.keyboard.press('Escape');
  await expect(lightbox.locator('img')).toHaveCount(0);
  await close();
});

test('A deletes their own message, it goes for both; B cannot delete it', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Check 4');
  await sendText(a.page, 'oops, wrong room');
  const onB = messages(b.page, a.username);
  await expect(onB).toHaveCount(1);
  await expect(onB.getByRole('button', { name: 'Delete message' })).toHaveCount(0);

  const onA = messages(a.page, a.username);
  await onA.hover();
  await onA.getByRole('button', { name: 'Delete message' }).click();
  await onA.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(onA).toHaveCount(0);
  await expect(onB).toHaveCount(0);
  await close();
});

test('a reaction from B appears for A with its count and who reacted', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Check 5');
  await sendText(a.page, 'react to me');
  const onB = messages(b.page, a.username);
  // The reaction button shows when the message is hovered.
  await onB.hover();
  await onB.getByRole('button', { name: 'Add a reaction' }).click();
  await onB.getByRole('button', { name: 'React with heart' }).click();

  const heartOnA = messages(a.page, a.username).locator('[data-testid=reaction][data-emoji=heart]');
  await expect(heartOnA.getByTestId('reaction-count')).toHaveText('1');
  await expect(heartOnA).toHaveAttribute('title', `${b.username} reacted with heart`);
  await expect(heartOnA).toHaveAttribute('aria-pressed', 'false');

  // A joins in: two now, and A's own is marked.
  await heartOnA.click();
  await expect(heartOnA.getByTestId('reaction-count')).toHaveText('2');
  await expect(heartOnA).toHaveAttribute('aria-pressed', 'true');
  const heartOnB = onB.locator('[data-testid=reaction][data-emoji=heart]');
  await expect(heartOnB.getByTestId('reaction-count')).toHaveText('2');

  // B takes theirs back.
  await heartOnB.click();
  await expect(heartOnA.getByTestId('reaction-count')).toHaveText('1');
  await close();
});

test('a second message within a second is refused with a message, and the draft stays', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Check 6');
  const box = a.page.getByLabel('Message', { exact: true });
  // Typed and sent straight after each other, as an eager person would. Both lines go from
  // inside the page in one go, so a slow test machine cannot stretch them a second apart.
  await box.evaluate((textarea: HTMLTextAreaElement) => {
    for (const line of ['first', 'second']) {
      textarea.value = line;
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    }
  });

  await expect(a.page.getByTestId('composer-error')).toHaveText(/one message per second/);
  await expect(box).toHaveValue('second');
  await expect(messages(b.page, a.username)).toHaveCount(1);
  await expect(messages(b.page, a.username).getByTestId('message-text')).toHaveText('first');

  // After the second is up, the kept draft goes through.
  await a.page.waitForTimeout(1100);
  await box.press('Enter');
  await expect(messages(b.page, a.username)).toHaveCount(2);
  await expect(a.page.getByTestId('composer-error')).toHaveCount(0);
  await close();
});

test('copy B’s drawing into A’s canvas, draw over it and send it back', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Copy');
  await openDrawTab(b.page);
  await drawStroke(b.page, [[60, 50], [250, 50]]);
  await b.page.getByRole('button', { name: 'Send drawing' }).click();

  const original = messages(a.page, b.username).getByTestId('drawing-view');
  await expect(original).toBeVisible();
  await messages(a.page, b.username).hover();
  await messages(a.page, b.username).getByRole('button', { name: 'Copy to my canvas' }).click();
  const editor = a.page.getByTestId('drawing-canvas');
  await expect(editor).toBeVisible();
  await expect.poll(async () => (await canvasPixels(editor)).hash).toBe((await canvasPixels(original)).hash);

  await drawStroke(a.page, [[320, 150], [520, 150]]);
  await a.page.getByRole('button', { name: 'Send drawing' }).click();
  const remix = messages(b.page, a.username).getByTestId('drawing-view');
  await expect(remix).toBeVisible();
  expect(await inkAt(remix, 150, 50)).toBe(true); // B's line
  expect(await inkAt(remix, 420, 150)).toBe(true); // A's addition
  expect(await inkAt(messages(b.page, b.username).getByTestId('drawing-view'), 420, 150)).toBe(false);
  await close();
});
