import { expect, test } from '@playwright/test';
import { PASSWORD, person } from './helpers.ts';
import { linkInMail } from './mail.ts';

// A person confirms an email address from the mail, forgets the password, and sets a new one
// from the reset mail (docs/architecture.md#email-and-password-resets).

test('add and confirm an email, then reset a forgotten password from the mail', async ({ browser }) => {
  const bee = await person(browser, 'mailer');
  const { page } = bee;
  const address = `${bee.username.toLowerCase()}@example.test`;

  await page.goto('/app');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  const email = page.getByRole('region', { name: 'Email' });
  await email.getByLabel('Email address').fill(address);
  await email.getByRole('button', { name: 'Send confirmation link' }).click();
  await expect(email.getByRole('status')).toContainText('Check your inbox');
  await expect(email.getByTestId('email-status')).toContainText(`Waiting for you to open the link we sent to ${address}`);

  await page.goto(await linkInMail(address, 1));
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(page.getByRole('status')).toContainText(`${address} is now the email address of your account`);
  await page.getByRole('link', { name: 'Go to settings' }).click();
  await expect(page.getByRole('region', { name: 'Email' }).getByTestId('email-status')).toContainText(`Your address: ${address}`);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByLabel('Email').fill(address.toUpperCase());
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account has this address, a mail with a reset link is on its way.');

  await page.goto(await linkInMail(address, 2));
  await page.getByLabel('New password', { exact: true }).fill('a brand new password');
  await page.getByLabel('New password again').fill('a brand new password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('status')).toContainText('Your new password is set');
  await page.getByRole('link', { name: 'Sign in' }).click();

  await page.getByLabel('Username').fill(bee.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid username or password');
  await page.getByLabel('Password').fill('a brand new password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(bee.username);
  await bee.context.close();
});

test('change the password in settings: this browser stays signed in, another one is signed out', async ({ browser }) => {
  const bee = await person(browser, 'changer');
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto('/login');
  await otherPage.getByLabel('Username').fill(bee.username);
  await otherPage.getByLabel('Password').fill(PASSWORD);
  await otherPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(otherPage.getByTestId('current-user')).toHaveText(bee.username);

  const { page } = bee;
  await page.goto('/app/settings');
  const section = page.getByRole('region', { name: 'Password' });
  await section.getByLabel('Current password').fill('not my password');
  await section.getByLabel('New password').fill('another new password');
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('alert')).toHaveText('Your current password is wrong');
  await section.getByLabel('Current password').fill(PASSWORD);
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('status')).toContainText('Password changed');

  await page.goto('/app');
  await expect(page.getByTestId('current-user')).toHaveText(bee.username);
  await otherPage.reload();
  await expect(otherPage).toHaveURL(/\/login/);
  await bee.context.close();
  await other.close();
});
