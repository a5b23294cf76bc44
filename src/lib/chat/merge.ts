import type { Message, Reaction } from '../protocol';

// Pure bookkeeping of the feed: pages of history and live messages merged by id, never twice.

export interface MergeResult {
  messages: Message[];
  /** Whether older messages exist before the first one kept. */
  hasMore: boolean;
}

/** A live message (or my own acknowledged one): appended once, kept in time order. */
export function addMessage(current: Message[], message: Message): Message[] {
  if (current.some((m) => m.id === message.id)) return current;
  const last = current.at(-1);
  if (!last || last.timestamp <= message.timestamp) return [...current, message];
  const next = [...current, message];
  next.sort((a, b) => a.timestamp - b.timestamp);
  return next;
}

/** A page from "load older": prepended, skipping anything already shown. */
export function prependOlder(current: Message[], older: Message[]): Message[] {
  const known = new Set(current.map((m) => m.id));
  const fresh = older.filter((m) => !known.has(m.id));
  return fresh.length === 0 ? current : [...fresh, ...current];
}

/**
 * The newest page after a (re)join. It is the truth for the time it covers: messages deleted
 * meanwhile go, reactions are refreshed, missed ones arrive. What I had before that time stays
 * (older pages already loaded), and so does anything that arrived live after the page was made,
 * unless the page does not reach back to anything I had (more was missed than a page holds): then
 * the feed restarts from the page, and older pages load on scroll as usual.
 */
export function mergeNewest(current: Message[], page: Message[], pageHasMore: boolean, hadMore: boolean): MergeResult {
  if (current.length === 0 || page.length === 0) return { messages: page, hasMore: pageHasMore };
  const mine = new Map(current.map((m) => [m.id, m]));
  page = page.map((m) => newerReactions(m, mine.get(m.id)));
  const pageIds = new Set(page.map((m) => m.id));
  const first = page[0].timestamp;
  const last = page[page.length - 1].timestamp;
  const after = current.filter((m) => !pageIds.has(m.id) && m.timestamp > last);
  const reachesBack = !pageHasMore || current.some((m) => pageIds.has(m.id)) || current[current.length - 1].timestamp >= first;
  if (!reachesBack) return { messages: [...page, ...after], hasMore: true };
  // A page that reaches the start of the room leaves nothing older to keep.
  const before = pageHasMore ? current.filter((m) => !pageIds.has(m.id) && m.timestamp < first) : [];
  return { messages: [...before, ...page, ...after], hasMore: pageHasMore && (before.length > 0 ? hadMore : true) };
}

/**
 * A message's reactions from a reaction:updated snapshot, unless the feed already shows a newer
 * one: snapshots of one message may arrive out of order when several server processes relay them
 * (docs/architecture.md#snapshots-carry-versions).
 */
export function withReactions(current: Message[], messageId: string, reactions: Reaction[], version: number): Message[] {
  const index = current.findIndex((m) => m.id === messageId);
  if (index < 0 || current[index].reactionsVersion >= version) return current;
  const next = [...current];
  next[index] = { ...current[index], reactions, reactionsVersion: version };
  return next;
}

/** The page's copy of a message, or mine when mine shows newer reactions. */
function newerReactions(page: Message, mine: Message | undefined): Message {
  return mine && mine.reactionsVersion > page.reactionsVersion ? { ...page, reactions: mine.reactions, reactionsVersion: mine.reactionsVersion } : page;
}
