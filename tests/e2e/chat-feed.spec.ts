import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  connectSocket,
  createRoom,
  joinOverSocket,
  joinRoom,
  messages,
  openRoom,
  person,
  sendOverSocket,
  sendText,
  type Person,
  type TestSocket
} from './helpers';

// The feed people live in (issue 14): grouped and dense, quiet until hovered or focused, one tab
// stop with arrow keys, and a drawing editor that leaves the chat room to breathe.

const desktop = { viewport: { width: 1280, height: 800 } };

async function twoInARoom(browser: Browser, name: string): Promise<{ a: Person; b: Person; roomId: string; close(): Promise<void> }> {
  const [a, b] = await Promise.all([person(browser, 'ann', desktop), person(browser, 'ben', desktop)]);
  const room = await createRoom(a.request, name);
  await joinRoom(b.request, room.inviteCode);
  return { a, b, roomId: room.id, close: async () => void (await Promise.all([a.context.close(), b.context.close()])) };
}

/**
 * A conversation over each person's own socket: `runs` messages in runs of two per person, then
 * `alternating` messages taking turns (none of those can share a header).
 */
async function converse(baseURL: string, roomId: string, people: Person[], runs: number, alternating = 0): Promise<void> {
  const sockets: TestSocket[] = await Promise.all(people.map((p) => connectSocket(baseURL, p.request)));
  await Promise.all(sockets.map((s) => joinOverSocket(s, roomId)));
  for (let i = 0; i < runs + alternating; i++) {
    const who = (i < runs ? Math.floor(i / 2) : i - runs) % people.length;
    await sendOverSocket(sockets[who], { roomId, type: 'text', content: `line ${i + 1} from ${people[who].username}` });
  }
  for (const s of sockets) s.disconnect();
}

/** Messages whose whole box lies inside the feed's visible area. */
async function fullyVisibleMessages(page: Page): Promise<number> {
  return page.getByTestId('feed').evaluate((feed) => {
    const view = feed.getBoundingClientRect();
    return Array.from(feed.querySelectorAll('[data-testid=message]')).filter((m) => {
      const box = m.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    }).length;
  });
}

test('at 1280x800 at least ten one-line messages fit, even from people taking turns; runs of one author share a header under a day line', async ({
  browser,
  baseURL
}) => {
  const { a, b, roomId, close } = await twoInARoom(browser, 'Dense');
  // Two runs of two, then twelve turns: the newest screenful has a header on every message.
  await converse(baseURL!, roomId, [a, b], 4, 12);
  // One after the other, so that neither sees the other arrive (a notice line) while counting.
  for (const page of [a.page, b.page]) {
    await openRoom(page, roomId);
    await expect(messages(page)).toHaveCount(16);
    expect(await fullyVisibleMessages(page)).toBeGreaterThanOrEqual(10);
    // The second of each run continues the first; the turns each have their own header.
    await expect(page.locator('[data-testid=message][data-grouped=true]')).toHaveCount(2);
    await expect(page.getByTestId('message-author')).toHaveCount(14);
    await expect(page.getByTestId('day-separator')).toHaveText(['Today']);
    await page.goto('/app');
  }
  await close();
});

test('the reaction button shows on hover and on keyboard focus, and a reaction made that way reaches the other person', async ({ browser }) => {
  const { a, b, roomId, close } = await twoInARoom(browser, 'Quiet');
  await Promise.all([openRoom(a.page, roomId), openRoom(b.page, roomId)]);
  await sendText(a.page, 'first');
  await a.page.waitForTimeout(1100);
  await sendText(a.page, 'second');
  await expect(messages(b.page, a.username)).toHaveCount(2);

  const first = messages(b.page, a.username).first();
  const add = first.getByRole('button', { name: 'Add a reaction' });
  await b.page.mouse.move(5, 5);
  await expect(add).toBeHidden();
  await first.hover();
  await expect(add).toBeVisible();

  // Keyboard: the composer has the focus on entering; the feed is one tab stop back from it.
  await b.page.reload();
  await expect(b.page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  await expect(b.page.getByLabel('Message', { exact: true })).toBeFocused();
  await b.page.mouse.move(5, 5);
  // Back from the box: the message tabs, then the newest message (not 2 x its buttons).
  const newest = messages(b.page, a.username).last();
  for (let i = 0; i < 6 && !(await newest.evaluate((el) => el === document.activeElement)); i++) await b.page.keyboard.press('Shift+Tab');
  await expect(newest).toBeFocused();
  await b.page.keyboard.press('ArrowUp');
  const older = messages(b.page, a.username).first();
  await expect(older).toBeFocused();
  await expect(older.getByRole('button', { name: 'Add a reaction' })).toBeVisible();
  await b.page.keyboard.press('Tab');
  await expect(older.getByRole('button', { name: 'Add a reaction' })).toBeFocused();
  await b.page.keyboard.press('Enter');
  await expect(b.page.getByRole('button', { name: 'React with heart' })).toBeFocused();
  await b.page.keyboard.press('Enter');
  await expect(messages(a.page, a.username).first().locator('[data-testid=reaction][data-emoji=heart]')).toBeVisible();
  // The other messages' buttons are out of the tab order: Tab from the reaction leaves the feed.
  const tabbable = await b.page.getByTestId('feed').evaluate(
    (feed) => Array.from(feed.querySelectorAll<HTMLElement>('button, a[href], [tabindex]')).filter((el) => el.tabIndex >= 0).length
  );
  expect(tabbable).toBeLessThanOrEqual(4);
  await close();
});

test('while drawing at 1280x800 the feed keeps at least half the height, and the reaction picker stays on screen', async ({ browser, baseURL }) => {
  const { a, b, roomId, close } = await twoInARoom(browser, 'Roomy');
  await converse(baseURL!, roomId, [b], 3);
  await openRoom(a.page, roomId);
  await a.page.getByRole('tab', { name: /Draw/ }).click();
  await expect(a.page.getByTestId('drawing-canvas')).toBeVisible();
  const feed = await a.page.getByTestId('feed').boundingBox();
  expect(feed!.height).toBeGreaterThanOrEqual(400);
  const canvas = await a.page.getByTestId('drawing-canvas').boundingBox();
  expect(canvas!.width).toBeGreaterThanOrEqual(560);

  // The top message, right under the room header: its picker is wholly in the viewport, on top.
  const top = messages(a.page, b.username).first();
  await top.hover();
  await top.getByRole('button', { name: 'Add a reaction' }).click();
  const picker = await a.page.getByTestId('reaction-picker').boundingBox();
  expect(picker!.y).toBeGreaterThanOrEqual(0);
  expect(picker!.x).toBeGreaterThanOrEqual(0);
  expect(picker!.y + picker!.height).toBeLessThanOrEqual(800);
  expect(picker!.x + picker!.width).toBeLessThanOrEqual(1280);
  expect(await a.page.getByTestId('reaction-picker').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest('[data-testid=reaction-picker]') === el;
  })).toBe(true);
  await a.page.getByRole('button', { name: 'React with fire' }).click();
  await expect(top.locator('[data-testid=reaction][data-emoji=fire]')).toBeVisible();
  await close();
});
