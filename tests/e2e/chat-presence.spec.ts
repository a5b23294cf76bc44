import { expect, test } from '@playwright/test';
import { HISTORY_PAGE_SIZE } from '../../src/lib/protocol';
import {
  apiUser,
  connectSocket,
  createRoom,
  drawStroke,
  joinOverSocket,
  joinRoom,
  messages,
  openRoom,
  person,
  pngBytes,
  sendOverSocket,
  sendText
} from './helpers';

// Acceptance checks for history, typing and leaving (docs/architecture.md#acceptance-checks), and how the room looks.

test('a late joiner sees earlier messages, and older ones on scrolling up', async ({ browser, baseURL }) => {
  // More than a page of history, written by eleven people over their own sockets (one message
  // a second each is the limit).
  const senders = await Promise.all(Array.from({ length: 11 }, () => apiUser(baseURL!, 'hist')));
  const room = await createRoom(senders[0].request, 'Long history');
  await Promise.all(senders.slice(1).map((s) => joinRoom(s.request, room.inviteCode)));
  const sockets = await Promise.all(senders.map((s) => connectSocket(baseURL!, s.request)));
  await Promise.all(sockets.map((s) => joinOverSocket(s, room.id)));
  const rounds = 5;
  const total = rounds * sockets.length;
  expect(total).toBeGreaterThan(HISTORY_PAGE_SIZE);
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      sockets.map((socket, i) => sendOverSocket(socket, { roomId: room.id, type: 'text', content: `note ${round * sockets.length + i + 1}` }))
    );
  }
  const [talker, ...quiet] = sockets;
  quiet.forEach((s) => s.disconnect());

  const late = await person(browser, 'late');
  await joinRoom(late.request, room.inviteCode);
  await openRoom(late.page, room.id);
  const feed = late.page.getByTestId('feed');
  await expect(messages(late.page)).toHaveCount(HISTORY_PAGE_SIZE);
  await expect(late.page.getByTestId('load-older')).toBeVisible();
  // The newest is in view at the bottom.
  await expect(messages(late.page).last()).toBeInViewport();

  // Scrolling to the top fetches the rest, and the message that was at the top stays in view.
  const firstShown = await messages(late.page).first().getAttribute('data-message-id');
  await feed.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(messages(late.page)).toHaveCount(total);
  await expect(late.page.getByText('This is the start of the room.')).toBeAttached();
  const anchor = late.page.locator(`[data-testid=message][data-message-id="${firstShown}"]`);
  await expect(anchor).toBeInViewport();
  expect(await feed.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  const texts = await messages(late.page).getByTestId('message-text').allInnerTexts();
  expect(new Set(texts).size).toBe(total);
  await expect(late.page.getByTestId('load-older')).toHaveCount(0);

  // Reading old messages, the reader is not yanked down by a new one; a pill says it is there.
  await expect(late.page.getByTestId('new-messages')).toHaveCount(0);
  const scrolledTo = await feed.evaluate((el) => el.scrollTop);
  await sendOverSocket(talker, { roomId: room.id, type: 'text', content: 'something new' });
  await expect(late.page.getByTestId('new-messages')).toBeVisible();
  expect(await feed.evaluate((el) => el.scrollTop)).toBe(scrolledTo);
  await late.page.getByTestId('new-messages').click();
  await expect(messages(late.page).last().getByTestId('message-text')).toHaveText('something new');
  await expect(messages(late.page).last()).toBeInViewport();
  await expect(late.page.getByTestId('new-messages')).toHaveCount(0);
  talker.disconnect();

  await Promise.all(senders.map((s) => s.request.dispose()));
  await late.context.close();
});

test('while B types, A sees "B is typing…"; it goes when B stops or sends', async ({ browser }) => {
  const [a, b] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const room = await createRoom(a.request, 'Typing');
  await joinRoom(b.request, room.inviteCode);
  await Promise.all([openRoom(a.page, room.id), openRoom(b.page, room.id)]);
  const typing = a.page.getByTestId('typing');
  const box = b.page.getByLabel('Message', { exact: true });

  await box.pressSequentially('hello the', { delay: 40 });
  await expect(typing).toHaveText(`${b.username} is typing…`);
  // B never sees their own typing.
  await expect(b.page.getByTestId('typing')).toHaveText('');
  // B pauses: the line goes by itself.
  await expect(typing).toHaveText('', { timeout: 8000 });

  await box.pressSequentially('re', { delay: 40 });
  await expect(typing).toHaveText(`${b.username} is typing…`);
  await box.press('Enter');
  await expect(messages(a.page, b.username)).toHaveCount(1);
  await expect(typing).toHaveText('');

  await Promise.all([a.context.close(), b.context.close()]);
});

