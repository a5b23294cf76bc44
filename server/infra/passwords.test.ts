import { describe, expect, it } from 'vitest';
import { BcryptPool, hashPassword, PasswordsBusyError, verifyPassword, type PasswordLane } from './passwords.ts';

/** Work that runs until the test lets it finish. */
function task() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { done, finish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BcryptPool', () => {
  const newPool = () =>
    new BcryptPool(2, { account: { maxRunning: 2, maxWaiting: 3 }, room: { maxRunning: 1, maxWaiting: 2 } });

  it('never gives a lane more than its share, so the other lane starts at once', async () => {
    const pool = newPool();
    const work = [task(), task(), task()];
    const rooms = work.map((t) => pool.run('room', () => t.done));
    expect(pool.stats('room')).toEqual({ started: 1, running: 1, waiting: 2 });
    const signIn = task();
    const account = pool.run('account', () => signIn.done);
    expect(pool.stats('account')).toEqual({ started: 1, running: 1, waiting: 0 });
    signIn.finish();
    await account;
    for (const t of work) t.finish();
    await Promise.all(rooms);
    expect(pool.stats('room')).toEqual({ started: 3, running: 0, waiting: 0 });
  });

  it('refuses at once when a lane’s line is full, and only that lane', async () => {
    const pool = newPool();
    const held = task();
    const rooms = [0, 1, 2].map(() => pool.run('room', () => held.done));
    await expect(pool.run('room', async () => 'never')).rejects.toBeInstanceOf(PasswordsBusyError);
    expect(pool.stats('room').started).toBe(1);
    await expect(pool.run('account', async () => 'still served')).resolves.toBe('still served');
    held.finish();
    await Promise.all(rooms);
  });

  it('takes turns between lanes when both wait', async () => {
    const pool = new BcryptPool(1, { account: { maxRunning: 1, maxWaiting: 10 }, room: { maxRunning: 1, maxWaiting: 10 } });
    const order: string[] = [];
    const first = task();
    const running = pool.run('account', () => first.done);
    const queued = (['account', 'account', 'account', 'room', 'room'] as PasswordLane[]).map((lane, i) =>
      pool.run(lane, async () => {
        order.push(`${lane}${i}`);
      })
    );
    first.finish();
    await Promise.all([running, ...queued]);
    expect(order).toEqual(['account0', 'room3', 'account1', 'room4', 'account2']);
  });

  it('frees the slot when the work fails', async () => {
    const pool = new BcryptPool(1, { account: { maxRunning: 1, maxWaiting: 1 }, room: { maxRunning: 1, maxWaiting: 1 } });
    await expect(pool.run('account', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await settle();
    expect(pool.stats('account')).toMatchObject({ running: 0, waiting: 0 });
    await expect(pool.run('account', async () => 'next')).resolves.toBe('next');
  });
});

describe('hashPassword and verifyPassword', () => {
  it('round-trip through the shared pool in either lane', async () => {
    const hash = await hashPassword('correct horse', 'room');
    expect(hash).toMatch(/^\$2b\$10\$/);
    expect(await verifyPassword('correct horse', hash, 'account')).toBe(true);
    expect(await verifyPassword('wrong horse', hash, 'room')).toBe(false);
  });
});
