import { describe, expect, it } from 'vitest';
import type { Message } from '$lib/protocol';
import { addMessage, mergeNewest, prependOlder } from './merge';

function text(n: number, reactions: Message['reactions'] = []): Message {
  return { roomId: 'r', id: `m${n}`, userId: 1, username: 'alice', type: 'text', content: `hello ${n}`, reactions, timestamp: 1000 + n };
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => text(from + i));
const ids = (messages: Message[]) => messages.map((m) => m.id);

describe('addMessage', () => {
  it('appends a new message and ignores one already shown', () => {
    const feed = addMessage(range(1, 2), text(3));
    expect(ids(feed)).toEqual(['m1', 'm2', 'm3']);
    expect(addMessage(feed, text(3))).toBe(feed);
  });

  it('keeps time order when a message arrives late', () => {
    expect(ids(addMessage([text(1), text(3)], text(2)))).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('prependOlder', () => {
  it('puts an older page in front, without duplicates', () => {
    expect(ids(prependOlder(range(3, 4), range(1, 3)))).toEqual(['m1', 'm2', 'm3', 'm4']);
  });
});

describe('mergeNewest', () => {
  it('adds what was missed during a reconnect, each message once', () => {
    const result = mergeNewest(range(1, 5), range(3, 8), true, true);
    expect(ids(result.messages)).toEqual(ids(range(1, 8)));
    expect(result.hasMore).toBe(true);
  });

  it('drops messages deleted meanwhile and refreshes reactions', () => {
    const page = [text(2, [{ emoji: 'heart', userIds: [2] }]), text(4)];
    const result = mergeNewest(range(1, 4), page, false, false);
    expect(ids(result.messages)).toEqual(['m2', 'm4']);
    expect(result.messages[0].reactions).toEqual([{ emoji: 'heart', userIds: [2] }]);
  });

  it('restarts from the page when more was missed than a page holds', () => {
    const result = mergeNewest(range(1, 3), range(60, 109), true, false);
    expect(ids(result.messages)).toEqual(ids(range(60, 109)));
    expect(result.hasMore).toBe(true);
  });

  it('keeps older pages already loaded and their paging state', () => {
    const loaded = range(1, 60);
    const result = mergeNewest(loaded, range(11, 60), true, false);
    expect(ids(result.messages)).toEqual(ids(loaded));
    expect(result.hasMore).toBe(false);
  });

  it('an empty room empties the feed', () => {
    expect(mergeNewest(range(1, 3), [], false, false).messages).toEqual([]);
  });
});

describe('mergeNewest with live messages', () => {
  it('keeps a message that arrived after the page was made', () => {
    const result = mergeNewest([...range(1, 5), text(9)], range(1, 5), false, false);
    expect(ids(result.messages)).toEqual([...ids(range(1, 5)), 'm9']);
  });
});
