import { expect, test, type Page } from '@playwright/test';
import { packDrawing, type Drawing } from '../../src/lib/protocol';
import { connectSocket, createRoom, joinOverSocket, joinRoom, messages, openRoom, person, pngBytes, sendOverSocket, sendText } from './helpers';

// The room list as home, attention (tab title, desktop notifications, mutes), membership notices
// and the owner's tools (docs/architecture.md#room-activity, #owner-tools), with two or more people.

const card = (page: Page, roomId: string) => page.locator(`[data-testid=room-card][data-room-id="${roomId}"]`);
const cardOrder = (page: Page) => page.getByTestId('room-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-room-id')));

function wave(): Drawing {
  const points = Array.from({ length: 60 }, (_, i) => ({ x: 20 + i * 9, y: Math.round((100 + Math.sin(i / 4) * 70) * 10) / 10, pressure: 0.6 }));
  return packDrawing([{ type: 'stroke', points, color: '#0000FF', size: 8, eraser: false }]);
}

test('the room list shows each room’s last message, time and my unread count, live and in order of activity', async ({ browser, baseURL }) => {
  const [ann, ben] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const sketches = await createRoom(ann.request, 'Sketches');
  const notes = await createRoom(ann.request, 'Notes');
  await joinRoom(ben.request, sketches.inviteCode);
  await joinRoom(ben.request, notes.inviteCode);
  const benSocket = await connectSocket(baseURL!, ben.request);
  await joinOverSocket(benSocket, notes.id);
  await joinOverSocket(benSocket, sketches.id);

  await ann.page.goto('/app');
  await expect(card(ann.page, notes.id).getByTestId('room-last')).toHaveText('No messages yet');
  await expect(ann.page).toHaveTitle('My rooms · BeeBeeBee');

  await sendOverSocket(benSocket, { roomId: notes.id, type: 'text', content: 'Picnic on Saturday? Bring the big blanket and the kite' });
  await expect(card(ann.page, notes.id).getByTestId('room-last')).toHaveText(`${ben.username}: Picnic on Saturday? Bring the big blanket and the kite`);
  await expect(card(ann.page, notes.id).getByTestId('room-unread')).toHaveText('1');
  await expect(card(ann.page, notes.id).getByTestId('room-time')).toBeVisible();
  expect((await cardOrder(ann.page))[0]).toBe(notes.id);

  await sendOverSocket(benSocket, { roomId: sketches.id, type: 'drawing', content: wave() });
  await expect(card(ann.page, sketches.id).getByTestId('room-last')).toContainText('Drawing');
  await expect(card(ann.page, sketches.id).getByTestId('room-thumbnail')).toBeVisible();
  await expect.poll(() => cardOrder(ann.page)).toEqual([sketches.id, notes.id]);
  await expect(ann.page).toHaveTitle('(2) My rooms · BeeBeeBee');
  await ann.page.setViewportSize({ width: 1280, height: 800 });
  await ann.page.screenshot({ path: 'test-results/screens/room-list-activity-desktop.png' });

  // A second device of Ann's agrees, and reading on one clears the count on both.
  const phonePage = await ann.context.newPage();
  await phonePage.setViewportSize({ width: 390, height: 844 });
  await phonePage.goto('/app');
  await expect(card(phonePage, notes.id).getByTestId('room-unread')).toHaveText('1');
  await phonePage.screenshot({ path: 'test-results/screens/room-list-activity-phone.png' });
  await openRoom(ann.page, notes.id);
  await expect(ann.page).toHaveTitle(`(1) Notes · BeeBeeBee`);
  await expect(card(phonePage, notes.id).getByTestId('room-unread')).toHaveCount(0);
  await expect(phonePage).toHaveTitle('(1) My rooms · BeeBeeBee');

  // While Ann looks at the room, its messages are read at once; the other room still counts.
  await sendOverSocket(benSocket, { roomId: notes.id, type: 'text', content: 'see you there' });
  await expect(messages(ann.page, ben.username)).toHaveCount(2);
  await sendOverSocket(benSocket, { roomId: sketches.id, type: 'image', content: await uploadedImage(ben.request) });
  await expect(card(phonePage, sketches.id).getByTestId('room-last')).toHaveText(`${ben.username}: 📷 Image`);
  await expect(card(phonePage, sketches.id).getByTestId('room-unread')).toHaveText('2');
  await expect(ann.page).toHaveTitle('(2) Notes · BeeBeeBee');
  await expect(card(phonePage, notes.id).getByTestId('room-last')).toHaveText(`${ben.username}: see you there`);
  await expect(card(phonePage, notes.id).getByTestId('room-unread')).toHaveCount(0);

  benSocket.disconnect();
  await Promise.all([ann.context.close(), ben.context.close()]);
});

