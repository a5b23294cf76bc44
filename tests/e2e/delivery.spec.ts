import { expect, test, type Response } from '@playwright/test';
import { IMMUTABLE_CACHE, REVALIDATE_CACHE } from '../../server/infra/delivery.ts';
import { USERNAME_MIN } from '../../src/lib/protocol/limits.ts';

// The real build as Chromium receives it from the compiled server (docs/architecture.md#delivery):
// every script and stylesheet the build compressed arrives as brotli and may be kept for a year,
// the page is revalidated, and the sign-in page, which carries no validation code, still tells a
// person what is wrong with their choice, in the server's words.

test('the sign-in page arrives compressed, its files cached for good and the page revalidated', async ({ page }) => {
  const responses: Response[] = [];
  page.on('response', (response) => void responses.push(response));
  const pageResponse = await page.goto('/login', { waitUntil: 'networkidle' });
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  expect(pageResponse?.headers()['content-encoding']).toBe('br');
  expect(pageResponse?.headers()['cache-control']).toBe(REVALIDATE_CACHE);

  const assets = responses.filter((r) => ['script', 'stylesheet'].includes(r.request().resourceType()));
  expect(assets.length).toBeGreaterThan(3);
  for (const asset of assets) {
    const url = new URL(asset.url()).pathname;
    const headers = asset.headers();
    expect(url, url).toMatch(/^\/_app\/immutable\//);
    expect(headers['cache-control'], url).toBe(IMMUTABLE_CACHE);
    const sizes = await asset.request().sizes();
    const body = await asset.body();
    // A file the build could shrink arrives as brotli, smaller than what the browser ran.
    if (headers['content-encoding']) {
      expect(headers['content-encoding'], url).toBe('br');
      expect(headers.vary ?? '', url).toMatch(/accept-encoding/i);
      expect(sizes.responseBodySize, url).toBeLessThan(body.length);
    } else {
      // Only a file too small for compression to help goes out as it is.
      expect(body.length, url).toBeLessThan(200);
    }
  }
});

test('a refused sign-up shows the server’s reason on the page', async ({ page }) => {
  await page.goto('/register');
  await page.getByLabel('Username').fill('ab');
  await page.getByLabel('Password').fill('long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toHaveText(`Username must be at least ${USERNAME_MIN} characters`);
  await expect(page).toHaveURL(/\/register$/);
});
