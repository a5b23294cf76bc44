import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bcryptPool } from '../../server/infra/passwords.ts';
import { AUTH_LIMIT_PREFIXES } from '../../server/infra/keys.ts';
import {
  REGISTRATIONS_PER_ADDRESS_PER_HOUR,
  SIGN_IN_DAILY_FACTOR,
  SIGN_IN_FAILS_PER_USERNAME,
  SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS,
  SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS,
  SIGN_IN_USERNAME_WINDOW_SECONDS
} from '../../src/lib/protocol/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { HttpClient } from '../support/client.ts';
import { captureErrorLog } from '../support/logs.ts';
import { startTestRedis } from '../support/redis.ts';

// Sign-in and registration limits over real HTTP. Behind a proxy (TRUST_PROXY=loopback) each
// X-Forwarded-For value is a different client address; without TRUST_PROXY the header is ignored.

const PER_MINUTE = 3;
const PASSWORD = 'password123';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
/** AUTH_RATE_LIMIT=3 behind a trusted proxy. */
let proxied: TestApp;
/** AUTH_RATE_LIMIT=3, TRUST_PROXY unset. */
let direct: TestApp;
/** AUTH_RATE_LIMIT=50 behind a trusted proxy: the per-minute limit stays out of the way of the per-name ones. */
let roomy: TestApp;

beforeAll(async () => {
  redis = await startTestRedis();
  [proxied, direct, roomy] = await Promise.all([
    startTestApp(redis.url, { AUTH_RATE_LIMIT: String(PER_MINUTE), TRUST_PROXY: 'loopback' }),
    startTestApp(redis.url, { AUTH_RATE_LIMIT: String(PER_MINUTE) }),
    startTestApp(redis.url, { AUTH_RATE_LIMIT: '50', TRUST_PROXY: 'loopback' })
  ]);
});
afterAll(async () => {
  await Promise.all([proxied?.close(), direct?.close(), roomy?.close()]);
  await redis?.stop();
});

/** Deletes the counts under the given prefixes: as if their windows had passed. */
async function forget(...prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) {
    const keys = await proxied.redis.keys(`${prefix}:*`);
    if (keys.length > 0) await proxied.redis.del(...keys);
  }
}
// The apps share one Redis: every test starts with no counts.
beforeEach(() => forget(...Object.values(AUTH_LIMIT_PREFIXES)));

let counter = 0;
const freshName = () => `lim_${process.pid % 10000}_${++counter}`;

const from = (address: string) => ({ 'x-forwarded-for': address });
const signIn = (app: TestApp, username: string, password: string, address?: string) =>
  new HttpClient(app.baseUrl).post('/api/auth/login', { username, password }, address ? from(address) : {});
const register = (app: TestApp, username: string, address?: string, password = PASSWORD) =>
  new HttpClient(app.baseUrl).post('/api/auth/register', { username, password }, address ? from(address) : {});

/** A registered account; registered from its own address so it costs no other address anything. */
async function account(app: TestApp): Promise<string> {
  const username = freshName();
  const res = await register(app, username, `198.51.100.${counter % 250}`);
  expect(res.status).toBe(201);
  await forget(AUTH_LIMIT_PREFIXES.registrations);
  return username;
}

const accountChecks = () => bcryptPool.stats('account').started;
const userCount = async (app: TestApp) => Number((await app.sql<{ n: number }>('SELECT COUNT(*) AS n FROM users'))[0].n);

type Answer = Awaited<ReturnType<HttpClient['post']>>;
function expectTooMany(res: Answer, message: RegExp, maxSeconds: number, minSeconds = 1): number {
  expect(res.status).toBe(429);
  expect(res.json.error).toMatch(message);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(minSeconds);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(res.headers.get('set-cookie')).toBeNull();
  return retryAfter;
}
const SIGN_IN_REFUSED = /^Too many failed sign-in attempts\. Try again in \d+ (seconds?|minutes|hours)\.$/;

