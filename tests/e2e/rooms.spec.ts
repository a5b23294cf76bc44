import { expect, test } from '@playwright/test';
import { ROOM_MAX_MEMBERS } from '../../src/lib/protocol';
import { apiUser, createRoom, joinRoom, PASSWORD, person, uniqueName, type ApiUser } from './helpers';

test('a new user is told what to do, creates rooms and sees them listed', async ({ browser, baseURL }) => {
  const alice = await person(browser, 'alice');
  const { page } = alice;
  await page.goto('/app');
  const empty = page.getByTestId('rooms-empty');
  await expect(empty).toContainText('No rooms yet');
  await expect(empty.getByRole('button', { name: 'Create a room' })).toBeVisible();
  await expect(empty.getByRole('button', { name: 'Join with an invite' })).toBeVisible();

  // A password room, made through the modal, opens straight away.
  await empty.getByRole('button', { name: 'Create a room' }).click();
  const dialog = page.getByTestId('create-room-dialog');
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Room name is required');
  await dialog.getByLabel('Room name').fill('Secret doodles');
  await dialog.getByLabel(/Password/).fill('hunter22');
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/app\/room\//);
  await expect(page.getByTestId('room-title')).toContainText('Secret doodles');

  // Someone else's room that alice joined: no owner mark, no lock.
  const bob = await apiUser(baseURL!, 'bob');
  const bobs = await createRoom(bob.request, 'Bob’s garden party');
  await joinRoom(alice.request, bobs.inviteCode);
  await createRoom(alice.request, 'Lunch sketches');

  await page.getByRole('link', { name: 'Back to my rooms' }).click();
  await expect(page).toHaveURL(/\/app$/);
  const cards = page.getByTestId('room-card');
  await expect(cards).toHaveCount(3);
  const secret = cards.filter({ hasText: 'Secret doodles' });
  await expect(secret.getByTestId('room-lock')).toBeVisible();
  await expect(secret.getByTestId('room-owner')).toBeVisible();
  await expect(secret.getByTestId('room-members')).toHaveText(`1 / ${ROOM_MAX_MEMBERS} members`);
  const party = cards.filter({ hasText: 'Bob’s garden party' });
  await expect(party.getByTestId('room-lock')).toHaveCount(0);
  await expect(party.getByTestId('room-owner')).toHaveCount(0);
  await expect(party.getByTestId('room-members')).toHaveText(`2 / ${ROOM_MAX_MEMBERS} members`);
  await expect(page.getByRole('link', { name: /scratch pad/ })).toHaveAttribute('href', '/app/draw');

  await page.screenshot({ path: 'test-results/screens/rooms-desktop.png' });
  await page.setViewportSize({ width: 360, height: 740 });
  await expect(cards.first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screens/rooms-phone.png' });

  await bob.request.dispose();
  await alice.context.close();
});

test('join by pasted invite link, leave and delete with confirmation', async ({ browser, baseURL }) => {
  const owner = await apiUser(baseURL!, 'owner');
  const room = await createRoom(owner.request, 'Pasted link room', 'opensesame');
  const carol = await person(browser, 'carol');
  const { page } = carol;
  await page.goto('/app');
  await page.getByRole('button', { name: 'Join a room' }).click();
  const dialog = page.getByTestId('join-room-dialog');
  await dialog.getByLabel('Invite link or code').fill('not a code at all');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Paste an invite link or type an invite code');

  await dialog.getByLabel('Invite link or code').fill(`${baseURL}/join/${room.inviteCode}`);
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByTestId('invite-room-name')).toContainText('Pasted link room');
  await dialog.getByLabel('Room password').fill('wrong one');
  await dialog.getByRole('button', { name: 'Join room' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Wrong password');
  await dialog.getByLabel('Room password').fill('opensesame');
  await dialog.getByRole('button', { name: 'Join room' }).click();
  await expect(page).toHaveURL(new RegExp(`/app/room/${room.id}$`));
  await expect(page.getByTestId('room-title')).toContainText('Pasted link room');

  // The invite button shows the same link to pass on.
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(page.getByRole('dialog').getByTestId('invite-link')).toHaveValue(`${baseURL}/join/${room.inviteCode}`);
  await page.keyboard.press('Escape');

  // Leaving asks first; cancelling keeps the room.
  await page.goto('/app');
  const card = page.getByTestId('room-card').filter({ hasText: 'Pasted link room' });
  await card.getByRole('button', { name: 'Leave' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('Leave this room?');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Leave' }).click();
  await confirm.getByRole('button', { name: 'Leave room' }).click();
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId('rooms-empty')).toBeVisible();

  // The owner's card offers delete, not leave, and deleting removes it for good.
  const mine = await createRoom(carol.request, 'Short lived');
  await page.reload();
  const own = page.getByTestId('room-card').filter({ hasText: 'Short lived' });
  await expect(own.getByRole('button', { name: 'Leave' })).toHaveCount(0);
  await own.getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete room' }).click();
  await expect(own).toHaveCount(0);
  expect((await carol.request.get(`/api/rooms/${mine.id}`)).status()).toBe(404);

  await owner.request.dispose();
  await carol.context.close();
});

test('an invite link opened signed out leads through sign-up into the room', async ({ browser, baseURL }) => {
  const owner = await apiUser(baseURL!, 'host');
  const room = await createRoom(owner.request, 'Invite-only club', 'letmein1');
  const context = await browser.newContext();
  const page = await context.newPage();

  await page.goto(`/join/${room.inviteCode}`);
  await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(`/join/${room.inviteCode}`)}`));
  // The sign-in page says which room the link is for, and that it has a password.
  await expect(page.getByTestId('invite-banner')).toContainText('Invite-only club');
  await expect(page.getByTestId('invite-banner')).toContainText('room password');
  await page.getByRole('link', { name: 'Create an account' }).click();
  // The sign-in form is replaced by the register form: type only into the new one.
  await expect(page).toHaveURL(/\/register\?next=/);
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  await expect(page.getByTestId('invite-banner')).toContainText('Invite-only club');
  const username = uniqueName('newbie');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  // Back on the invite, which now knows who is asking.
  // The password is the one thing still needed: asked for on the invite.
  await expect(page).toHaveURL(new RegExp(`/join/${room.inviteCode}$`));
  await expect(page.getByTestId('invite-room-name')).toContainText('Invite-only club');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter the room password');
  await page.getByLabel('Room password').fill('letmein1');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page).toHaveURL(new RegExp(`/app/room/${room.id}$`));
  await expect(page.getByTestId('room-title')).toContainText('Invite-only club');
  await expect(page.getByTestId('member').filter({ hasText: username })).toBeVisible();

  // Opening the link again as a member goes straight in.
  await page.goto(`/join/${room.inviteCode}`);
  await expect(page).toHaveURL(new RegExp(`/app/room/${room.id}$`));

  await owner.request.dispose();
  await context.close();
});

test('signed out, an invite to an open room names it on sign-in and sign-up, and signing in lands in the room, joined', async ({ browser, baseURL }) => {
  const owner = await person(browser, 'host');
  const room = await createRoom(owner.request, 'Open doors');
  const friend = await apiUser(baseURL!, 'pal');
  const context = await browser.newContext();
  const page = await context.newPage();

  await page.goto(`/join/${room.inviteCode}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('invite-banner')).toHaveText("You're invited to Open doors. Sign in to join.");
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByTestId('invite-banner')).toHaveText("You're invited to Open doors. Create an account to join.");
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(friend.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  // No "Join room" to press: straight into the room, as a member, seen by the owner.
  await expect(page).toHaveURL(new RegExp(`/app/room/${room.id}$`));
  await expect(page.getByTestId('member').filter({ hasText: friend.username })).toBeVisible();
  await owner.page.goto(`/app/room/${room.id}`);
  await expect(owner.page.getByTestId('member').filter({ hasText: friend.username })).toBeVisible();
  await friend.request.dispose();
  await Promise.all([context.close(), owner.context.close()]);
});

test('the 17th person opening the invite link sees "This room is full"', async ({ browser, baseURL }) => {
  const owner = await apiUser(baseURL!, 'full');
  const room = await createRoom(owner.request, 'Packed room');
  const others: ApiUser[] = await Promise.all(Array.from({ length: ROOM_MAX_MEMBERS - 1 }, () => apiUser(baseURL!, 'm')));
  await Promise.all(others.map((u) => joinRoom(u.request, room.inviteCode)));

  const late = await person(browser, 'late');
  await late.page.goto(`/join/${room.inviteCode}`);
  await expect(late.page.getByTestId('invite-room-name')).toContainText('Packed room');
  await expect(late.page.getByRole('alert')).toHaveText('This room is full');
  await expect(late.page.getByRole('button', { name: 'Join room' })).toHaveCount(0);
  expect((await late.request.get(`/api/rooms/${room.id}`)).status()).toBe(403);

  await Promise.all([owner, ...others].map((u) => u.request.dispose()));
  await late.context.close();
});
