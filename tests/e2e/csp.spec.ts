import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { drawStroke, messages, person, PASSWORD, pngBytes, sendText, uniqueName } from './helpers';

// The whole chat under the app's Content-Security-Policy: registering, making a room, opening it,
// text, a drawing, a picture, a reaction, the lightbox, the invite page and the scratch pad, with
// two people and not one policy violation. Violations are caught twice: the
// `securitypolicyviolation` event in every document (an init script) and Chromium's console.

interface Violation {
  page: string;
  directive: string;
  blocked: string;
  sample: string;
}

/** Starts recording every CSP violation (and policy header complaint) of a context's pages. */
async function watchPolicy(context: BrowserContext, who: string) {
  const violations: Violation[] = [];
  const consoleReports: string[] = [];
  await context.exposeBinding('__reportCspViolation', ({ page }, violation: Omit<Violation, 'page'>) => {
    violations.push({ page: `${who} ${page.url()}`, ...violation });
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation(v: { directive: string; blocked: string; sample: string }): void }).__reportCspViolation;
      report({ directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample });
    });
  });
  const listen = (page: Page) =>
    page.on('console', (message) => {
      if (/Content[ -]Security[ -]Policy|Permissions[ -]Policy/i.test(message.text())) consoleReports.push(`${who}: ${message.text()}`);
    });
  context.pages().forEach(listen);
  context.on('page', listen);
  return { violations, consoleReports };
}

test('the whole chat flow runs under the policy without a single violation', async ({ browser, baseURL }) => {
  // Ann arrives with nothing and registers through the form.
  const annContext = await browser.newContext();
  const ann = await watchPolicy(annContext, 'ann');
  const page = await annContext.newPage();

  const response = await page.goto('/register');
  expect(response?.status()).toBe(200);
  const header = response?.headers()['content-security-policy'] ?? '';
  // The page carries its policy as a header, with a hash for the start-up script and no inline
  // script otherwise; the <meta> the build wrote says the same except frame-ancestors.
  expect(header).toMatch(/(^|; )script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
  expect(header).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(header).toContain("object-src 'none'");
  expect(header).toContain("base-uri 'self'");
  expect(header).toContain("frame-ancestors 'none'");
  const meta = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
  expect(`${meta}; frame-ancestors 'none'`).toBe(header);
  expect(response?.headers()['permissions-policy']).toContain('camera=()');

  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  const annName = uniqueName('ann');
  await page.getByLabel('Username').fill(annName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/app$/);

  // A room, made through the dialog; it opens straight away, connected.
  await page.getByTestId('rooms-empty').getByRole('button', { name: 'Create a room' }).click();
  const dialog = page.getByTestId('create-room-dialog');
  await dialog.getByLabel('Room name').fill('Policy check');
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/app\/room\//);
  await expect(page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');

  // The invite dialog gives the link Ben opens.
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  const link = await page.getByRole('dialog').getByTestId('invite-link').inputValue();
  expect(link).toMatch(new RegExp(`^${baseURL}/join/`));
  await page.keyboard.press('Escape');

  const ben = await person(browser, 'ben');
  const benPolicy = await watchPolicy(ben.context, 'ben');
  await ben.page.goto(link);
  await expect(ben.page.getByTestId('invite-room-name')).toContainText('Policy check');
  await ben.page.getByRole('button', { name: 'Join room' }).click();
  await expect(ben.page).toHaveURL(/\/app\/room\//);
  await expect(ben.page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');

  // Text.
  await sendText(page, 'Hello under a strict policy 🐝 👨‍👩‍👧');
  await expect(messages(ben.page, annName).getByTestId('message-text')).toHaveText('Hello under a strict policy 🐝 👨‍👩‍👧');

  // A drawing (canvas, stamps of the editor, the drawing view in both feeds).
  await page.getByRole('tab', { name: /Draw/ }).click();
  await expect(page.getByTestId('drawing-canvas')).toBeVisible();
  await page.waitForTimeout(1100); // one message a second
  await drawStroke(page, [[40, 40], [200, 150], [380, 60]]);
  await page.getByRole('button', { name: 'Send drawing' }).click();
  await expect(messages(ben.page, annName).getByTestId('drawing-view')).toBeVisible();

  // A picture: previewed from a blob: URL, uploaded, shown from /uploads, opened in the lightbox.
  await page.getByRole('tab', { name: /Image/ }).click();
  await page.getByTestId('image-input').setInputFiles({ name: 'sun.png', mimeType: 'image/png', buffer: pngBytes(60, 40, [255, 190, 40]) });
  await expect(page.getByTestId('image-preview').locator('img')).toBeVisible();
  await expect(page.getByTestId('image-preview')).toContainText('Ready to send');
  await page.waitForTimeout(1100);
  await page.getByRole('button', { name: 'Send picture' }).click();
  const picture = messages(ben.page, annName).getByTestId('message-image');
  await expect(picture.locator('img')).toBeVisible();
  await expect.poll(() => picture.locator('img').evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(60);
  await picture.click();
  await expect(ben.page.getByTestId('lightbox').locator('img')).toBeVisible();
  await ben.page.keyboard.press('Escape');

  // A reaction from Ben, seen by Ann.
  const text = messages(ben.page, annName).filter({ has: ben.page.getByTestId('message-text') });
  await text.hover();
  await text.getByRole('button', { name: 'Add a reaction' }).click();
  await text.getByRole('button', { name: 'React with heart' }).click();
  await expect(messages(page, annName).locator('[data-testid=reaction][data-emoji=heart]').getByTestId('reaction-count')).toHaveText('1');

  // Reloading the room (a full page load again) and the rooms list.
  await page.reload();
  await expect(page.getByTestId('feed')).toHaveAttribute('data-loaded', 'true');
  await expect(messages(page, annName)).toHaveCount(3);
  await page.goto('/app');
  await expect(page.getByTestId('room-card')).toHaveCount(1);

  // The scratch pad: stamps, text on the canvas, and its export and replay.
  await page.goto('/app/draw');
  await expect(page.getByTestId('drawing-canvas')).toBeVisible();
  const tools = page.getByRole('toolbar', { name: 'Drawing tools' });
  await tools.getByRole('button', { name: 'Stamps', exact: true }).click();
  await page.getByRole('group', { name: 'Choose a stamp' }).getByRole('button', { name: 'Star', exact: true }).click();
  await page.getByTestId('drawing-canvas').click({ position: { x: 60, y: 40 } });
  await tools.getByRole('button', { name: 'Pen', exact: true }).click();
  await drawStroke(page, [[300, 50], [420, 150]]);
  await page.getByRole('button', { name: 'Export and replay', exact: true }).click();
  await expect(page.getByTestId('export-facts')).toContainText('passes the contract');

  expect(ann.violations).toEqual([]);
  expect(benPolicy.violations).toEqual([]);
  expect(ann.consoleReports).toEqual([]);
  expect(benPolicy.consoleReports).toEqual([]);

  // The watch itself works, and the policy is enforced: an injected inline script does not run
  // and is reported both ways, on either person's page.
  for (const [who, watched, target] of [
    ['ann', ann, page],
    ['ben', benPolicy, ben.page]
  ] as const) {
    const ran = await target.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran, who).toBe(false);
    await expect.poll(() => watched.violations.map((v) => v.directive), { message: who }).toContain('script-src-elem');
    await expect.poll(() => watched.consoleReports.length, { message: who }).toBeGreaterThan(0);
  }

  await ben.context.close();
  await annContext.close();
});
