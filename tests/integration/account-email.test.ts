import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LINK_INVALID, RESET_SENT, VERIFY_SENT } from '../../server/email/service.ts';
import {
  EMAIL_MAX,
  LINK_TRIES_PER_CLIENT_PER_HOUR,
  RESET_REQUESTS_PER_CLIENT_PER_HOUR,
  MAILS_PER_ADDRESS_PER_HOUR,
  PASSWORD_CHANGE_FAILS,
  PASSWORD_MIN,
  RESET_MAILS_PER_ACCOUNT_PER_HOUR,
  VERIFY_MAILS_PER_ACCOUNT_PER_HOUR
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { connectSocket, HttpClient, quietPeriod, registerUser, TEST_PASSWORD, type TestUser } from '../support/client.ts';
import { startTestSmtp, type CapturedMail, type TestSmtp } from '../support/smtp.ts';

// Changing a password, verifying an email address and resetting a forgotten password, with the
// mails going through a real SMTP server (docs/architecture.md#email-and-password-resets).

let smtp: TestSmtp;
// Filled in before the app starts (hooks run in order): the app mails through this test's server.
const env: Record<string, string> = {};
beforeAll(async () => {
  smtp = await startTestSmtp();
  env.SMTP_URL = smtp.url;
  env.MAIL_FROM = 'BeeBeeBee <bees@example.test>';
});
afterAll(async () => {
  await smtp.stop();
});
const ctx = useTestApp(env);

// Each test starts with fresh mail counts: the limits have tests of their own.
beforeEach(async () => {
  const keys = await ctx.app.redis.keys('bbb:mail:*');
  if (keys.length > 0) await ctx.app.redis.del(...keys);
});

let mailCounter = 0;
const freshAddress = () => `bee${process.pid % 10000}.${++mailCounter}@example.test`;
const client = () => new HttpClient(ctx.app.baseUrl);
const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

async function signIn(username: string, password: string) {
  const c = client();
  const res = await c.post('/api/auth/login', { username, password });
  return { status: res.status, client: c };
}

/** Asks for a verification mail as `user` and returns the mail that arrives. */
async function verificationMail(user: TestUser, address: string): Promise<CapturedMail> {
  const mail = smtp.nextMailTo(address);
  const res = await user.client.post('/api/email', { email: address });
  expect(res.status).toBe(202);
  expect(res.json).toEqual({ message: VERIFY_SENT });
  return mail;
}

/** A user whose address is verified through the mailed link. */
async function userWithEmail(): Promise<{ user: TestUser; address: string }> {
  const user = await registerUser(ctx.app.baseUrl);
  const address = freshAddress();
  const mail = await verificationMail(user, address);
  const verified = await client().post('/api/email/verify', { token: tokenOf(mail.link ?? '') });
  expect(verified.status).toBe(200);
  return { user, address };
}

describe('changing the password', () => {
  it('needs the current password, keeps this session and signs out every other one, sockets included', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const other = await signIn(user.username, TEST_PASSWORD);
    expect(other.status).toBe(200);
    const otherSocket = await connectSocket(ctx.app.baseUrl, other.client.cookie);
    const disconnected = new Promise<string>((resolve) => otherSocket.once('disconnect', resolve));
    const oldCookie = user.client.cookie;

    const res = await user.client.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'brand-new-pass' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: user.id, username: user.username });
    expect(user.client.cookie).not.toBe(oldCookie);

    expect(await disconnected).toBe('io server disconnect');
    expect((await user.client.get('/api/auth/me')).status).toBe(200);
    expect((await other.client.get('/api/auth/me')).status).toBe(401);
    await expect(connectSocket(ctx.app.baseUrl, other.client.cookie)).rejects.toThrow('Not authenticated');
    // This browser's socket comes back with its fresh cookie.
    expect((await connectSocket(ctx.app.baseUrl, user.client.cookie)).connected).toBe(true);
    expect((await signIn(user.username, TEST_PASSWORD)).status).toBe(401);
    expect((await signIn(user.username, 'brand-new-pass')).status).toBe(200);
  });

  it('refuses a wrong current password or a new one that breaks the rules, and changes nothing', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const wrong = await user.client.post('/api/auth/password', { currentPassword: 'not-my-password', newPassword: 'brand-new-pass' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('Your current password is wrong');
    const short = await user.client.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'p'.repeat(PASSWORD_MIN - 1) });
    expect(short.status).toBe(400);
    expect(short.json.error).toMatch(/at least/);
    expect((await user.client.get('/api/auth/me')).status).toBe(200);
    expect((await signIn(user.username, TEST_PASSWORD)).status).toBe(200);
    expect((await signIn(user.username, 'brand-new-pass')).status).toBe(401);
    expect((await client().post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'brand-new-pass' })).status).toBe(401);
  });

  it(`refuses even the right password after ${PASSWORD_CHANGE_FAILS} wrong ones`, async () => {
    const user = await registerUser(ctx.app.baseUrl);
    for (let i = 0; i < PASSWORD_CHANGE_FAILS; i++) {
      expect((await user.client.post('/api/auth/password', { currentPassword: `wrong-${i}-password`, newPassword: 'brand-new-pass' })).status).toBe(403);
    }
    const limited = await user.client.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'brand-new-pass' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await signIn(user.username, TEST_PASSWORD)).status).toBe(200);
  });
});

