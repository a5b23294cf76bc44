import { expect, test, type Page } from '@playwright/test';
import { createRoom, joinRoom, messages, openRoom, person, sendText, type Person } from './helpers.ts';

// Friends and direct messages as people use them (docs/architecture.md#friends-and-direct-messages):
// a request arrives live with a badge, is accepted, the two talk in a direct conversation, and a
// block hides someone's messages and closes their conversation.

const SHOTS = process.env.FRIENDS_SHOTS;

async function befriendOverApi(a: Person, b: Person): Promise<void> {
  expect((await a.request.post('/api/friends/requests', { data: { username: b.username } })).status()).toBe(200);
  expect((await b.request.post(`/api/friends/requests/${a.id}/accept`)).status()).toBe(200);
}

const badge = (page: Page) => page.getByTestId('friends-badge');

test('a request arrives live with a badge, is accepted, and the two talk in a direct conversation', async ({ browser }) => {
  const ann = await person(browser, 'ann');
  const bob = await person(browser, 'bob');
  await bob.page.goto('/app');
  await expect(bob.page.getByTestId('friends-link')).toBeVisible();
  await expect(badge(bob.page)).toHaveCount(0);

  await ann.page.goto('/app');
  await ann.page.getByTestId('friends-link').click();
  await ann.page.getByLabel('Add a friend by username').fill(bob.username);
  await ann.page.getByRole('button', { name: 'Send request' }).click();
  await expect(ann.page.getByTestId('friends-notice')).toHaveText(`Request sent to ${bob.username}.`);
  await expect(ann.page.getByTestId('outgoing-request')).toHaveText(new RegExp(bob.username));

  // Bob never reloaded: the badge comes over his socket.
  await expect(badge(bob.page)).toContainText('1');
  if (SHOTS) {
    await bob.page.setViewportSize({ width: 390, height: 844 });
    await bob.page.screenshot({ path: `${SHOTS}/badge-phone.png` });
    await bob.page.setViewportSize({ width: 1100, height: 800 });
  }
  await bob.page.getByTestId('friends-link').click();
  await expect(bob.page.getByTestId('incoming-request')).toContainText(ann.username);
  await expect(badge(bob.page)).toHaveCount(0);
  if (SHOTS) await bob.page.screenshot({ path: `${SHOTS}/friends-request-desktop.png`, fullPage: true });
  await bob.page.getByRole('button', { name: `Accept ${ann.username}` }).click();
  await expect(bob.page.getByTestId('friend')).toContainText(ann.username);

  // Ann hears the answer live, on the page she has open, and sees Bob online.
  await expect(ann.page.getByTestId('friend')).toContainText(bob.username);
  await expect(ann.page.getByTestId('friend')).toHaveAttribute('data-online', 'true');
  await ann.page.getByRole('button', { name: `Message ${bob.username}` }).click();
  await expect(ann.page).toHaveURL(/\/app\/room\//);
  await expect(ann.page.getByTestId('room-title')).toHaveText(bob.username);
  await expect(ann.page.getByRole('button', { name: 'Invite' })).toHaveCount(0);
  await expect(ann.page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  await sendText(ann.page, 'hello bob');
  await expect(messages(ann.page, ann.username)).toContainText('hello bob');

  // Bob finds the conversation under "Direct messages", named after Ann.
  await bob.page.goto('/app');
  const direct = bob.page.getByTestId('direct-rooms');
  await expect(direct.getByRole('heading', { name: 'Direct messages' })).toBeVisible();
  await expect(direct.getByTestId('room-name')).toHaveText(ann.username);
  if (SHOTS) {
    await bob.page.screenshot({ path: `${SHOTS}/rooms-direct-desktop.png`, fullPage: true });
    await bob.page.setViewportSize({ width: 390, height: 844 });
    await bob.page.screenshot({ path: `${SHOTS}/rooms-direct-phone.png`, fullPage: true });
  }
  await direct.getByRole('link').first().click();
  await expect(bob.page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  await expect(messages(bob.page, ann.username)).toContainText('hello bob');
  await sendText(bob.page, 'hi ann');
  await expect(messages(ann.page, bob.username)).toContainText('hi ann');

  await ann.context.close();
  await bob.context.close();
});

test('a block hides the blocked person’s messages from the blocker only, and closes their conversation', async ({ browser }) => {
  const ann = await person(browser, 'ann');
  const bob = await person(browser, 'bob');
  const cat = await person(browser, 'cat');
  const room = await createRoom(ann.request, 'Hive');
  await joinRoom(bob.request, room.inviteCode);
  await joinRoom(cat.request, room.inviteCode);
  await befriendOverApi(ann, cat);
  const dm = (await (await ann.request.post(`/api/friends/${cat.id}/direct`)).json()) as { roomId: string };

  await openRoom(ann.page, room.id);
  await sendText(ann.page, 'before the block');
  await expect(messages(ann.page, ann.username)).toContainText('before the block');

  // Cat blocks Ann from the friends page.
  await cat.page.goto('/app/friends');
  await expect(cat.page.getByTestId('friend')).toContainText(ann.username);
  if (SHOTS) {
    await cat.page.setViewportSize({ width: 390, height: 844 });
    await cat.page.screenshot({ path: `${SHOTS}/friends-list-phone.png` });
  }
  await cat.page.getByRole('button', { name: `Block ${ann.username}` }).click();
  await cat.page.getByTestId('confirm-dialog').getByRole('button', { name: 'Block' }).click();
  await expect(cat.page.getByTestId('blocked')).toContainText(ann.username);
  await expect(cat.page.getByTestId('friend')).toHaveCount(0);
  if (SHOTS) {
    await cat.page.setViewportSize({ width: 390, height: 844 });
    await cat.page.screenshot({ path: `${SHOTS}/friends-blocked-phone.png`, fullPage: true });
  }

  // In the shared room, Bob sees Ann; Cat sees Bob but never Ann, old or new.
  await openRoom(bob.page, room.id);
  await openRoom(cat.page, room.id);
  await sendText(ann.page, 'after the block');
  await expect(messages(bob.page, ann.username)).toHaveCount(2);
  await sendText(bob.page, 'bob here');
  await expect(messages(cat.page, bob.username)).toContainText('bob here');
  await expect(messages(cat.page, ann.username)).toHaveCount(0);

  // Ann's conversation with Cat is closed for new messages.
  await openRoom(ann.page, dm.roomId);
  await expect(ann.page.getByTestId('direct-closed')).toBeVisible();
  if (SHOTS) {
    await ann.page.setViewportSize({ width: 390, height: 844 });
    await ann.page.screenshot({ path: `${SHOTS}/direct-closed-phone.png` });
  }
  // And Cat unblocks: Ann's messages show again.
  await cat.page.goto('/app/friends');
  await cat.page.getByRole('button', { name: `Unblock ${ann.username}` }).click();
  await expect(cat.page.getByTestId('blocked')).toHaveCount(0);
  await openRoom(cat.page, room.id);
  await expect(messages(cat.page, ann.username)).toHaveCount(2);

  for (const p of [ann, bob, cat]) await p.context.close();
});

test('when a deletion leaves a blocked person’s message last, the blocker’s room list still does not show it', async ({ browser }) => {
  const ann = await person(browser, 'ann');
  const bob = await person(browser, 'bob');
  const cat = await person(browser, 'cat');
  const room = await createRoom(ann.request, 'Hive two');
  await joinRoom(bob.request, room.inviteCode);
  await joinRoom(cat.request, room.inviteCode);
  expect((await cat.request.post('/api/friends/blocks', { data: { username: ann.username } })).status()).toBeLessThan(300);

  await openRoom(ann.page, room.id);
  await sendText(ann.page, 'secret from ann');
  await openRoom(bob.page, room.id);
  await sendText(bob.page, 'bob was last');
  await cat.page.goto('/app');
  const last = cat.page.locator(`[data-testid=room-card][data-room-id="${room.id}"]`).getByTestId('room-last');
  await expect(last).toContainText('bob was last');

  // Bob deletes his message: the room hears that Ann's is now the last one; Cat's list asks again.
  const mine = messages(bob.page, bob.username);
  await mine.hover();
  await mine.getByRole('button', { name: 'Delete message' }).click();
  await mine.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(mine).toHaveCount(0);
  await expect(last).not.toContainText('bob was last');
  // Give the room's update every chance to show: it must never name Ann's words.
  await cat.page.waitForTimeout(1000);
  await expect(last).not.toContainText('secret from ann');
  await expect(cat.page.locator(`[data-testid=room-card][data-room-id="${room.id}"]`)).not.toContainText(ann.username);

  for (const p of [ann, bob, cat]) await p.context.close();
});