describe('wrong passwords per address', () => {
  it(`refuses the ${PER_MINUTE + 1}th wrong password in a minute from one address, without a bcrypt run, and nobody else`, async () => {
    const victim = await account(proxied);
    const bystander = await account(proxied);
    for (let i = 0; i < PER_MINUTE; i++) expect((await signIn(proxied, victim, 'wrong-password', '10.0.0.1')).status).toBe(401);

    const checks = accountChecks();
    const refused = await signIn(proxied, victim, 'wrong-password', '10.0.0.1');
    const seconds = expectTooMany(refused, SIGN_IN_REFUSED, 60);
    expect(refused.json.error).toContain(`${seconds} second`);
    // The limit is the address's, whatever name it tries next, right password or not.
    expectTooMany(await signIn(proxied, bystander, PASSWORD, '10.0.0.1'), SIGN_IN_REFUSED, 60);
    expect(accountChecks()).toBe(checks);

    // Other addresses are untouched: the targeted user and anyone else sign in.
    const victimSignsIn = await signIn(proxied, victim, PASSWORD, '10.0.0.2');
    expect(victimSignsIn.status).toBe(200);
    expect(victimSignsIn.json.username).toBe(victim);
    expect((await signIn(proxied, bystander, PASSWORD, '10.0.0.3')).status).toBe(200);
    // And may still get a password wrong without being refused.
    expect((await signIn(proxied, bystander, 'wrong-password', '10.0.0.3')).status).toBe(401);
  });

  it('counts nothing for a malformed body', async () => {
    const user = await account(proxied);
    const c = new HttpClient(proxied.baseUrl);
    const junk: unknown[] = [{}, { username: user }, { password: PASSWORD }, { username: '', password: 'x' }, { username: 1, password: 2 }, [user, PASSWORD]];
    for (let round = 0; round < 4; round++) {
      for (const body of junk) expect((await c.post('/api/auth/login', body, from('10.0.1.1'))).status).toBe(400);
      const notJson = await c.request('POST', '/api/auth/login', '{"username":', { 'content-type': 'application/json', ...from('10.0.1.1') });
      expect(notJson.status).toBe(400);
    }
    // Had any of those 28 counted, the first wrong password would already be refused.
    for (let i = 0; i < PER_MINUTE; i++) expect((await signIn(proxied, user, 'wrong-password', '10.0.1.1')).status).toBe(401);
    expectTooMany(await signIn(proxied, user, 'wrong-password', '10.0.1.1'), SIGN_IN_REFUSED, 60);
  });

  it('counts nothing for a right password', async () => {
    const user = await account(proxied);
    for (let i = 0; i < PER_MINUTE * 4; i++) expect((await signIn(proxied, user, PASSWORD, '10.0.2.1')).status).toBe(200);
    for (let i = 0; i < PER_MINUTE; i++) expect((await signIn(proxied, user, 'wrong-password', '10.0.2.1')).status).toBe(401);
    expectTooMany(await signIn(proxied, user, 'wrong-password', '10.0.2.1'), SIGN_IN_REFUSED, 60);
  });

  it('lets only the allowed number of a parallel burst reach bcrypt', async () => {
    const victim = await account(proxied);
    const bystander = await account(proxied);
    const checks = accountChecks();
    const [burst, meanwhile] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => signIn(proxied, victim, 'wrong-password', '10.0.3.1'))),
      signIn(proxied, bystander, PASSWORD, '10.0.3.2')
    ]);
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - PER_MINUTE);
    for (const res of burst.filter((r) => r.status === 429)) expectTooMany(res, SIGN_IN_REFUSED, 60);
    // The three judged guesses and the bystander's sign-in: nothing else cost a bcrypt run.
    expect(accountChecks() - checks).toBe(PER_MINUTE + 1);
    expect(meanwhile.status).toBe(200);
  });

  it(`allows ${SIGN_IN_DAILY_FACTOR} times AUTH_RATE_LIMIT wrong passwords a day`, async () => {
    const daily = PER_MINUTE * SIGN_IN_DAILY_FACTOR;
    for (let i = 0; i < daily; i++) {
      // Unknown names, one each, so only the per-address counts grow.
      expect((await signIn(proxied, `nobody_${i}`, 'wrong-password', '10.0.4.1')).status).toBe(401);
      if ((i + 1) % PER_MINUTE === 0) await forget(AUTH_LIMIT_PREFIXES.addressMinute);
    }
    const refused = await signIn(proxied, 'nobody_else', 'wrong-password', '10.0.4.1');
    expectTooMany(refused, /Try again in \d+ (hours|minutes)\.$/, 24 * 60 * 60, 60 * 60);
    expect((await signIn(proxied, 'nobody_else', 'wrong-password', '10.0.4.2')).status).toBe(401);
  });

  it('counts an IPv6 client per /64 block', async () => {
    for (let i = 1; i <= PER_MINUTE; i++) expect((await signIn(proxied, 'nobody', 'wrong-password', `2001:db8:0:7::${i}`)).status).toBe(401);
    expectTooMany(await signIn(proxied, 'nobody', 'wrong-password', '2001:db8::7:0:0:0:99'), SIGN_IN_REFUSED, 60);
    expect((await signIn(proxied, 'nobody', 'wrong-password', '2001:db8:0:8::1')).status).toBe(401);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    for (let i = 1; i <= PER_MINUTE; i++) expect((await signIn(direct, 'nobody', 'wrong-password', `10.1.0.${i}`)).status).toBe(401);
    // A new forged address buys nothing: every request comes from 127.0.0.1.
    expectTooMany(await signIn(direct, 'nobody', 'wrong-password', '10.1.0.99'), SIGN_IN_REFUSED, 60);
  });
});

