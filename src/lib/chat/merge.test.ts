import { describe, expect, it } from 'vitest';
import type { Message } from '$lib/protocol';
import { addMessage, mergeNewest, prependOlder, withReactions } from './merge';

function text(n: number, reactions: Message['reactions'] = [], reactionsVersion = reactions.length): Message {
  return { roomId: 'r', id: `m${n}`, userId: 1, username: 'alice', type: 'text', content: `hello ${n}`, reactions, reactionsVersion, timestamp: 1000 + n };
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

describe('reaction snapshots arriving out of order', () => {
  const heart = (...userIds: number[]) => [{ emoji: 'heart' as const, userIds }];

  it('shows the newest snapshot whatever order they come in', () => {
    let feed = range(1, 2);
    feed = withReactions(feed, 'm1', heart(1, 2, 3), 3);
    const shown = feed;
    feed = withReactions(feed, 'm1', heart(1), 1);
    feed = withReactions(feed, 'm1', heart(1, 2), 2);
    expect(feed).toBe(shown);
    expect(feed[0].reactions).toEqual(heart(1, 2, 3));
    expect(withReactions(feed, 'm1', heart(1, 2, 3, 4), 4)[0].reactions).toEqual(heart(1, 2, 3, 4));
  });

  it('ignores a snapshot of a message not shown', () => {
    const feed = range(1, 2);
    expect(withReactions(feed, 'm9', heart(1), 1)).toBe(feed);
  });

  it('a fresh page does not undo newer reactions that arrived live', () => {
    const live = withReactions(range(1, 3), 'm2', heart(1, 2), 2);
    const page = [text(1), text(2, heart(1), 1), text(3)];
    const merged = mergeNewest(live, page, false, false).messages;
    expect(merged[1].reactions).toEqual(heart(1, 2));
    expect(mergeNewest(live, [text(1), text(2, heart(1, 2, 3), 3), text(3)], false, false).messages[1].reactions).toEqual(heart(1, 2, 3));
  });
});
