import { expect, test } from '@playwright/test';
import { AVATAR_URL_PATTERN } from '../../src/lib/protocol';
import { createRoom, joinRoom, messages, openRoom, PASSWORD, person, pngBytes, sendText } from './helpers';

// Profiles in the browser (docs/architecture.md#profiles): a picture chosen on the settings page
// appears beside its owner's messages and in the member list of someone else's open room, live;
// sound settings follow the user into another browser.

const SHOTS = process.env.PROFILE_SHOTS; // a folder: screenshots for looking at the pages, when asked

test('a new picture reaches the other member of a shared room, beside messages and in the member list', async ({ browser }) => {
  const [ann, ben] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const room = await createRoom(ann.request, 'Pictures');
  await joinRoom(ben.request, room.inviteCode);
  await openRoom(ann.page, room.id);
  await sendText(ann.page, 'Hello with a face');
  await openRoom(ben.page, room.id);

  const annMessage = messages(ben.page, ann.username).first();
  await expect(annMessage).toBeVisible();
  // No picture yet: the name alone, as always.
  await expect(annMessage.getByTestId('avatar')).toHaveCount(0);
  const annInList = ben.page.locator(`[data-testid=member][data-username="${ann.username}"]`);
  await expect(annInList.getByTestId('avatar')).toHaveCount(0);

  // Ann, in another tab, sets her picture on the settings page, reached from the header.
  const settings = await ann.context.newPage();
  await settings.goto('/app');
  await settings.getByRole('link', { name: 'Settings' }).click();
  await expect(settings.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await settings.getByLabel(/Choose a picture/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: pngBytes(60, 30, [200, 40, 40]) });
  const preview = settings.getByTestId('avatar-preview').locator('img');
  await expect(preview).toHaveAttribute('src', AVATAR_URL_PATTERN);
  const url = (await preview.getAttribute('src')) ?? '';
  await expect(settings.getByText('Picture saved')).toBeVisible();
  // The header shows it too.
  await expect(settings.getByTestId('settings-link').locator('img')).toHaveAttribute('src', url);

  // Ben sees it without reloading: beside Ann's message and in the member list.
  await expect(annMessage.getByTestId('avatar')).toHaveAttribute('src', url);
  await expect(annInList.getByTestId('avatar')).toHaveAttribute('src', url);
  // The browser could load it: a real square picture.
  await expect.poll(() => annMessage.getByTestId('avatar').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);
  if (SHOTS) {
    await ben.page.screenshot({ path: `${SHOTS}/room-desktop.png` });
    await settings.screenshot({ path: `${SHOTS}/settings-desktop.png` });
    await ben.page.setViewportSize({ width: 390, height: 844 });
    await ben.page.screenshot({ path: `${SHOTS}/room-phone.png` });
    await ben.page.getByTestId('members-toggle').click();
    await ben.page.screenshot({ path: `${SHOTS}/members-phone.png` });
    await ben.page.getByTestId('members-close').click();
    await ben.page.setViewportSize({ width: 1100, height: 800 });
  }

  // Removing it brings the name-only look back for Ben, live.
  await settings.getByRole('button', { name: 'Remove picture' }).click();
  await expect(settings.getByTestId('avatar-preview').locator('img')).toHaveCount(0);
  await expect(annMessage.getByTestId('avatar')).toHaveCount(0);
  await expect(annInList.getByTestId('avatar')).toHaveCount(0);

  await Promise.all([ann.context.close(), ben.context.close()]);
});

test('a file that is not a picture is refused with a reason, and the picture stays', async ({ browser }) => {
  const ann = await person(browser, 'ann');
  await ann.page.goto('/app/settings');
  await ann.page.getByLabel(/Choose a picture/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: pngBytes(10, 10) });
  const preview = ann.page.getByTestId('avatar-preview').locator('img');
  await expect(preview).toHaveAttribute('src', AVATAR_URL_PATTERN);
  const url = await preview.getAttribute('src');
  await ann.page.getByLabel(/Change picture/).setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
  await expect(ann.page.getByRole('alert')).toContainText('PNG, JPEG, GIF and WebP');
  await expect(preview).toHaveAttribute('src', url ?? '');
  await ann.context.close();
});

test('sound settings follow the user into a second browser, and change live in the first', async ({ browser }) => {
  // A long name: the top bar must still fit a narrow phone.
  const first = await person(browser, 'annabelle_long');
  await first.page.goto('/app/settings');
  const chime = first.page.getByLabel("A chime when someone else's message arrives");
  const volume = first.page.getByLabel('Volume');
  await expect(chime).toBeChecked();
  await expect(volume).toHaveValue('100');

  const saved = first.page.waitForResponse((res) => res.url().endsWith('/api/account/settings') && res.request().method() === 'PUT' && res.ok());
  await chime.uncheck();
  await volume.fill('40');
  await saved;
  await expect
    .poll(async () => (await first.request.get('/api/account/settings')).json())
    .toEqual({ sounds: true, messageSound: false, volume: 0.4 });

  // Another browser (nothing in its storage), signed in as the same person.
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const login = await context.request.post('/api/auth/login', { data: { username: first.username, password: PASSWORD } });
  expect(login.ok()).toBe(true);
  const second = await context.newPage();
  await second.goto('/app/settings');
  await expect(second.getByLabel("A chime when someone else's message arrives")).not.toBeChecked();
  await expect(second.getByLabel('Volume')).toHaveValue('40');
  await expect(second.getByLabel('Sounds while drawing and chatting')).toBeChecked();
  expect(await second.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  if (SHOTS) await second.screenshot({ path: `${SHOTS}/settings-phone.png`, fullPage: true });

  // Turned off in the second browser: the first, still open, follows.
  await second.getByLabel('Sounds while drawing and chatting').uncheck();
  await expect(first.page.getByLabel('Sounds while drawing and chatting')).not.toBeChecked();
  // And it is what the first browser loads from now on.
  await first.page.reload();
  await expect(first.page.getByLabel('Sounds while drawing and chatting')).not.toBeChecked();

  await Promise.all([first.context.close(), context.close()]);
});

test("the room's mute button is a saved setting too, even when the page reloads at once", async ({ browser }) => {
  const ann = await person(browser, 'ann');
  const room = await createRoom(ann.request, 'Quiet please');
  await openRoom(ann.page, room.id);
  await ann.page.getByRole('button', { name: 'Mute sounds' }).click();
  // Reloaded before the save had time to go: the change made here still wins over the server's older one.
  await ann.page.reload();
  await expect(ann.page.getByRole('button', { name: 'Turn sounds on' })).toBeVisible();
  await expect.poll(async () => ((await (await ann.request.get('/api/account/settings')).json()) as { sounds: boolean }).sounds).toBe(false);
  await ann.context.close();
});
