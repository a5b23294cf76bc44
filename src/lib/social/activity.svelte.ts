import { goto } from '$app/navigation';
import { api } from '$lib/api';
import { auth } from '$lib/auth.svelte';
import type { ActivityUpdate, MessagePreview, NewMessage, RoomActivity, RoomSummary, ServerToClientEvents } from '$lib/protocol';
import { PREVIEW_TEXT_CHARS } from '$lib/protocol/limits';
import { chatSocket, type ChatSocket } from '$lib/socket.svelte';
import { friendsState } from './friends.svelte';

// What the room list and the tab title know of every room of mine, live over the socket
// (docs/architecture.md#room-activity): the rooms (REST), each room's last message and my unread
// count (the server's read markers, so my devices agree), and the desktop notifications I opted
// into. Mutes and the notification opt-in are kept in this browser (localStorage): notification
// permission is per browser anyway, and a phone may want quiet where the laptop does not.

const MUTED_KEY = 'bbb:muted-rooms';
const NOTIFY_KEY = 'bbb:notify';
/** A page that stays in a busy room tells the server it read it at most this often. */
const READ_EVERY_MS = 2000;

function readStored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
function store(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Private mode or storage full: the choice lasts for this page only.
  }
}

export type NotifyState = 'unsupported' | 'off' | 'on' | 'denied';

/** What the room list shows of a message: "drawing", "image" or the text's start. */
export function previewLine(last: MessagePreview): string {
  if (last.type === 'drawing') return 'Drawing';
  if (last.type === 'image') return 'Image';
  return last.text ?? '';
}

/**
 * The preview of a message heard inside its room (the server sends that socket no `room:activity`
 * for it). No drawing thumbnail: the room list asks for the summaries again when it opens.
 */
function previewOfNew(message: NewMessage): MessagePreview {
  const { id, seq, userId, username, timestamp, type } = message;
  const base = { id, seq, userId, username, timestamp, type };
  return message.type === 'text' ? { ...base, text: Array.from(message.content).slice(0, PREVIEW_TEXT_CHARS).join('') } : base;
}

class RoomActivityState {
  rooms = $state.raw<RoomSummary[] | null>(null);
  loadError = $state('');
  #activity = $state.raw<Record<string, RoomActivity>>({});
  #muted = $state.raw<string[]>(JSON.parse(readStored(MUTED_KEY) ?? '[]') as string[]);
  #notifyWanted = $state(readStored(NOTIFY_KEY) === 'on');
  #permission = $state<NotificationPermission | 'unsupported'>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  /** The room open on this page, if any. */
  #viewing = $state<string | null>(null);
  #visible = $state(typeof document === 'undefined' || !document.hidden);
  #socket: ChatSocket | null = null;
  #watchingVisibility = false;
  #lastRead = new Map<string, number>();
  #readTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #refreshing: Promise<void> | null = null;

  /** My rooms, the most recently active first. */
  readonly ordered = $derived.by(() => {
    const rooms = this.rooms ?? [];
    const when = (room: RoomSummary) => this.#activity[room.id]?.last?.timestamp ?? Date.parse(room.createdAt);
    return [...rooms].sort((a, b) => when(b) - when(a));
  });

