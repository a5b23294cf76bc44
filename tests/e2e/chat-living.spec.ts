import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { TEXT_MAX_CHARS } from '../../src/lib/protocol';
import { createRoom, drawStroke, joinRoom, messages, openRoom, person, sendText, type Person } from './helpers';

// Issue 14's smaller promises, each with two people: sending while offline, the phone's members
// sheet, links, the length limit, "is drawing…", a refused file, the not-a-member page, and axe.

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function twoInARoom(browser: Browser, name: string, options = {}): Promise<{ a: Person; b: Person; roomId: string; close(): Promise<void> }> {
  const [a, b] = await Promise.all([person(browser, 'ann', options), person(browser, 'ben')]);
  const room = await createRoom(a.request, name);
  await joinRoom(b.request, room.inviteCode);
  await Promise.all([openRoom(a.page, room.id), openRoom(b.page, room.id)]);
  return { a, b, roomId: room.id, close: async () => void (await Promise.all([a.context.close(), b.context.close()])) };
}

test('offline: messages wait as pending under one "offline" banner and go out in order when the network is back', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Tunnel');
  await a.context.setOffline(true);
  const banner = a.page.getByTestId('connection-banner');
  await expect(banner).toHaveAttribute('data-state', 'offline');
  await expect(banner).toHaveText(/^You are offline: this device has no network/);
  await sendText(a.page, 'one');
  await sendText(a.page, 'two');
  await sendText(a.page, 'three');
  await expect(a.page.getByTestId('pending-message')).toHaveText([/one/, /two/, /three/]);
  await expect(a.page.getByTestId('pending-message').first()).toContainText('Waiting for the connection');
  await expect(banner).toHaveCount(1);
  await expect(banner).toContainText('3 messages wait');
  await expect(messages(b.page, a.username)).toHaveCount(0);

  await a.context.setOffline(false);
  await expect(banner).toHaveText('Back online');
  await expect(messages(b.page, a.username).getByTestId('message-text')).toHaveText(['one', 'two', 'three']);
  await expect(a.page.getByTestId('pending-message')).toHaveCount(0);
  await expect(messages(a.page, a.username).getByTestId('message-text')).toHaveText(['one', 'two', 'three']);
  await close();
});

test('on a phone the members panel is a sheet that closes with its button, Escape and a tap outside', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Pocket', phone);
  const toggle = a.page.getByTestId('members-toggle');
  const sheet = a.page.getByRole('dialog', { name: 'Members' });
  await expect(sheet).toBeHidden();
  await toggle.tap();
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId('member').filter({ hasText: b.username })).toBeVisible();
  await sheet.getByRole('button', { name: 'Close members' }).tap();
  await expect(sheet).toBeHidden();
  await expect(toggle).toBeFocused();

  await toggle.tap();
  await expect(sheet).toBeVisible();
  await a.page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  await toggle.tap();
  await expect(sheet).toBeVisible();
  await a.page.touchscreen.tap(40, 400);
  await expect(sheet).toBeHidden();
  // The tap outside closed the sheet and did nothing else.
  await expect(a.page.getByTestId('room-view')).toBeVisible();
  // On touch screens the message actions are always there.
  await sendText(b.page, 'hi from ben');
  await expect(messages(a.page, b.username).getByRole('button', { name: 'Add a reaction' })).toBeVisible();
  await close();
});