describe('wrong passwords per username', () => {
  it(`stops a name and address pair after ${SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS} wrong passwords in a row`, async () => {
    const victim = await account(roomy);
    const attacker = await account(roomy);
    for (let i = 0; i < SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS; i++) {
      expect((await signIn(roomy, victim, 'wrong-password', '10.2.0.1')).status).toBe(401);
    }
    const checks = accountChecks();
    const refused = await signIn(roomy, victim, 'wrong-password', '10.2.0.1');
    expectTooMany(refused, /^Too many failed sign-in attempts\. Try again in \d+ minutes\.$/, SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS, 61);
    // Even the right password, from that address, for that name.
    expectTooMany(await signIn(roomy, victim, PASSWORD, '10.2.0.1'), SIGN_IN_REFUSED, SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS);
    expect(accountChecks()).toBe(checks);
    // The address may sign in to other names, and the victim from anywhere else.
    expect((await signIn(roomy, attacker, PASSWORD, '10.2.0.1')).status).toBe(200);
    expect((await signIn(roomy, victim, PASSWORD, '10.2.0.2')).status).toBe(200);
  });

  it('starts counting again after a right password', async () => {
    const user = await account(roomy);
    for (let i = 0; i < SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS - 1; i++) expect((await signIn(roomy, user, 'wrong', '10.2.1.1')).status).toBe(401);
    expect((await signIn(roomy, user, PASSWORD, '10.2.1.1')).status).toBe(200);
    for (let i = 0; i < SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS; i++) expect((await signIn(roomy, user, 'wrong', '10.2.1.1')).status).toBe(401);
    expectTooMany(await signIn(roomy, user, 'wrong', '10.2.1.1'), SIGN_IN_REFUSED, SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS);
  });

  it('slows a flood against one name from many addresses, but never turns away a first try', async () => {
    const victim = await account(roomy);
    const addresses = Array.from({ length: SIGN_IN_FAILS_PER_USERNAME + 5 }, (_, i) => `10.3.${Math.floor(i / 200)}.${(i % 200) + 1}`);
    // Every address's first guess is judged, even past the name's limit.
    for (const address of addresses) expect((await signIn(roomy, victim, 'wrong-password', address)).status).toBe(401);
    // Second guesses are refused without a bcrypt run.
    const checks = accountChecks();
    for (const address of addresses) {
      expectTooMany(await signIn(roomy, victim, 'wrong-password', address), SIGN_IN_REFUSED, SIGN_IN_USERNAME_WINDOW_SECONDS);
    }
    expect(accountChecks()).toBe(checks);
    // The owner, from an address that has not failed, signs in in the middle of it.
    expect((await signIn(roomy, victim, PASSWORD, '10.4.0.1')).status).toBe(200);
    // A new address gets its one guess, then waits like the rest.
    expect((await signIn(roomy, victim, 'wrong-password', '10.4.0.2')).status).toBe(401);
    expectTooMany(await signIn(roomy, victim, 'wrong-password', '10.4.0.2'), SIGN_IN_REFUSED, SIGN_IN_USERNAME_WINDOW_SECONDS);
    // Other names are not affected by the flood.
    const other = await account(roomy);
    expect((await signIn(roomy, other, 'wrong-password', addresses[0])).status).toBe(401);
    expect((await signIn(roomy, other, PASSWORD, addresses[0])).status).toBe(200);
  });
});