async function uploadedImage(request: Page['request']): Promise<string> {
  const res = await request.post('/api/upload', { multipart: { image: { name: 'dot.png', mimeType: 'image/png', buffer: pngBytes(20, 20) } } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { url: string }).url;
}

test('desktop notifications are opt-in, come only for rooms not in view, and a room can be muted', async ({ browser, baseURL }) => {
  const ann = await person(browser, 'ann', { permissions: ['notifications'] });
  const ben = await person(browser, 'ben');
  // Every notification the page shows is noted (and still shown) so the test can see it.
  await ann.context.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = [];
    (window as unknown as { shown: string[] }).shown = shown;
    class Noted extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(`${title} | ${options?.body ?? ''}`);
      }
    }
    window.Notification = Noted as typeof Notification;
  });
  const shown = () => ann.page.evaluate(() => (window as unknown as { shown: string[] }).shown);
  const garden = await createRoom(ann.request, 'Garden');
  const kitchen = await createRoom(ann.request, 'Kitchen');
  await joinRoom(ben.request, garden.inviteCode);
  await joinRoom(ben.request, kitchen.inviteCode);
  const benSocket = await connectSocket(baseURL!, ben.request);

  await ann.page.goto('/app');
  await expect(card(ann.page, garden.id)).toBeVisible();
  await sendOverSocket(benSocket, { roomId: garden.id, type: 'text', content: 'before opting in' });
  await expect(card(ann.page, garden.id).getByTestId('room-unread')).toHaveText('1');
  expect(await shown()).toEqual([]);

  const toggle = ann.page.getByTestId('notify-toggle');
  await expect(toggle).toHaveText('🔕 Turn on notifications');
  await toggle.click();
  await expect(toggle).toHaveText('🔔 Notifications on');
  await sendOverSocket(benSocket, { roomId: garden.id, type: 'text', content: 'the tulips are up' });
  await expect.poll(shown).toEqual([`${ben.username} in Garden | the tulips are up`]);

  await card(ann.page, garden.id).getByRole('button', { name: 'Mute' }).click();
  await expect(card(ann.page, garden.id).getByRole('button', { name: 'Unmute' })).toBeVisible();
  await sendOverSocket(benSocket, { roomId: garden.id, type: 'text', content: 'and the roses' });
  await expect(card(ann.page, garden.id).getByTestId('room-unread')).toHaveText('3');

  // In the kitchen: its own messages notify nothing, the garden stays muted after a reload.
  await openRoom(ann.page, kitchen.id);
  await joinOverSocket(benSocket, kitchen.id);
  await sendOverSocket(benSocket, { roomId: kitchen.id, type: 'text', content: 'soup is ready' });
  await expect(messages(ann.page, ben.username)).toHaveCount(1);
  await sendOverSocket(benSocket, { roomId: garden.id, type: 'text', content: 'muted still' });
  await expect(ann.page).toHaveTitle('(4) Kitchen · BeeBeeBee');
  await ann.page.goto('/app');
  await card(ann.page, garden.id).getByRole('button', { name: 'Unmute' }).click();
  await openRoom(ann.page, kitchen.id);
  await sendOverSocket(benSocket, { roomId: garden.id, type: 'drawing', content: wave() });
  await expect.poll(shown).toEqual([`${ben.username} in Garden | Drawing`]);

  benSocket.disconnect();
  await Promise.all([ann.context.close(), ben.context.close()]);
});

