import { describe, expect, it } from 'vitest';
import { addressKey, waitInWords, WorkGate } from './limits.ts';

describe('addressKey', () => {
  it('keeps IPv4 addresses whole, mapped or not', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups IPv6 addresses by /64, however they are written', () => {
    const key = '2001:db8:0:7::/64';
    for (const ip of ['2001:db8:0:7::1', '2001:db8:0:7:ffff:1:2:3', '2001:0db8:0000:0007::', '2001:db8::7:0:0:0:99', '2001:DB8:0:7::1%eth0']) {
      expect(addressKey(ip)).toBe(key);
    }
    expect(addressKey('2001:db8:0:8::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('passes anything else through, bounded', () => {
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('1:2:3')).toBe('1:2:3');
    expect(addressKey('not-an-address'.repeat(10))).toHaveLength(64);
  });
});

describe('waitInWords', () => {
  it('says seconds, minutes or hours', () => {
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(60)).toBe('60 seconds');
    expect(waitInWords(91)).toBe('2 minutes');
    expect(waitInWords(3600)).toBe('60 minutes');
    expect(waitInWords(86_400)).toBe('24 hours');
  });
});

describe('WorkGate', () => {
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs one piece at a time in order, lets other events run between two, and refuses past its line', async () => {
    const gate = new WorkGate(1, 2, 'busy');
    const log: string[] = [];
    const piece = (name: string) => gate.run(async () => void log.push(`start ${name}`)).then(() => log.push(`end ${name}`));
    // An event that arrives while a works (another person's message, say) runs before b starts.
    const a = gate.run(async () => {
      log.push('start a');
      setImmediate(() => log.push('other'));
    }).then(() => log.push('end a'));
    const b = piece('b');
    const c = piece('c');
    await expect(gate.run(async () => 'd')).rejects.toMatchObject({ code: 'RATE_LIMITED', message: 'busy' });
    await Promise.all([a, b, c]);
    expect(log.slice(0, 3)).toEqual(['start a', 'end a', 'other']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c']);
    await tick();
    // Free again: the next runs at once.
    expect(await gate.run(async () => 'e')).toBe('e');
  });

  it('can rest after a piece: its result is answered at once, the next piece starts after the rest', async () => {
    const gate = new WorkGate(1, 1, 'busy');
    const started = Date.now();
    expect(await gate.run(async () => 'big', () => 150)).toBe('big');
    expect(Date.now() - started).toBeLessThan(100);
    const next = await gate.run(async () => Date.now());
    expect(next - started).toBeGreaterThanOrEqual(145);
  });

  it('frees the slot when the work fails', async () => {
    const gate = new WorkGate(1, 0, 'busy');
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await tick();
    expect(await gate.run(async () => 'ok')).toBe('ok');
  });
});
