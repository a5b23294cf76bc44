import { friendsState } from '$lib/social/friends.svelte';
import {
  type Emoji,
  type ErrorPayload,
  type HistoryPage,
  type Member,
  type Message,
  type MessageSend,
  type ServerToClientEvents,
  type TypingKind
} from '$lib/protocol';
import { chatSocket, type SocketClient } from '$lib/socket.svelte';
import { addMessage, mergeNewest, prependOlder, withReactions } from './merge';

// The state of one open room: feed, members, typing, and the requests the room view makes.

/** "X joined the room" / "X left the room" lines between messages: membership changes only. Local only. */
export interface Notice {
  kind: 'notice';
  id: string;
  text: string;
  timestamp: number;
}
export type FeedItem = { kind: 'message'; id: string; message: Message } | Notice;

type TypingUser = { userId: number; username: string };

/** A message as the composer hands it over: any kind of message, without its room. */
export type OutgoingMessage = MessageSend extends infer M ? (M extends unknown ? Omit<M, 'roomId'> : never) : never;

/**
 * A message sent while the room could not take it: shown as pending at the end of the feed and
 * sent, in order, once the room is joined again; `failed` ones wait for Retry or Discard
 * (docs/architecture.md#reconnects-resync).
 */
export interface OutboxEntry {
  localId: string;
  payload: OutgoingMessage;
  state: 'waiting' | 'sending' | 'failed';
  error: string | null;
  createdAt: number;
}

/** After a "slow down" answer, the outbox waits this long before the next try. */
const OUTBOX_RETRY_MS = 1000;

type Result = { ok: true } | { ok: false; error: string; code: ErrorPayload['code'] };

const fail = (error: ErrorPayload): Result => ({ ok: false, error: error.message, code: error.code });

export class ChatRoom {
  messages = $state.raw<Message[]>([]);
  members = $state.raw<Member[]>([]);
  typing = $state.raw<TypingUser[]>([]);
  drawing = $state.raw<TypingUser[]>([]);
  notices = $state.raw<Notice[]>([]);
  hasMore = $state(false);
  /** The first page has arrived. */
  loaded = $state(false);
  loadingOlder = $state(false);
  olderError = $state<string | null>(null);
  /** Set when this room is no longer mine: deleted, left elsewhere, or refused on re-joining. */
  closed = $state<'deleted' | 'left' | 'removed' | 'unavailable' | null>(null);
  joinError = $state<ErrorPayload | null>(null);
  /** A one-line problem not tied to an action of mine (a delete or reaction that failed). */
  notice = $state<string | null>(null);
  /** Set when the server refused a send because this direct conversation is closed. */
  sendRefusal = $state<'DIRECT_CLOSED' | null>(null);
  /** Counts messages from others; the feed watches it for its "new messages" pill. */
  arrivals = $state(0);
  outbox = $state.raw<OutboxEntry[]>([]);
  /** Counts membership changes heard while open (the page reloads the room's details on each). */
  membershipChanges = $state(0);
  /** The room's owner, once known: they may delete anyone's message. */
  ownerId = $state<number | null>(null);
  get iAmOwner(): boolean {
    return this.ownerId === this.myId;
  }

  /** Other people typing, never me. */
  readonly othersTyping = $derived(this.typing.filter((u) => u.userId !== this.myId && !friendsState.blockedIds.has(u.userId)));
  readonly othersDrawing = $derived(this.drawing.filter((u) => u.userId !== this.myId && !friendsState.blockedIds.has(u.userId)));
  readonly feed: FeedItem[] = $derived.by(() => {
    // People I blocked say nothing here (docs/architecture.md#friends-and-direct-messages); the server
    // leaves them out of history pages already, this also covers what arrives live.
    const blocked = friendsState.blockedIds;
    const shown = blocked.size === 0 ? this.messages : this.messages.filter((m) => !blocked.has(m.userId));
    const items: FeedItem[] = shown.map((message) => ({ kind: 'message', id: message.id, message }));
    if (this.notices.length === 0) return items;
    const all = [...items, ...this.notices];
    // Stable: a notice sits after messages of the same instant.
    return all.sort((a, b) => time(a) - time(b));
  });