describe('verifying an email address', () => {
  it('mails a link that verifies the address once', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const address = freshAddress();
    expect((await user.client.get('/api/email')).json).toEqual({ enabled: true, email: null, pending: null });
    const mail = await verificationMail(user, address);
    expect(mail.subject).toBe('Confirm your email for BeeBeeBee');
    expect(mail.link).toMatch(new RegExp(`^${ctx.app.baseUrl}/verify-email\\?token=[A-Za-z0-9_-]{43}$`));
    expect((await user.client.get('/api/email')).json).toEqual({ enabled: true, email: null, pending: address });

    // Anyone holding the link may follow it: the mail may be opened on another device.
    const first = await client().post('/api/email/verify', { token: tokenOf(mail.link ?? '') });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ email: address });
    expect((await user.client.get('/api/email')).json).toEqual({ enabled: true, email: address, pending: null });

    const again = await client().post('/api/email/verify', { token: tokenOf(mail.link ?? '') });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe(LINK_INVALID);
  });

  it('keeps only the hash of the token', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const mail = await verificationMail(user, freshAddress());
    const rows = await ctx.app.sql<{ token_hash: string }>('SELECT token_hash FROM email_tokens WHERE user_id = ?', user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(tokenOf(mail.link ?? ''));
  });

  it('a newer link replaces the older one', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const older = await verificationMail(user, freshAddress());
    const newerAddress = freshAddress();
    const newer = await verificationMail(user, newerAddress);
    expect((await client().post('/api/email/verify', { token: tokenOf(older.link ?? '') })).status).toBe(400);
    expect((await client().post('/api/email/verify', { token: tokenOf(newer.link ?? '') })).json).toEqual({ email: newerAddress });
  });

  it('refuses an expired link', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const mail = await verificationMail(user, freshAddress());
    await ctx.app.sql('UPDATE email_tokens SET expires_at = ? WHERE user_id = ?', Date.now() - 1000, user.id);
    const res = await client().post('/api/email/verify', { token: tokenOf(mail.link ?? '') });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(LINK_INVALID);
    expect((await user.client.get('/api/email')).json).toEqual({ enabled: true, email: null, pending: null });
  });

  it('refuses made-up and malformed tokens', async () => {
    for (const token of ['A'.repeat(43), 'short', '', 42, null]) {
      const res = await client().post('/api/email/verify', { token });
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe('string');
    }
  });

  it('an address verified by another account stays theirs, and asking for it looks the same', async () => {
    const { user: owner, address } = await userWithEmail();
    const other = await registerUser(ctx.app.baseUrl);
    const notice = await verificationMail(other, address.toUpperCase());
    expect(notice.link).toBeNull();
    expect(notice.text).toContain('already belongs to another account');
    expect((await other.client.get('/api/email')).json).toEqual({ enabled: true, email: null, pending: null });
    expect((await owner.client.get('/api/email')).json).toMatchObject({ email: address });
  });

  it('takes addresses without case for uniqueness, and validates them', async () => {
    const user = await registerUser(ctx.app.baseUrl);
    const tooLong = `${'a'.repeat(EMAIL_MAX)}@example.test`;
    for (const email of ['not-an-email', '', tooLong, 42, ['a@b.test']]) {
      const res = await user.client.post('/api/email', { email });
      expect(res.status).toBe(400);
    }
    expect((await client().post('/api/email', { email: freshAddress() })).status).toBe(401);
    expect((await client().get('/api/email')).status).toBe(401);
    expect(await ctx.app.sql('SELECT * FROM email_tokens WHERE user_id = ?', user.id)).toEqual([]);
  });

  it(`limits verification mails to ${VERIFY_MAILS_PER_ACCOUNT_PER_HOUR} an hour per account`, async () => {
    const user = await registerUser(ctx.app.baseUrl);
    for (let i = 0; i < VERIFY_MAILS_PER_ACCOUNT_PER_HOUR; i++) await verificationMail(user, freshAddress());
    const address = freshAddress();
    const res = await user.client.post('/api/email', { email: address });
    expect(res.status).toBe(429);
    expect(res.json.error).toMatch(/Too many verification mails/);
    await quietPeriod();
    expect(smtp.mailsTo(address)).toEqual([]);
  });

  it(`limits mails to one address to ${MAILS_PER_ADDRESS_PER_HOUR} an hour, whoever asks`, async () => {
    const address = freshAddress();
    for (let i = 0; i < MAILS_PER_ADDRESS_PER_HOUR; i++) await verificationMail(await registerUser(ctx.app.baseUrl), address);
    const res = await (await registerUser(ctx.app.baseUrl)).client.post('/api/email', { email: address.toUpperCase() });
    expect(res.status).toBe(429);
    expect(res.json.error).toMatch(/Too many mails to this address/);
    // Forgot-password mails count against the same address.
    expect((await client().post('/api/email/forgot', { email: address })).status).toBe(429);
    await quietPeriod();
    expect(smtp.mailsTo(address)).toHaveLength(MAILS_PER_ADDRESS_PER_HOUR);
  });
});

