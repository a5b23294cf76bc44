import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CANVAS_HEIGHT, CANVAS_WIDTH, packPoints, SOCKET_MAX_FRAME_BYTES, TEXT_MAX_CHARS } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import {
  request,
  closeAllSockets,
  connectSocket,
  createRoom,
  createUsers,
  eventually,
  quietPeriod,
  record,
  requestRaw,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';

const ctx = useTestApp();

// Bad input on every client event: refused with VALIDATION_ERROR (as the error event and the
// acknowledgement), nothing stored, and the very next good event is still answered. Non-members
// get NOT_MEMBER on every event. Oversized frames are cut off without hurting the server.

let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let outsider: TestUser;
let roomId: string;
let messageId: string;
let socket: ClientSocket;

beforeAll(async () => {
  [alice, bob, carol, outsider] = await createUsers(ctx.app.baseUrl, 4);
  roomId = (await createRoom(alice, [bob, carol])).id;
  const bobSocket = await connectSocket(ctx.app.baseUrl, bob.cookie);
  const sent = await request(bobSocket, 'message:send', { roomId, type: 'text', content: 'react here' });
  if (!sent.ok) throw new Error('setup send failed');
  messageId = sent.data.id;
  bobSocket.disconnect();
});
afterEach(() => closeAllSockets());

/** Everything the events could have changed in Redis for the room. */
async function snapshot() {
  return {
    ids: await ctx.app.redis.lrange(`bbb:room:${roomId}:msglist`, 0, -1),
    message: await ctx.app.redis.get(`bbb:msg:${messageId}`),
    typing: await ctx.app.redis.hgetall(`bbb:room:${roomId}:typing`),
    online: await ctx.app.redis.smembers(`bbb:room:${roomId}:online`)
  };
}

const huge = 'x'.repeat(300_000);
const protoPayload = (good: Record<string, unknown>) =>
  JSON.parse(`{${[...Object.entries(good).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`), '"__proto__":{"isAdmin":true}'].join(',')}}`);

/** Payloads wrong in general, and per field of the good payload. */
function badPayloads(good: Record<string, unknown>): [string, unknown[]][] {
  const cases: [string, unknown[]][] = [
    ['no payload', []],
    ['null', [null]],
    ['a number', [42]],
    ['a string', [JSON.stringify(good)]],
    ['true', [true]],
    ['an array', [[good]]],
    ...(Object.keys(good).length > 0 ? [['an empty object', [{}]] as [string, unknown[]]] : []),
    ['an extra key', [{ ...good, admin: true }]],
    ['a __proto__ key', [protoPayload(good)]],
    ['a constructor key', [{ ...good, constructor: { prototype: { polluted: true } } }]],
    ['two payloads', [good, good]]
  ];
  for (const key of Object.keys(good)) {
    const { [key]: _dropped, ...missing } = good;
    cases.push(
      [`${key} missing`, [missing]],
      [`${key} null`, [{ ...good, [key]: null }]],
      [`${key} a number`, [{ ...good, [key]: 12345 }]],
      [`${key} an array`, [{ ...good, [key]: [good[key]] }]],
      [`${key} an object`, [{ ...good, [key]: { value: good[key] } }]],
      [`${key} huge`, [{ ...good, [key]: huge }]]
    );
  }
  return cases;
}

/** Every client event: a good payload, and how a good event is answered right after bad ones. */
const events = (): { event: string; good: () => Record<string, unknown>; answered: (s: ClientSocket) => Promise<void> }[] => {
  const ok = (event: string, payload: unknown) => async (s: ClientSocket) => {
    expect(await requestRaw(s, event, payload), event).toMatchObject({ ok: true });
  };
  return [
    { event: 'room:join', good: () => ({ roomId }), answered: (s) => ok('room:join', { roomId })(s) },
    { event: 'room:leave', good: () => ({ roomId }), answered: (s) => ok('room:leave', { roomId })(s) },
    { event: 'room:history-older', good: () => ({ roomId, beforeId: messageId }), answered: (s) => ok('room:history-older', { roomId, beforeId: messageId })(s) },
    { event: 'message:send', good: () => ({ roomId, type: 'text', content: 'hello' }), answered: (s) => ok('message:send', { roomId, type: 'text', content: 'hello' })(s) },
    {
      event: 'message:delete',
      good: () => ({ roomId, messageId }),
      // The message is bob's and the socket the owner's (who may delete anyone's): a real answer,
      // asked by carol so the message stays for the events after this one.
      answered: async () => {
        const asCarol = await connectSocket(ctx.app.baseUrl, carol.cookie);
        expect(await requestRaw(asCarol, 'message:delete', { roomId, messageId })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      }
    },
    { event: 'reaction:add', good: () => ({ roomId, messageId, emoji: 'heart' }), answered: (s) => ok('reaction:add', { roomId, messageId, emoji: 'heart' })(s) },
    { event: 'reaction:remove', good: () => ({ roomId, messageId, emoji: 'heart' }), answered: (s) => ok('reaction:remove', { roomId, messageId, emoji: 'heart' })(s) },
    { event: 'typing:start', good: () => ({ roomId }), answered: (s) => ok('typing:start', { roomId })(s) },
    { event: 'typing:stop', good: () => ({ roomId }), answered: (s) => ok('typing:stop', { roomId })(s) },
    { event: 'rooms:activity', good: () => ({}), answered: (s) => ok('rooms:activity', {})(s) },
    { event: 'room:read', good: () => ({ roomId }), answered: (s) => ok('room:read', { roomId })(s) }
  ];
};

describe('bad payloads on every event', () => {
  for (const { event, good, answered } of events()) {
    it(`${event}: VALIDATION_ERROR, nothing stored, the next good event answered`, async () => {
      socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
      const errors = record(socket, 'error');
      const before = await snapshot();
      const cases = badPayloads(good());
      for (const [what, args] of cases) {
        const ack = await requestRaw(socket, event, ...args);
        expect(ack, what).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', event } });
        if (!ack.ok) expect(ack.error.message.length, what).toBeGreaterThan(0);
      }
      expect(errors).toHaveLength(cases.length);
      expect(errors.every((e) => e.code === 'VALIDATION_ERROR')).toBe(true);
      expect(await snapshot()).toEqual(before);
      expect(Object.prototype).not.toHaveProperty('isAdmin');
      await answered(socket);
    });
  }

  it('an event sent without any acknowledgement still gets the error event', async () => {
    socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    const errors = record(socket, 'error');
    socket.emit('typing:start', null as never);
    const ack = await requestRaw(socket, 'room:join', { roomId });
    expect(ack.ok).toBe(true);
    expect(errors).toEqual([{ code: 'VALIDATION_ERROR', message: expect.any(String), event: 'typing:start' }]);
  });

  it('message:send: content that breaks the rules of its type', async () => {
    socket = await connectSocket(ctx.app.baseUrl, carol.cookie);
    const before = await snapshot();
    const drawing = { width: CANVAS_WIDTH, height: CANVAS_HEIGHT, operations: [] as unknown[] };
    const twoPoints = [{ x: 1, y: 1, pressure: 1 }, { x: 2, y: 2, pressure: 1 }];
    const stroke = { type: 'stroke', points: packPoints(twoPoints), color: '#000000', size: 4, eraser: false };
    const withPoints = (points: unknown) => ({ roomId, type: 'drawing', content: { ...drawing, operations: [{ ...stroke, points }] } });
    const contents: [string, unknown][] = [
      ['an unknown type', { roomId, type: 'video', content: 'x' }],
      ['empty text', { roomId, type: 'text', content: '' }],
      ['only spaces', { roomId, type: 'text', content: '   \n\t ' }],
      ['text one over the limit', { roomId, type: 'text', content: 'a'.repeat(TEXT_MAX_CHARS + 1) }],
      ['text as an object', { roomId, type: 'text', content: { text: 'hi' } }],
      ['a drawing as a string', { roomId, type: 'drawing', content: 'drawing' }],
      ['a drawing of the wrong size', { roomId, type: 'drawing', content: { ...drawing, width: CANVAS_WIDTH + 1 } }],
      ['an unknown operation', { roomId, type: 'drawing', content: { ...drawing, operations: [{ type: 'script', code: 'x' }] } }],
      ['a colour off the palette', { roomId, type: 'drawing', content: { ...drawing, operations: [{ ...stroke, color: '#123456' }] } }],
      ['an unknown stamp', { roomId, type: 'drawing', content: { ...drawing, operations: [{ type: 'stamp', x: 1, y: 1, stampId: 'nope', size: 4, color: '#000000' }] } }],
      ['coordinates far off the canvas', withPoints(packPoints([{ x: 800, y: 1, pressure: 1 }, { x: 1, y: 1, pressure: 1 }]))],
      ['points spelled out, as before packing', withPoints(twoPoints)],
      ['points that are not base64', withPoints(`${stroke.points.slice(0, -1)}*`)],
      ['points cut short', withPoints(stroke.points.slice(0, -2))],
      ['a brush size not in the set', { roomId, type: 'drawing', content: { ...drawing, operations: [{ ...stroke, size: 3 }] } }],
      ['too many operations', { roomId, type: 'drawing', content: { ...drawing, operations: Array.from({ length: 1001 }, () => ({ type: 'clear' })) } }],
      ['an image that is not an upload URL', { roomId, type: 'image', content: 'javascript:alert(1)' }]
    ];
    for (const [what, payload] of contents) {
      const ack = await requestRaw(socket, 'message:send', payload);
      expect(ack, what).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', event: 'message:send' } });
    }
    expect(await snapshot()).toEqual(before);
    // Refused input did not spend the user's message of this second.
    const good = await request(socket, 'message:send', { roomId, type: 'text', content: 'finally' });
    expect(good).toMatchObject({ ok: true, data: { content: 'finally' } });
  });

  it('message:send: text that hides or garbles what it says is refused in words, and nothing is stored', async () => {
    socket = await connectSocket(ctx.app.baseUrl, carol.cookie);
    const observer = await connectSocket(ctx.app.baseUrl, bob.cookie);
    expect(await requestRaw(observer, 'room:join', { roomId })).toMatchObject({ ok: true });
    const delivered = record(observer, 'message:new');
    const errors = record(socket, 'error');
    // Let the previous test's good message leave carol's one-a-second budget behind.
    await quietPeriod(1100);
    const before = await snapshot();
    const refused: [string, string, string][] = [
      ['NUL', 'hello\u0000world', 'Text may not contain control characters (found U+0000); only line breaks and tabs are allowed'],
      ['a C1 control', 'next\u0085line', 'Text may not contain control characters (found U+0085); only line breaks and tabs are allowed'],
      ['a lone surrogate', 'broken \uD83D here', 'Text contains a broken character (half of a surrogate pair)'],
      [
        'a right-to-left override',
        'see invoice\u202Efdp.exe',
        'Text may not contain bidirectional override, embedding or isolate characters (found U+202E): they can disguise what a message says'
      ],
      [
        'a right-to-left isolate',
        'x\u2067y',
        'Text may not contain bidirectional override, embedding or isolate characters (found U+2067): they can disguise what a message says'
      ],
      ['only zero-width characters', '\u200B\u200C\u200D\u2060\uFEFF', 'Message has no visible characters'],
      ['only a variation selector and a Hangul filler', '\uFE0F \u3164', 'Message has no visible characters']
    ];
    for (const [what, content, message] of refused) {
      const ack = await requestRaw(socket, 'message:send', { roomId, type: 'text', content });
      expect(ack, what).toEqual({ ok: false, error: { code: 'VALIDATION_ERROR', message, event: 'message:send', roomId } });
    }
    expect(errors).toEqual(refused.map(([, , message]) => ({ code: 'VALIDATION_ERROR', message, event: 'message:send', roomId })));
    expect(await snapshot()).toEqual(before);
    expect(delivered).toEqual([]);
    // What people really write still goes through, unchanged.
    const family = 'שלום! 你好 Ça va? 👨‍👩‍👧 🇫🇷';
    const good = await request(socket, 'message:send', { roomId, type: 'text', content: family });
    expect(good).toMatchObject({ ok: true, data: { content: family } });
  });

  it('ids must be id-shaped strings', async () => {
    socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    for (const bad of ['', 'has space', '../etc', 'a'.repeat(65), 'ünïcode', 'x;DEL *']) {
      const ack = await requestRaw(socket, 'room:join', { roomId: bad });
      expect(ack, bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
      const del = await requestRaw(socket, 'message:delete', { roomId, messageId: bad });
      expect(del, bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    }
  });
});

describe('not a member', () => {
  it('every event answers NOT_MEMBER and changes nothing', async () => {
    socket = await connectSocket(ctx.app.baseUrl, outsider.cookie);
    const before = await snapshot();
    for (const { event, good } of events()) {
      const ack = await requestRaw(socket, event, good());
      // The room list names no room: it lists only the asker's own, none here.
      if (event === 'rooms:activity') expect(ack).toEqual({ ok: true, data: [] });
      else expect(ack, event).toEqual({ ok: false, error: { code: 'NOT_MEMBER', message: 'You are not a member of this room', event, roomId } });
    }
    const roomMessages = record(socket, 'message:new');
    const member = await connectSocket(ctx.app.baseUrl, bob.cookie);
    // (bob's send limit of the setup may still run for a moment)
    await eventually(async () => (await requestRaw(member, 'message:send', { roomId, type: 'text', content: 'members only' })).ok);
    await new Promise((r) => setTimeout(r, 200));
    expect(roomMessages).toEqual([]);
    const after = await snapshot();
    expect(after.message).toEqual(before.message);
  });
});

describe('floods', () => {
  it('reads beyond a few in progress at once are refused; the next page after those is not', async () => {
    socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    const burst = await Promise.all(Array.from({ length: 8 }, () => requestRaw(socket, 'room:history-older', { roomId, beforeId: messageId })));
    expect(burst.some((a) => !a.ok && a.error.code === 'RATE_LIMITED' && /at once/.test(a.error.message))).toBe(true);
    expect(burst.some((a) => a.ok)).toBe(true);
    expect((await requestRaw(socket, 'room:history-older', { roomId, beforeId: messageId })).ok).toBe(true);
  });

  it('typing events beyond a generous rate are refused', async () => {
    socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    const burst = await Promise.all(Array.from({ length: 60 }, () => requestRaw(socket, 'typing:start', { roomId })));
    expect(burst.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(burst.filter((a) => a.ok).length).toBeGreaterThan(0);
  });
});

describe('oversized frames', () => {
  it('a frame over the limit closes that connection only; the server keeps serving', async () => {
    socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    const observer = await connectSocket(ctx.app.baseUrl, bob.cookie);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit('message:send', { roomId, type: 'text', content: 'x'.repeat(SOCKET_MAX_FRAME_BYTES + 1) });
    expect(await closed).toBe('transport close');
    expect(observer.connected).toBe(true);
    const joined = await request(observer, 'room:join', { roomId });
    expect(joined.ok).toBe(true);
    const again = await connectSocket(ctx.app.baseUrl, alice.cookie);
    expect((await requestRaw(again, 'room:join', { roomId })).ok).toBe(true);
  });
});