  /** Server clock minus mine, learnt from arriving messages, so notices land in the right place. */
  #clockSkew = 0;
  /** Versions of the typing and drawing lists shown (docs/architecture.md#snapshots-carry-versions). */
  #typingVersion = 0;
  #drawingVersion = 0;
  #noticeSeq = 0;
  #onMessage: ((message: Message) => void) | undefined;
  #outboxSeq = 0;
  #flushing = false;
  /** The connection (its count) on which this room was last joined; sends need a joined room. */
  #joinedOn = -1;

  constructor(
    readonly id: string,
    readonly myId: number,
    private readonly client: SocketClient = chatSocket
  ) {}

  /** Joins the room and listens to it; returns the function that stops both. */
  open(options: { onMessage?: (message: Message) => void; onJoined?: () => void } = {}): () => void {
    this.#onMessage = options.onMessage;
    const socket = this.client.socket;
    const mine = (roomId: string) => roomId === this.id;

    const handlers: { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } = {
      'room:history': (page) => {
        if (!mine(page.roomId)) return;
        const oldest = this.messages[0];
        const newestOfPage = page.messages.at(-1);
        // A page entirely older than the feed is a "load older" answer, not a fresh join.
        if (oldest && newestOfPage && newestOfPage.timestamp < oldest.timestamp) {
          this.messages = prependOlder(this.messages, page.messages);
          this.hasMore = page.hasMore;
        } else this.applyNewest(page);
      },
      'room:members': ({ roomId, members }) => {
        if (mine(roomId)) this.members = members;
      },
      'message:new': (message) => {
        if (!mine(message.roomId)) return;
        this.#clockSkew = message.timestamp - Date.now();
        const before = this.messages;
        this.messages = addMessage(before, message);
        if (this.messages !== before && message.userId !== this.myId && !friendsState.blockedIds.has(message.userId)) {
          this.arrivals += 1;
          this.#onMessage?.(message);
        }
        // Whoever sent a message has stopped typing or drawing it.
        this.#dropTyper(message.userId);
      },
      'message:deleted': ({ roomId, messageId }) => {
        if (mine(roomId)) this.messages = this.messages.filter((m) => m.id !== messageId);
      },
      'reaction:updated': ({ roomId, messageId, reactions, version }) => {
        if (mine(roomId)) this.messages = withReactions(this.messages, messageId, reactions, version);
      },
      // A member's new picture, in the member list and beside their messages at once.
      'profile:updated': ({ userId, avatar }) => {
        this.members = this.members.map((m) => (m.userId === userId ? { ...m, avatar } : m));
      },
      // Online dots change silently (a reload or a trip to the room list is no news).
      'room:presence': ({ roomId, userId, online }) => {
        if (!mine(roomId)) return;
        this.members = this.members.map((m) => (m.userId === userId ? { ...m, online } : m));
        if (!online) this.#dropTyper(userId);
      },
      'room:member-joined': ({ roomId, userId, username }) => {
        if (!mine(roomId) || userId === this.myId) return;
        this.membershipChanges += 1;
        this.addNotice(`${username} joined the room`);
      },
      'room:member-left': ({ roomId, userId, username, reason }) => {
        if (!mine(roomId) || userId === this.myId) return;
        this.membershipChanges += 1;
        this.#dropTyper(userId);
        this.addNotice(reason === 'removed' ? `${username} was removed from the room` : `${username} left the room`);
      },
      'typing:update': ({ roomId, users, kind, version }) => {
        if (!mine(roomId)) return;
        // Lists may travel through different server processes: an older one arriving late is dropped.
        if (kind === 'drawing') {
          if (version < this.#drawingVersion) return;
          this.#drawingVersion = version;
          this.drawing = users;
        } else {
          if (version < this.#typingVersion) return;
          this.#typingVersion = version;
          this.typing = users;
        }
      },
      'room:closed': ({ roomId, reason }) => {
        if (mine(roomId)) this.closed = reason;
      },
      error: (error) => {
        // An error naming an event answers something this page sent: an acknowledged request,
        // whose refusal is shown where the user acted, or typing, not worth a word. Asking the
        // event table which is which would bring every payload schema (and zod) into the room.
        if (error.roomId && !mine(error.roomId)) return;
        if (error.event) return;
        this.notice = error.message;
      }
    };
    for (const [event, handler] of Object.entries(handlers)) socket.on(event as 'error', handler as ServerToClientEvents['error']);

    const leave = this.client.enterRoom({
      roomId: this.id,
      // The page itself arrived as room:history just before; what waited in the outbox goes now.
      joined: () => {
        this.#joinedOn = this.client.connections;
        void this.flush();
        options.onJoined?.();
      },
      failed: (error) => {
        const gone = error.code === 'NOT_MEMBER' || error.code === 'NOT_FOUND';
        // Refused on a re-join: the room went while this page was disconnected.
        if (gone && this.loaded) this.closed ??= 'unavailable';
        else if (gone || !this.loaded) this.joinError = error;
        else this.notice = error.message;
      }
    });

    return () => {
      leave();
      for (const [event, handler] of Object.entries(handlers)) socket.off(event as 'error', handler as ServerToClientEvents['error']);
    };
  }

  private applyNewest(page: HistoryPage) {
    if (page.roomId !== this.id) return;
    const merged = mergeNewest(this.messages, page.messages, page.hasMore, this.hasMore);
    this.messages = merged.messages;
    this.hasMore = merged.hasMore;
    this.loaded = true;
    this.joinError = null;
  }

  #dropTyper(userId: number) {
    if (this.typing.some((u) => u.userId === userId)) this.typing = this.typing.filter((u) => u.userId !== userId);
    if (this.drawing.some((u) => u.userId === userId)) this.drawing = this.drawing.filter((u) => u.userId !== userId);
  }

  private addNotice(text: string) {
    const lastMessage = this.messages.at(-1)?.timestamp ?? 0;
    const timestamp = Math.max(Date.now() + this.#clockSkew, lastMessage);
    this.notices = [...this.notices, { kind: 'notice', id: `notice-${++this.#noticeSeq}`, text, timestamp }];
  }

  /** Fetches the page before the oldest message shown. */
  async loadOlder(): Promise<void> {
    const oldest = this.messages[0];
    if (!oldest || !this.hasMore || this.loadingOlder) return;
    this.loadingOlder = true;
    this.olderError = null;
    const result = await this.client.request('room:history-older', { roomId: this.id, beforeId: oldest.id });
    this.loadingOlder = false;
    if (!result.ok) {
      this.olderError = result.error.message;
      return;
    }
    this.messages = prependOlder(this.messages, result.data.messages);
    this.hasMore = result.data.hasMore && result.data.messages.length > 0;
  }

  /**
   * Sends now when the room is reachable and nothing waits before it; otherwise the message joins
   * the outbox (the composer empties all the same) and goes out in order once the room is back.
   */
  async send(payload: OutgoingMessage): Promise<Result> {
    if (!this.#canSend() || this.outbox.some((e) => e.state !== 'failed')) {
      this.#enqueue(payload, null);
      void this.flush();
      return { ok: true };
    }
    const result = await this.client.request('message:send', { ...payload, roomId: this.id } as MessageSend);
    if (result.ok) {
      this.messages = addMessage(this.messages, result.data);
      return { ok: true };
    }
    if (result.error.code === 'DIRECT_CLOSED') this.sendRefusal = 'DIRECT_CLOSED';
    if (result.error.code !== 'UNAVAILABLE') return fail(result.error);
    // Lost on the way: never sent if the socket had already gone; unknown after a timeout, so
    // the person decides (Retry) rather than risking a double.
    this.#enqueue(payload, this.client.status === 'connected' ? result.error.message : null);
    return { ok: true };
  }

  #canSend(): boolean {
    return this.client.status === 'connected' && this.#joinedOn === this.client.connections && !this.closed;
  }

  #enqueue(payload: OutgoingMessage, error: string | null) {
    const entry: OutboxEntry = { localId: `out-${++this.#outboxSeq}`, payload, state: error ? 'failed' : 'waiting', error, createdAt: Date.now() };
    this.outbox = [...this.outbox, entry];
  }