test('links are clickable and safe, the limit disables Send, and "is drawing…" shows beside "is typing…"', async ({ browser }) => {
  const { a, b, close } = await twoInARoom(browser, 'Linky');
  await sendText(a.page, 'look at https://example.com/bees?x=1 (and <b>this</b>) javascript:alert(1)');
  const text = messages(b.page, a.username).getByTestId('message-text');
  await expect(text).toContainText('look at https://example.com/bees?x=1');
  const links = text.getByRole('link');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute('href', 'https://example.com/bees?x=1');
  await expect(links).toHaveAttribute('target', '_blank');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(text.locator('b')).toHaveCount(0);

  const box = b.page.getByLabel('Message', { exact: true });
  await box.fill('x'.repeat(TEXT_MAX_CHARS + 1));
  await expect(b.page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await expect(b.page.getByTestId('char-counter')).toHaveAttribute('data-over', 'true');
  await expect(b.page.getByTestId('char-counter')).toContainText('too long');
  await box.press('Enter');
  await expect(messages(a.page, b.username)).toHaveCount(0);
  await box.fill('x'.repeat(TEXT_MAX_CHARS));
  await expect(b.page.getByRole('button', { name: 'Send', exact: true })).toBeEnabled();
  await box.fill('');

  // A draws while B types: A sees B typing, B sees A drawing.
  await a.page.getByRole('tab', { name: /Draw/ }).click();
  await drawStroke(a.page, [[40, 40], [200, 120]]);
  await expect(b.page.getByTestId('typing')).toHaveText(`${a.username} is drawing…`);
  await box.pressSequentially('hmm');
  await expect(a.page.getByTestId('typing')).toHaveText(`${b.username} is typing…`);
  await expect(b.page.getByTestId('typing')).toHaveText(`${a.username} is drawing…`);
  await a.page.getByRole('button', { name: 'Send drawing' }).click();
  await expect(b.page.getByTestId('typing')).toHaveText('');
  await close();
});

test('a file that is not a picture shows no broken preview and offers another choice, not "Try again"', async ({ browser }) => {
  const { a, close } = await twoInARoom(browser, 'Pictures');
  await a.page.getByRole('tab', { name: /Image/ }).click();
  await a.page.getByTestId('image-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture at all') });
  const preview = a.page.getByTestId('image-preview');
  await expect(preview.getByTestId('upload-error')).toBeVisible();
  await expect(preview.locator('img')).toHaveCount(0);
  await expect(preview.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(preview.getByRole('button', { name: 'Choose another picture' })).toBeVisible();
  await expect(a.page.getByRole('button', { name: 'Send picture' })).toBeDisabled();
  await close();
});

test('the not-a-member page has a plain header, no empty counts', async ({ browser }) => {
  const [owner, stranger] = await Promise.all([person(browser, 'own'), person(browser, 'str')]);
  const room = await createRoom(owner.request, 'Private');
  await stranger.page.goto(`/app/room/${room.id}`);
  await expect(stranger.page.getByTestId('room-unavailable')).toContainText('You are not in this room');
  await expect(stranger.page.getByTestId('room-title')).toHaveText('Room unavailable');
  await expect(stranger.page.getByTestId('room-sub')).toHaveCount(0);
  await expect(stranger.page.getByText(/0 online/)).toHaveCount(0);
  await expect(stranger.page.getByTestId('members-toggle')).toHaveCount(0);
  await Promise.all([owner.context.close(), stranger.context.close()]);
});

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe finds nothing serious on any page of the gate', async ({ browser }) => {
  // Seven pages, each analysed in full.
  test.slow();
  const signedOut = await browser.newContext();
  const page = await signedOut.newPage();
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(await seriousViolations(page), 'sign-in').toEqual([]);
  await page.goto('/register');
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  expect(await seriousViolations(page), 'register').toEqual([]);

  const [a, b] = await Promise.all([person(browser, 'ann'), person(browser, 'ben')]);
  const room = await createRoom(a.request, 'Accessible');
  const other = await createRoom(a.request, 'Not yours');
  await joinRoom(b.request, room.inviteCode);
  await openRoom(b.page, room.id);
  await sendText(b.page, 'hello https://example.com');
  await b.page.waitForTimeout(1100);
  await sendText(b.page, 'second line');

  await a.page.goto('/app');
  await expect(a.page.getByText('Accessible')).toBeVisible();
  expect(await seriousViolations(a.page), 'room list').toEqual([]);
  await openRoom(a.page, room.id);
  await expect(messages(a.page, b.username)).toHaveCount(2);
  await messages(a.page, b.username).first().hover();
  expect(await seriousViolations(a.page), 'room, text').toEqual([]);
  await a.page.getByRole('tab', { name: /Draw/ }).click();
  await expect(a.page.getByTestId('drawing-canvas')).toBeVisible();
  expect(await seriousViolations(a.page), 'room, draw').toEqual([]);

  await b.page.goto(`/join/${other.inviteCode}`);
  await expect(b.page.getByTestId('invite-room-name')).toBeVisible();
  expect(await seriousViolations(b.page), 'invite').toEqual([]);
  await b.page.goto(`/app/room/${other.id}`);
  await expect(b.page.getByTestId('room-unavailable')).toBeVisible();
  expect(await seriousViolations(b.page), 'not a member').toEqual([]);
  await Promise.all([signedOut.close(), a.context.close(), b.context.close()]);
});