describe('registration', () => {
  const REGISTER_REFUSED = /^Too many new accounts from this address\. Try again in \d+ (minutes|seconds?)\.$/;

  it(`allows ${REGISTRATIONS_PER_ADDRESS_PER_HOUR} new accounts an hour per address`, async () => {
    for (let i = 0; i < REGISTRATIONS_PER_ADDRESS_PER_HOUR; i++) expect((await register(proxied, freshName(), '10.5.0.1')).status).toBe(201);
    const before = await userCount(proxied);
    const checks = accountChecks();
    expectTooMany(await register(proxied, freshName(), '10.5.0.1'), REGISTER_REFUSED, 60 * 60);
    expect(await userCount(proxied)).toBe(before);
    expect(accountChecks()).toBe(checks);
    // Sign-in from that address is a different matter, and other addresses register.
    const other = freshName();
    expect((await register(proxied, other, '10.5.0.2')).status).toBe(201);
    expect((await signIn(proxied, other, PASSWORD, '10.5.0.1')).status).toBe(200);
  });

  it('counts nothing for a body that fails validation', async () => {
    for (let i = 0; i < REGISTRATIONS_PER_ADDRESS_PER_HOUR * 2; i++) {
      expect((await register(proxied, 'x', '10.5.1.1')).status).toBe(400);
      expect((await register(proxied, freshName(), '10.5.1.1', 'short')).status).toBe(400);
    }
    for (let i = 0; i < REGISTRATIONS_PER_ADDRESS_PER_HOUR; i++) expect((await register(proxied, freshName(), '10.5.1.1')).status).toBe(201);
    expectTooMany(await register(proxied, freshName(), '10.5.1.1'), REGISTER_REFUSED, 60 * 60);
  });
});

describe('AUTH_RATE_LIMIT=0', () => {
  it('turns the limits off', async () => {
    const open = await startTestApp(redis.url, { AUTH_RATE_LIMIT: '0', TRUST_PROXY: 'loopback' });
    try {
      const username = freshName();
      for (let i = 0; i < REGISTRATIONS_PER_ADDRESS_PER_HOUR + 1; i++) expect((await register(open, i === 0 ? username : freshName(), '10.6.0.1')).status).toBe(201);
      for (let i = 0; i < SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS + 1; i++) expect((await signIn(open, username, 'wrong', '10.6.0.1')).status).toBe(401);
      expect((await signIn(open, username, PASSWORD, '10.6.0.1')).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('while Redis is away', () => {
  it('lets attempts through rather than refusing everyone', async () => {
    const ownRedis = await startTestRedis();
    const app = await startTestApp(ownRedis.url, { AUTH_RATE_LIMIT: String(PER_MINUTE) });
    const errorLog = captureErrorLog();
    try {
      const username = freshName();
      expect((await register(app, username)).status).toBe(201);
      const exited = new Promise((resolve) => ownRedis.child.once('exit', resolve));
      ownRedis.child.kill('SIGKILL');
      await exited;
      for (let i = 0; i < PER_MINUTE + 2; i++) {
        const res = await signIn(app, username, 'wrong-password');
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ error: 'Invalid username or password' });
      }
      expect((await signIn(app, username, PASSWORD)).status).toBe(200);
      expect((await register(app, freshName())).status).toBe(201);
      // The operator is told Redis is gone.
      expect(errorLog.lines.some((line) => /^\[redis:test\] .*ECONNREFUSED/.test(line))).toBe(true);
    } finally {
      await app.close();
      await ownRedis.stop();
      errorLog.restore();
    }
  });
});