  #setEntry(localId: string, change: Partial<OutboxEntry>) {
    this.outbox = this.outbox.map((e) => (e.localId === localId ? { ...e, ...change } : e));
  }

  /** Sends the waiting messages one after another, oldest first, while the room is reachable. */
  async flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (;;) {
        const next = this.outbox.find((e) => e.state === 'waiting');
        if (!next || !this.#canSend()) return;
        this.#setEntry(next.localId, { state: 'sending', error: null });
        const result = await this.client.request('message:send', { ...next.payload, roomId: this.id } as MessageSend);
        if (result.ok) {
          this.outbox = this.outbox.filter((e) => e.localId !== next.localId);
          this.messages = addMessage(this.messages, result.data);
        } else if (result.error.code === 'RATE_LIMITED') {
          this.#setEntry(next.localId, { state: 'waiting' });
          await new Promise((resolve) => setTimeout(resolve, OUTBOX_RETRY_MS));
        } else if (result.error.code === 'UNAVAILABLE' && !this.#canSend()) {
          // Gone again: it waits for the next join.
          this.#setEntry(next.localId, { state: 'waiting' });
        } else {
          this.#setEntry(next.localId, { state: 'failed', error: result.error.message });
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  retry(localId: string) {
    this.#setEntry(localId, { state: 'waiting', error: null });
    void this.flush();
  }

  discard(localId: string) {
    this.outbox = this.outbox.filter((e) => e.localId !== localId);
  }

  async remove(messageId: string): Promise<Result> {
    const result = await this.client.request('message:delete', { roomId: this.id, messageId });
    if (!result.ok) return fail(result.error);
    this.messages = this.messages.filter((m) => m.id !== messageId);
    return { ok: true };
  }

  async toggleReaction(messageId: string, emoji: Emoji): Promise<Result> {
    const message = this.messages.find((m) => m.id === messageId);
    const reacted = message?.reactions.some((r) => r.emoji === emoji && r.userIds.includes(this.myId)) ?? false;
    const event = reacted ? 'reaction:remove' : 'reaction:add';
    const result = await this.client.request(event, { roomId: this.id, messageId, emoji });
    // The room's reaction:updated, with its version, reaches this socket before the answer does
    // and is what the feed shows (docs/architecture.md#snapshots-carry-versions).
    return result.ok ? { ok: true } : fail(result.error);
  }

  typingStart(kind: TypingKind = 'text') {
    if (this.client.status === 'connected') this.client.socket.emit('typing:start', { roomId: this.id, kind });
  }
  typingStop(kind: TypingKind = 'text') {
    if (this.client.status === 'connected') this.client.socket.emit('typing:stop', { roomId: this.id, kind });
  }

  /** A member's picture (docs/architecture.md#profiles); null for none, or for someone no longer a member. */
  avatarOf(userId: number): string | null {
    return this.members.find((m) => m.userId === userId)?.avatar ?? null;
  }

  usernameOf(userId: number): string {
    return this.members.find((m) => m.userId === userId)?.username ?? this.messages.find((m) => m.userId === userId)?.username ?? 'someone';
  }
}

function time(item: FeedItem): number {
  return item.kind === 'message' ? item.message.timestamp : item.timestamp;
}
