import { expect, test } from '@playwright/test';
import { signSession } from '../../server/auth/session.ts';
import { createRoom, openRoom, person } from './helpers';

// The e2e server signs sessions with this secret (tests/e2e/serve.ts).
const E2E_SECRET = 'e2e-secret';

test('an open room page tells the user when their session expires', async ({ browser, baseURL }) => {
  const eve = await person(browser, 'eve');
  const room = await createRoom(eve.request, 'Expiring');
  // The same user, now with a token that runs out in a few seconds (a new account's token
  // version is 0): long enough for the room to open on a busy test machine.
  const lifeSeconds = 12;
  await eve.context.clearCookies();
  await eve.context.addCookies([{ name: 'token', value: signSession(E2E_SECRET, { id: eve.id, token_version: 0 }, lifeSeconds), url: baseURL! }]);

  await openRoom(eve.page, room.id);
  await expect(eve.page.getByTestId('connection-banner')).toHaveCount(0);

  const banner = eve.page.getByTestId('connection-banner');
  await expect(banner).toContainText('Disconnected: Your session has expired.', { timeout: (lifeSeconds + 10) * 1000 });
  await expect(banner.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', '/login');
  // It stays that way: the one retry is refused by the handshake, and nothing says "reconnecting".
  await eve.page.waitForTimeout(2000);
  await expect(banner).toContainText('Your session has expired');
  await expect(banner).not.toContainText('Reconnecting');
  await eve.context.close();
});