describe('resetting a forgotten password', () => {
  it('mails a link to the verified address; the new password works and every session ends', async () => {
    const { user, address } = await userWithEmail();
    const socket = await connectSocket(ctx.app.baseUrl, user.cookie);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    const mailed = smtp.nextMailTo(address);
    const res = await client().post('/api/email/forgot', { email: address.toUpperCase() });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ message: RESET_SENT });
    const mail = await mailed;
    expect(mail.subject).toBe('Reset your BeeBeeBee password');
    expect(mail.link).toMatch(new RegExp(`^${ctx.app.baseUrl}/reset-password\\?token=[A-Za-z0-9_-]{43}$`));

    const reset = await client().post('/api/email/reset', { token: tokenOf(mail.link ?? ''), password: 'reset-password-1' });
    expect(reset.status).toBe(200);
    expect(await disconnected).toBe('io server disconnect');
    expect((await user.client.get('/api/auth/me')).status).toBe(401);
    expect((await signIn(user.username, TEST_PASSWORD)).status).toBe(401);
    expect((await signIn(user.username, 'reset-password-1')).status).toBe(200);

    const reuse = await client().post('/api/email/reset', { token: tokenOf(mail.link ?? ''), password: 'reset-password-2' });
    expect(reuse.status).toBe(400);
    expect(reuse.json.error).toBe(LINK_INVALID);
    expect((await signIn(user.username, 'reset-password-1')).status).toBe(200);
  });

  it('answers an unknown or unverified address exactly like a known one, and mails nothing', async () => {
    const unverifiedUser = await registerUser(ctx.app.baseUrl);
    const unverified = freshAddress();
    await verificationMail(unverifiedUser, unverified);
    const unknown = freshAddress();
    const { address: known } = await userWithEmail();

    const answers = [];
    for (const email of [unknown, unverified, known]) {
      const started = performance.now();
      const res = await client().post('/api/email/forgot', { email });
      answers.push({ status: res.status, body: res.text, ms: performance.now() - started });
    }
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`)).size).toBe(1);
    // The answer never waits for the lookup or the SMTP server.
    for (const answer of answers) expect(answer.ms).toBeLessThan(500);
    await smtp.nextMailTo(known);
    await quietPeriod();
    expect(smtp.mailsTo(unknown)).toEqual([]);
    expect(smtp.mailsTo(unverified)).toHaveLength(1); // the verification mail only
  });

  it('refuses an expired link and a password that breaks the rules, without using the link up', async () => {
    const { user, address } = await userWithEmail();
    const mailed = smtp.nextMailTo(address);
    await client().post('/api/email/forgot', { email: address });
    const token = tokenOf((await mailed).link ?? '');
    const weak = await client().post('/api/email/reset', { token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(await ctx.app.sql("SELECT user_id FROM email_tokens WHERE user_id = ? AND purpose = 'reset'", user.id)).toHaveLength(1);
    await ctx.app.sql("UPDATE email_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'reset'", Date.now() - 1, user.id);
    const expired = await client().post('/api/email/reset', { token, password: 'reset-password-1' });
    expect(expired.status).toBe(400);
    expect(expired.json.error).toBe(LINK_INVALID);
    expect((await user.client.get('/api/auth/me')).status).toBe(200);
    expect((await signIn(user.username, TEST_PASSWORD)).status).toBe(200);
  });

  it('a reset link stops working once the account verifies another address', async () => {
    const { user, address } = await userWithEmail();
    const mailed = smtp.nextMailTo(address);
    await client().post('/api/email/forgot', { email: address });
    const token = tokenOf((await mailed).link ?? '');
    const change = await verificationMail(user, freshAddress());
    expect((await client().post('/api/email/verify', { token: tokenOf(change.link ?? '') })).status).toBe(200);
    expect((await client().post('/api/email/reset', { token, password: 'reset-password-1' })).status).toBe(400);
    expect((await signIn(user.username, TEST_PASSWORD)).status).toBe(200);
  });

  it(`limits forgot-password requests per address, known or not, to ${MAILS_PER_ADDRESS_PER_HOUR} an hour`, async () => {
    const { address: known } = await userWithEmail();
    const unknown = freshAddress();
    const statuses = async (email: string) => {
      const seen = [];
      for (let i = 0; i <= MAILS_PER_ADDRESS_PER_HOUR; i++) seen.push((await client().post('/api/email/forgot', { email })).status);
      return seen;
    };
    const allowed = Array<number>(MAILS_PER_ADDRESS_PER_HOUR).fill(202);
    expect(await statuses(unknown)).toEqual([...allowed, 429]);
    // The verification mail already counted for the known address within the hour.
    expect(await statuses(known)).toEqual([...allowed.slice(1), 429, 429]);
    // The same refusal for both: the limit is the address's, not the account's.
    const [a, b] = await Promise.all([client().post('/api/email/forgot', { email: known }), client().post('/api/email/forgot', { email: unknown })]);
    expect(a.status).toBe(429);
    expect(b.status).toBe(429);
    expect(a.json.error).toBe(b.json.error);
  });

  it(`mails one account at most ${RESET_MAILS_PER_ACCOUNT_PER_HOUR} reset links an hour, over all its addresses, and the answer never changes`, async () => {
    const { user, address } = await userWithEmail();
    const clearAddressCounts = async () => {
      const keys = await ctx.app.redis.keys('bbb:mail:addr:*');
      if (keys.length > 0) await ctx.app.redis.del(...keys);
    };
    const forgot = async (email: string) => {
      const res = await client().post('/api/email/forgot', { email });
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ message: RESET_SENT });
    };
    for (let i = 0; i < RESET_MAILS_PER_ACCOUNT_PER_HOUR - 1; i++) {
      const mailed = smtp.nextMailTo(address);
      await forgot(address);
      await mailed;
    }
    // A new address starts a new count for the address, not for the account.
    const second = freshAddress();
    const change = await verificationMail(user, second);
    expect((await client().post('/api/email/verify', { token: tokenOf(change.link ?? '') })).status).toBe(200);
    await clearAddressCounts();
    const last = smtp.nextMailTo(second);
    await forgot(second);
    await last;
    await clearAddressCounts();
    await forgot(second);
    await quietPeriod(500);
    expect(smtp.mailsTo(second).filter((m) => m.subject.includes('Reset'))).toHaveLength(1);
  });

  it(`limits forgot-password requests from one client to ${RESET_REQUESTS_PER_CLIENT_PER_HOUR} an hour, over any addresses`, async () => {
    for (let i = 0; i < RESET_REQUESTS_PER_CLIENT_PER_HOUR; i++) expect((await client().post('/api/email/forgot', { email: freshAddress() })).status).toBe(202);
    const res = await client().post('/api/email/forgot', { email: freshAddress() });
    expect(res.status).toBe(429);
    expect(res.json.error).toMatch(/Too many password resets/);
  });

  it(`limits links tried from one client to ${LINK_TRIES_PER_CLIENT_PER_HOUR} an hour`, async () => {
    const { user } = await userWithEmail(); // one try
    for (let i = 1; i < LINK_TRIES_PER_CLIENT_PER_HOUR; i++) {
      expect((await client().post('/api/email/reset', { token: String(i).padStart(43, 'x'), password: 'reset-password-1' })).status).toBe(400);
    }
    const mail = await verificationMail(user, freshAddress());
    const res = await client().post('/api/email/verify', { token: tokenOf(mail.link ?? '') });
    expect(res.status).toBe(429);
    expect(res.json.error).toMatch(/Too many links tried/);
  });
});

describe('a production server without SMTP_URL', () => {
  const prod = useTestApp({ NODE_ENV: 'production' });

  it('answers that it sends no email, and changing a password still works', async () => {
    const user = await registerUser(prod.app.baseUrl);
    expect((await user.client.get('/api/email')).json).toEqual({ enabled: false, email: null, pending: null });
    for (const [path, body] of [
      ['/api/email', { email: 'someone@example.test' }],
      ['/api/email/forgot', { email: 'someone@example.test' }]
    ] as const) {
      const res = await user.client.post(path, body);
      expect(res.status).toBe(503);
      expect(res.json.error).toMatch(/does not send email/);
    }
    const changed = await user.client.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'brand-new-pass' });
    expect(changed.status).toBe(200);
  });
});