  /** Unread messages over all my rooms. */
  readonly unreadTotal = $derived(Object.values(this.#activity).reduce((sum, a) => sum + a.unread, 0));

  activityOf(roomId: string): RoomActivity | undefined {
    return this.#activity[roomId];
  }

  /** "(3) name · BeeBeeBee" while anything is unread. */
  title(name: string): string {
    const total = this.unreadTotal;
    return `${total > 0 ? `(${total > 99 ? '99+' : total}) ` : ''}${name} · BeeBeeBee`;
  }

  /** Signed out: nothing of the last user stays. */
  reset(): void {
    this.rooms = null;
    this.#activity = {};
    this.#socket = null;
    for (const timer of this.#readTimers.values()) clearTimeout(timer);
    this.#readTimers.clear();
  }

  // ---- Following the socket ----

  /** Follows the socket (again after a sign-out made a fresh one); idempotent. */
  start(): void {
    const socket = chatSocket.socket;
    if (socket === this.#socket) return;
    this.#socket = socket;
    const handlers: { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } = {
      'room:activity': (update) => this.#onActivity(update),
      'message:new': (message) => this.#onActivity({ roomId: message.roomId, last: previewOfNew(message) }),
      'room:read': ({ roomId, seq }) => this.#onRead(roomId, seq),
      'rooms:changed': () => void this.refresh(),
      'room:closed': ({ roomId }) => this.#forget(roomId)
    };
    for (const [event, handler] of Object.entries(handlers)) socket.on(event as 'error', handler as ServerToClientEvents['error']);
    // Missed while disconnected: ask again on every (re)connect.
    socket.on('connect', () => void this.refresh());
    if (socket.connected) void this.refresh();
    if (typeof document !== 'undefined' && !this.#watchingVisibility) {
      this.#watchingVisibility = true;
      document.addEventListener('visibilitychange', () => {
        this.#visible = !document.hidden;
        if (this.#visible && this.#viewing) this.markRead(this.#viewing);
      });
    }
  }

  /** Reloads my rooms (REST) and their activity (socket). */
  refresh(): Promise<void> {
    const loading = this.#load().finally(() => {
      if (this.#refreshing === loading) this.#refreshing = null;
    });
    this.#refreshing = loading;
    return loading;
  }

  async #load(): Promise<void> {
    this.loadError = '';
    const [rooms, activity] = await Promise.all([
      api.rooms.list().catch((err: unknown) => {
        this.loadError = err instanceof Error ? err.message : 'Could not load your rooms';
        return null;
      }),
      chatSocket.request('rooms:activity', {})
    ]);
    if (rooms) this.rooms = rooms;
    if (activity.ok) this.#activity = Object.fromEntries(activity.data.map((a) => [a.roomId, this.#newer(a)]));
  }

  /**
   * A list answered by the server may have been read before an event that arrived first (a new
   * message, a read elsewhere): what the events taught is kept.
   */
  #newer(listed: RoomActivity): RoomActivity {
    const local = this.#activity[listed.roomId];
    if (!local) return listed;
    const seq = (a: RoomActivity) => a.last?.seq ?? -1;
    return seq(local) > seq(listed) || local.readSeq > listed.readSeq ? local : listed;
  }

  #onActivity({ roomId, last, deleted }: ActivityUpdate): void {
    // A deletion's update is the same for the whole room: when it names someone I blocked (their
    // message now last, or theirs deleted), my own count and preview, which leave them out, are
    // asked for again instead (docs/architecture.md#friends-and-direct-messages).
    const blocked = friendsState.blockedIds;
    if (blocked.size > 0 && ((last && blocked.has(last.userId)) || (deleted && blocked.has(deleted.userId)))) {
      // What I had may be the deleted message: the server's answer replaces it rather than losing
      // to it as older.
      const { [roomId]: _stale, ...rest } = this.#activity;
      this.#activity = rest;
      void this.refresh();
      return;
    }
    const current = this.#activity[roomId] ?? { roomId, last: null, unread: 0, readSeq: -1 };
    const me = auth.user?.id;
    let { unread, readSeq } = current;
    const fresh = last && (!current.last || last.seq > current.last.seq);
    if (fresh && last.userId === me) {
      // The server counts writing as reading.
      unread = 0;
      readSeq = last.seq;
    } else if (fresh && last.seq > readSeq && !this.#inView(roomId)) {
      unread += 1;
      void this.#notify(roomId, last);
    }
    if (deleted && deleted.userId !== me && deleted.seq > readSeq && unread > 0) unread -= 1;
    this.#activity = { ...this.#activity, [roomId]: { roomId, last: last === undefined ? current.last : last, unread, readSeq } };
    if (fresh && this.#inView(roomId)) this.markRead(roomId);
  }

  #onRead(roomId: string, seq: number): void {
    const current = this.#activity[roomId];
    if (!current || seq <= current.readSeq) return;
    const caughtUp = !current.last || seq >= current.last.seq;
    // Read up to an older message than the newest I know of: the server counts what is left.
    if (!caughtUp) void this.refresh();
    this.#activity = { ...this.#activity, [roomId]: { ...current, readSeq: seq, unread: caughtUp ? 0 : current.unread } };
  }

  #forget(roomId: string): void {
    if (this.rooms) this.rooms = this.rooms.filter((r) => r.id !== roomId);
    const { [roomId]: _gone, ...rest } = this.#activity;
    this.#activity = rest;
  }