test('only membership changes post notices: reloads and trips to the room list do not; dots change silently', async ({ browser }) => {
  const [ann, ben, cat] = await Promise.all([person(browser, 'ann'), person(browser, 'ben'), person(browser, 'cat')]);
  const room = await createRoom(ann.request, 'Porch');
  await joinRoom(ben.request, room.inviteCode);
  await openRoom(ann.page, room.id);
  const notices = ann.page.getByTestId('notice');
  const benDot = ann.page.locator(`[data-testid=member][data-username="${ben.username}"]`);

  await openRoom(ben.page, room.id);
  await expect(benDot).toHaveAttribute('data-online', 'true');
  await ben.page.reload();
  await expect(ben.page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  await ben.page.getByRole('link', { name: 'Back to my rooms' }).click();
  await expect(ben.page.getByTestId('room-list')).toBeVisible();
  await expect(benDot).toHaveAttribute('data-online', 'false');
  await ben.page.getByTestId('room-name').click();
  await expect(benDot).toHaveAttribute('data-online', 'true');
  await ben.page.close();
  await expect(benDot).toHaveAttribute('data-online', 'false');
  await expect(notices).toHaveCount(0);

  await cat.page.goto(`/join/${room.inviteCode}`);
  await cat.page.getByRole('button', { name: 'Join room' }).click();
  await expect(cat.page.getByTestId('room-view')).toBeVisible();
  await expect(notices).toHaveText([`${cat.username} joined the room`]);
  expect((await cat.request.post(`/api/rooms/${room.id}/leave`)).status()).toBe(200);
  await expect(notices).toHaveText([`${cat.username} joined the room`, `${cat.username} left the room`]);

  await Promise.all([ann.context.close(), ben.context.close(), cat.context.close()]);
});

test('the owner removes a member and deletes any message, both confirmed; members cannot', async ({ browser }) => {
  const [ann, ben, cat] = await Promise.all([person(browser, 'ann'), person(browser, 'ben'), person(browser, 'cat')]);
  const room = await createRoom(ann.request, 'Book club');
  await joinRoom(ben.request, room.inviteCode);
  await joinRoom(cat.request, room.inviteCode);
  await Promise.all([openRoom(ann.page, room.id), openRoom(ben.page, room.id), openRoom(cat.page, room.id)]);

  await sendText(ann.page, 'Chapter 3 by Friday');
  await expect(messages(cat.page, ann.username)).toHaveCount(1);
  await sendText(cat.page, 'something rude');
  await expect(messages(ann.page, cat.username)).toHaveCount(1);
  // A member sees no delete on others' messages and no remove buttons.
  await expect(messages(cat.page, ann.username).getByRole('button', { name: 'Delete message' })).toHaveCount(0);
  await expect(cat.page.getByRole('button', { name: /^Remove / })).toHaveCount(0);

  const rude = messages(ann.page, cat.username);
  await rude.hover();
  await rude.getByRole('button', { name: 'Delete message' }).click();
  await expect(rude.getByRole('group', { name: 'Confirm delete' })).toContainText(`Delete ${cat.username}'s message for everyone?`);
  await rude.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(messages(cat.page, cat.username)).toHaveCount(0);
  await expect(messages(ben.page, cat.username)).toHaveCount(0);

  await ann.page.setViewportSize({ width: 1280, height: 800 });
  await ben.page.setViewportSize({ width: 1280, height: 800 });
  const inviteOnAnn = ann.page.getByTestId('invite-link');
  const oldLink = await inviteOnAnn.inputValue();
  expect(oldLink).toContain(room.inviteCode);
  await ann.page.getByRole('button', { name: `Remove ${ben.username}` }).click();
  const dialog = ann.page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText(`Remove ${ben.username}?`);
  await ann.page.screenshot({ path: 'test-results/screens/remove-confirm-desktop.png' });
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(ben.page.getByTestId('room-closed')).toContainText('The owner removed you from this room.');
  await ben.page.screenshot({ path: 'test-results/screens/removed-desktop.png' });
  await ben.page.setViewportSize({ width: 390, height: 844 });
  await ben.page.screenshot({ path: 'test-results/screens/removed-phone.png' });
  await expect(ann.page.getByTestId('notice')).toHaveText([`${ben.username} was removed from the room`]);
  await expect(cat.page.getByTestId('notice')).toHaveText([`${ben.username} was removed from the room`]);
  await expect(ann.page.locator(`[data-testid=member][data-username="${ben.username}"]`)).toHaveCount(0);
  // The link Ben had no longer works; the owner's page shows the new one.
  await expect(inviteOnAnn).not.toHaveValue(oldLink);

  await ben.page.getByRole('button', { name: 'Back to my rooms' }).click();
  await expect(ben.page.getByTestId('rooms-empty')).toBeVisible();
  await ben.page.goto(`/app/room/${room.id}`);
  await expect(ben.page.getByTestId('room-unavailable')).toContainText('You are not in this room');

  await Promise.all([ann.context.close(), ben.context.close(), cat.context.close()]);
});