test('when B closes their page, A sees B go offline, without a notice (B is still a member)', async ({ browser }) => {
  const [a, b] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const room = await createRoom(a.request, 'Comings and goings');
  await joinRoom(b.request, room.inviteCode);
  await openRoom(a.page, room.id);
  const bOnA = a.page.locator(`[data-testid=member][data-username="${b.username}"]`);
  await expect(bOnA).toHaveAttribute('data-online', 'false');

  await openRoom(b.page, room.id);
  await expect(bOnA).toHaveAttribute('data-online', 'true');

  await b.page.close();
  await expect(bOnA).toHaveAttribute('data-online', 'false');
  await expect(a.page.getByTestId('notice')).toHaveCount(0);

  await Promise.all([a.context.close(), b.context.close()]);
});

test('a member whose room is deleted is told so and sent back; strangers cannot look in', async ({ browser }) => {
  const [a, b, c] = await Promise.all([person(browser, 'ann'), person(browser, 'ben'), person(browser, 'cat')]);
  const room = await createRoom(a.request, 'Doomed room');
  await joinRoom(b.request, room.inviteCode);
  await openRoom(b.page, room.id);

  // Someone who is not a member gets words, not a broken page.
  await c.page.goto(`/app/room/${room.id}`);
  await expect(c.page.getByTestId('room-unavailable')).toContainText('You are not in this room');

  expect((await a.request.delete(`/api/rooms/${room.id}`)).status()).toBe(200);
  const closed = b.page.getByTestId('room-closed');
  await expect(closed).toContainText('This room was deleted by its owner.');
  await closed.getByRole('button', { name: 'Back to my rooms' }).click();
  await expect(b.page).toHaveURL(/\/app$/);
  await expect(b.page.getByTestId('rooms-empty')).toBeVisible();

  await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
});

test('the room view at desktop and phone width', async ({ browser }) => {
  const [a, b] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const room = await createRoom(a.request, 'Saturday sketch club');
  await joinRoom(b.request, room.inviteCode);
  await Promise.all([openRoom(a.page, room.id), openRoom(b.page, room.id)]);

  await b.page.getByRole('tab', { name: /Draw/ }).click();
  await drawStroke(b.page, [[40, 150], [120, 40], [200, 150], [280, 40], [360, 150]]);
  await b.page.getByRole('button', { name: 'Blue', exact: true }).click();
  await drawStroke(b.page, [[420, 100], [470, 60], [520, 100], [470, 140], [420, 100]]);
  await b.page.getByRole('button', { name: 'Send drawing' }).click();
  await expect(messages(a.page, b.username)).toHaveCount(1);
  await a.page.waitForTimeout(1000);
  await sendText(a.page, 'Love it! 🎨\nCan you add a sun?');
  await expect(messages(b.page, a.username)).toHaveCount(1);
  await messages(b.page, a.username).getByRole('button', { name: 'Add a reaction' }).click();
  await messages(b.page, a.username).getByRole('button', { name: 'React with heart' }).click();
  await b.page.getByRole('tab', { name: /Image/ }).click();
  await b.page.getByTestId('image-input').setInputFiles({ name: 'sun.png', mimeType: 'image/png', buffer: pngBytes(160, 90, [255, 190, 40]) });
  await expect(b.page.getByTestId('image-preview')).toContainText('Ready to send');
  await b.page.getByRole('button', { name: 'Send picture' }).click();
  await expect(messages(a.page, b.username)).toHaveCount(2);
  await b.page.getByRole('tab', { name: /Text/ }).click();
  await b.page.getByLabel('Message', { exact: true }).pressSequentially('Sure', { delay: 30 });
  await expect(a.page.getByTestId('typing')).toContainText('is typing');
  await expect(a.page.locator('[data-testid=reaction][data-emoji=heart]')).toBeVisible();

  // The feed keeps the newest message fully in view as things arrive and pictures load.
  await expect(messages(a.page).last()).toBeInViewport({ ratio: 1 });
  await a.page.screenshot({ path: 'test-results/screens/room-desktop.png' });
  await a.page.setViewportSize({ width: 360, height: 740 });
  await expect(messages(a.page).last()).toBeInViewport();
  const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await a.page.screenshot({ path: 'test-results/screens/room-phone.png' });
  await a.page.getByRole('tab', { name: /Draw/ }).click();
  await a.page.screenshot({ path: 'test-results/screens/room-phone-draw.png' });

  await Promise.all([a.context.close(), b.context.close()]);
});