  // ---- The room in view ----

  #inView(roomId: string): boolean {
    return this.#viewing === roomId && this.#visible;
  }

  /** The room page says which room it shows; returns the function that says it no longer does. */
  view(roomId: string): () => void {
    this.#viewing = roomId;
    return () => {
      if (this.#viewing === roomId) this.#viewing = null;
    };
  }

  /** Tells the server (so every device of mine) that I read the room, at most every READ_EVERY_MS. */
  markRead(roomId: string): void {
    if (!this.#visible || this.#readTimers.has(roomId)) return;
    const current = this.#activity[roomId];
    if (current) this.#activity = { ...this.#activity, [roomId]: { ...current, unread: 0 } };
    const wait = Math.max(0, (this.#lastRead.get(roomId) ?? 0) + READ_EVERY_MS - Date.now());
    const timer = setTimeout(() => {
      this.#readTimers.delete(roomId);
      this.#lastRead.set(roomId, Date.now());
      void chatSocket.request('room:read', { roomId });
    }, wait);
    this.#readTimers.set(roomId, timer);
  }

  // ---- Mutes and desktop notifications ----

  isMuted(roomId: string): boolean {
    return this.#muted.includes(roomId);
  }

  toggleMute(roomId: string): void {
    this.#muted = this.isMuted(roomId) ? this.#muted.filter((id) => id !== roomId) : [...this.#muted, roomId];
    store(MUTED_KEY, JSON.stringify(this.#muted));
  }

  get notifications(): NotifyState {
    if (this.#permission === 'unsupported') return 'unsupported';
    if (this.#permission === 'denied') return 'denied';
    return this.#notifyWanted && this.#permission === 'granted' ? 'on' : 'off';
  }

  /** From a click: asks the browser's permission the first time. */
  async toggleNotifications(): Promise<void> {
    if (this.#permission === 'unsupported') return;
    if (this.notifications === 'on') {
      this.#notifyWanted = false;
    } else {
      this.#permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      this.#notifyWanted = this.#permission === 'granted';
    }
    store(NOTIFY_KEY, this.#notifyWanted ? 'on' : 'off');
  }

  async #notify(roomId: string, last: MessagePreview): Promise<void> {
    // Someone I blocked makes no sound (docs/architecture.md#friends-and-direct-messages).
    if (this.notifications !== 'on' || this.isMuted(roomId) || friendsState.blockedIds.has(last.userId)) return;
    // A message may come in before my rooms have loaded (a page just opened): the name waits for them.
    const known = () => this.rooms?.find((r) => r.id === roomId);
    if (!known()) await (this.#refreshing ?? this.refresh());
    const room = known();
    try {
      // One notification per room: a newer message replaces the older one.
      // A direct message is titled by its sender alone.
      const title = room?.direct ? last.username : `${last.username} in ${room?.name ?? 'a room'}`;
      const notification = new Notification(title, { body: previewLine(last), tag: `bbb-room-${roomId}` });
      notification.onclick = () => {
        window.focus();
        void goto(`/app/room/${roomId}`);
        notification.close();
      };
    } catch {
      // Some browsers allow notifications only from a service worker: the tab title still tells.
    }
  }
}

export const roomActivity = new RoomActivityState();
