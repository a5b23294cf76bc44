import { expect, test } from '@playwright/test';
import { createRoom, joinRoom, messages, openRoom, PASSWORD, person, sendText, uniqueName } from './helpers';

// Public rooms and account deletion as two people see them (docs/architecture.md#public-rooms,
// docs/architecture.md#deleting-an-account).

test('one person makes a findable room, another finds it by name, joins and they chat', async ({ browser }) => {
  const alice = await person(browser, 'alice');
  const bob = await person(browser, 'bob');
  const name = `Bee garden ${uniqueName('g').slice(-6)}`;

  await alice.page.goto('/app');
  await alice.page.getByRole('button', { name: '+ New room' }).click();
  const dialog = alice.page.getByTestId('create-room-dialog');
  await dialog.getByLabel('Room name').fill(name);
  await dialog.getByLabel('Findable by search').check();
  await alice.page.screenshot({ path: 'test-results/screens/create-room-findable.png' });
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await expect(alice.page).toHaveURL(/\/app\/room\//);
  await expect(alice.page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  // The owner tools say so, and an invite-only room made by the API is not found.
  await expect(alice.page.getByTestId('findable-switch').getByLabel('Findable by search')).toBeChecked();
  await createRoom(alice.request, `${name} secret`);
  await alice.page.screenshot({ path: 'test-results/screens/owner-tools-desktop.png' });

  const { page } = bob;
  await page.goto('/app');
  const find = page.getByTestId('find-rooms');
  await find.getByLabel('Search rooms by name').fill(name.slice(4).toUpperCase());
  await find.getByRole('button', { name: 'Search' }).click();
  const results = find.getByTestId('found-room');
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(name);
  await expect(results.first()).toContainText('1 / 16 members');
  await page.screenshot({ path: 'test-results/screens/find-rooms-desktop.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screens/find-rooms-phone.png' });
  await page.setViewportSize({ width: 1100, height: 800 });

  await results.first().getByRole('button', { name: 'Join' }).click();
  await expect(page).toHaveURL(/\/app\/room\//);
  await expect(page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  await sendText(page, 'Found you by searching!');
  await expect(messages(alice.page, bob.username)).toHaveText([/Found you by searching!/]);
  await sendText(alice.page, 'Welcome, bee.');
  await expect(messages(page, alice.username)).toHaveText([/Welcome, bee\./]);

  // A findable room with a password asks for it right in the results.
  const locked = await (await alice.request.post('/api/rooms', { data: { name: `${name} locked`, password: 'pollen', findable: true } })).json();
  await page.goto('/app');
  await find.getByLabel('Search rooms by name').fill(`${name} locked`);
  await find.getByRole('button', { name: 'Search' }).click();
  const lockedResult = find.locator(`[data-room-id="${locked.id}"]`);
  await lockedResult.getByRole('button', { name: 'Join' }).click();
  await lockedResult.getByLabel('Room password').fill('wrong!');
  await lockedResult.getByRole('button', { name: 'Join' }).click();
  await expect(lockedResult.getByRole('alert')).toHaveText('Wrong password');
  await page.screenshot({ path: 'test-results/screens/find-rooms-password.png' });
  await lockedResult.getByLabel('Room password').fill('pollen');
  await lockedResult.getByRole('button', { name: 'Join' }).click();
  await expect(page).toHaveURL(`/app/room/${locked.id}`);

  // The owner turns the first room invite-only from the owner tools: it is found no more.
  const ownerSwitch = alice.page.getByTestId('findable-switch').getByLabel('Findable by search');
  await ownerSwitch.uncheck();
  await expect(alice.page.getByTestId('findable-switch')).toContainText('Invite-only');
  await page.goto('/app');
  await find.getByLabel('Search rooms by name').fill(name);
  await find.getByRole('button', { name: 'Search' }).click();
  await expect(find.getByTestId('found-room')).toHaveCount(1);
  await expect(find.getByTestId('found-room')).toContainText(`${name} locked`);

  await alice.context.close();
  await bob.context.close();
});

test('deleting an account from the settings page takes its messages away for the others', async ({ browser }) => {
  const alice = await person(browser, 'alice');
  const bob = await person(browser, 'bob');
  const room = await createRoom(bob.request, 'Goodbye room');
  await joinRoom(alice.request, room.inviteCode);

  await openRoom(alice.page, room.id);
  await openRoom(bob.page, room.id);
  await sendText(alice.page, 'I will be gone soon');
  await expect(messages(bob.page, alice.username)).toHaveCount(1);
  await sendText(bob.page, 'Stay a bit');
  await expect(messages(alice.page, bob.username)).toHaveCount(1);

  const { page } = alice;
  await page.goto('/app');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL('/app/settings');
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/settings-desktop.png' });
  await page.getByRole('button', { name: 'Delete my account…' }).click();
  const dialog = page.getByTestId('delete-account-dialog');
  await dialog.getByLabel('Password').fill('not my password');
  await dialog.getByRole('button', { name: 'Delete account' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Wrong password');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screens/settings-phone.png' });
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Delete account' }).click();
  await expect(page).toHaveURL(/\/login/);

  // Bob, still in the room, sees alice's message go and her leave the member list.
  await expect(messages(bob.page, alice.username)).toHaveCount(0);
  await expect(messages(bob.page, bob.username)).toHaveCount(1);
  await expect(bob.page.getByTestId('members-panel')).not.toContainText(alice.username);

  // Her name is free again.
  const res = await page.request.post('/api/auth/register', { data: { username: alice.username, password: PASSWORD } });
  expect(res.status()).toBe(201);

  await alice.context.close();
  await bob.context.close();
});
