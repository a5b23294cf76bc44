import type { HistoryOlderRequest, HistoryPage, Member, RoomRef } from '../../src/lib/protocol/index.ts';
import type { ActivityService } from '../activity/service.ts';
import type { Backpressure } from '../infra/backpressure.ts';
import type { ServerEvents, ServerListeners } from '../infra/events.ts';
import type { SocketLimits } from '../infra/limits.ts';
import { activityChannel, joinedRooms, roomChannel, userChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { MessageService } from '../messages/service.ts';
import type { PresenceService } from '../presence/service.ts';
import type { TypingService } from '../typing/service.ts';
import type { RoomService } from './service.ts';

// room:join, room:leave, room:history-older, what a closing socket leaves behind, and membership
// changes made over REST applied to live sockets (docs/architecture.md#joining-a-room).

export interface RoomHandlerDeps {
  rooms: RoomService;
  presence: PresenceService;
  messages: Pick<MessageService, 'page'>;
  typing: Pick<TypingService, 'current'>;
  limits: SocketLimits;
  backpressure: Backpressure;
  requireMember: MemberGate;
  /** True once the server shuts down: presence then forgets the whole process at once. */
  closing: () => boolean;
  /** The people whose messages a user blocked: left out of the history pages they read. */
  hiddenSenders: (userId: number) => Promise<number[]>;
  /** The people who blocked a user: to that user they always look offline. */
  hiddenPresence: (userId: number) => Promise<number[]>;
}

/** The member list as `viewer` may see it: whoever blocked them looks offline. */
function membersSeenBy(members: Member[], blockers: number[]): Member[] {
  if (blockers.length === 0) return members;
  return members.map((m) => (m.online && blockers.includes(m.userId) ? { ...m, online: false } : m));
}

/** Pages read in one go past pages made only of blocked people's messages. */
const HIDDEN_PAGES_SKIPPED = 3;

/** The page without the messages of people the reader blocked. */
function withoutHidden(page: HistoryPage, hidden: number[]): HistoryPage {
  if (hidden.length === 0) return page;
  return { ...page, messages: page.messages.filter((m) => !hidden.includes(m.userId)) };
}

export function createRoomHandlers({
  rooms,
  presence,
  messages,
  typing,
  limits,
  backpressure,
  requireMember,
  closing,
  hiddenSenders,
  hiddenPresence
}: RoomHandlerDeps) {
  /** The room's newest history page, its members, and from now on everything said in it. */
  async function enter(socket: AppSocket, roomId: string, settle: (bytes: number) => Promise<void>): Promise<undefined> {
    const { user } = socket.data;
    const channel = roomChannel(roomId);
    if (!socket.rooms.has(channel)) {
      await rooms.requireEntry(roomId, user.id);
      void socket.join(channel);
      // Asked again once inside the channel: a removal that arrived during the first question
      // found the socket not yet in, and took nothing out. A later one takes it out.
      try {
        await rooms.requireMember(roomId, user.id);
      } catch (err) {
        void socket.leave(channel);
        throw err;
      }
    }
    const [{ page, bytes }, entered, typers, hidden, blockers] = await Promise.all([
      messages.page(roomId),
      presence.enter(socket.id, user, roomId),
      typing.current(roomId),
      hiddenSenders(user.id),
      hiddenPresence(user.id)
    ]);
    // The page goes out once, as the event, unless the socket can no longer take it (it is then
    // being disconnected); the acknowledgement that follows only says "done".
    if (!backpressure.overBudget(socket)) socket.emit('room:history', withoutHidden(page, hidden));
    await settle(bytes);
    socket.emit('room:members', { roomId, members: membersSeenBy(await rooms.members(roomId, entered.online), blockers) });
    // Neither who blocked the user nor whom they blocked shows as typing to them.
    const shown = hidden.length + blockers.length > 0 ? { ...typers, users: typers.users.filter((u) => !hidden.includes(u.userId) && !blockers.includes(u.userId)) } : typers;
    if (shown.users.length > 0) socket.emit('typing:update', { roomId, ...shown });
    return undefined;
  }

  /**
   * Runs a history read within the user's history budget: `settle` says what its page weighed,
   * once; a read that fails before that gives all its held-back bytes back.
   */
  async function withinBudget<T>(socket: AppSocket, work: (settle: (bytes: number) => Promise<void>) => Promise<T>): Promise<T> {
    const reserved = await limits.reserveHistory(socket.data.user.id);
    let done = false;
    const settle = async (bytes: number) => {
      if (done) return;
      done = true;
      await limits.settleHistory(socket.data.user.id, reserved, bytes);
    };
    try {
      return await work(settle);
    } finally {
      await settle(0);
    }
  }

  async function exit(socket: AppSocket, roomId: string): Promise<undefined> {
    const channel = roomChannel(roomId);
    if (!socket.rooms.has(channel)) {
      await rooms.requireMember(roomId, socket.data.user.id);
      return undefined;
    }
    void socket.leave(channel);
    await presence.exit(roomId, socket.id, socket.data.user.id);
    return undefined;
  }

  return {
    async join(socket: AppSocket, { roomId }: RoomRef): Promise<undefined> {
      await limits.switchRoom(socket.data.user.id);
      await limits.read(socket);
      return limits.inFlight(socket, () => withinBudget(socket, (settle) => enter(socket, roomId, settle)));
    },

    async leave(socket: AppSocket, { roomId }: RoomRef): Promise<undefined> {
      await limits.switchRoom(socket.data.user.id);
      return limits.inFlight(socket, () => exit(socket, roomId));
    },

    /** The page just before a message the client already shows (scrolling up), in the acknowledgement. */
    async historyOlder(socket: AppSocket, { roomId, beforeId }: HistoryOlderRequest): Promise<HistoryPage> {
      // The membership check is a database query: it counts as work in progress too.
      return limits.inFlight(socket, async () => {
        await requireMember(socket, roomId);
        await limits.read(socket);
        return withinBudget(socket, async (settle) => {
          const hidden = await hiddenSenders(socket.data.user.id);
          let { page, bytes } = await messages.page(roomId, beforeId);
          // A page of blocked people only would leave the client no message to ask before: read on
          // a little (docs/architecture.md#friends-and-direct-messages).
          for (let skipped = 0; skipped < HIDDEN_PAGES_SKIPPED && page.hasMore && page.messages.length > 0; skipped += 1) {
            if (withoutHidden(page, hidden).messages.length > 0) break;
            const next = await messages.page(roomId, page.messages[0].id);
            page = next.page;
            bytes += next.bytes;
          }
          await settle(bytes);
          return withoutHidden(page, hidden);
        });
      });
    },

    /** Called while the socket still knows its rooms: its connections there end. */
    disconnecting(socket: AppSocket): void {
      if (closing()) return;
      for (const roomId of joinedRooms(socket)) {
        // Redis away: the resync after it returns forgets this connection instead.
        presence.exit(roomId, socket.id, socket.data.user.id).catch(() => undefined);
      }
    }
  };
}

export type RoomHandlers = ReturnType<typeof createRoomHandlers>;

/**
 * What the REST side announces, applied to live sockets on every process (through the adapter):
 * the room hears of every membership change as a notice; a member who leaves or is removed stops
 * receiving the room (and its activity) at once and is told why, and a deleted room is closed for
 * everyone in it and in its members' other tabs
 * (docs/architecture.md#membership-changes-reach-live-sockets).
 */
export function followMembership(deps: {
  io: IoServer;
  events: ServerEvents;
  rooms: RoomService;
  presence: PresenceService;
  activity: Pick<ActivityService, 'markRead' | 'forget'>;
  /** Blocks between members, as [blocker, blocked]: the blocked see their blockers offline. */
  blocksAmong: (userIds: number[]) => Promise<[number, number][]>;
}): { stop(): void } {
  const { io, events, rooms, presence, activity, blocksAmong } = deps;
  const log = (what: string) => (err: unknown) => console.error(`[socket] ${what}:`, err);

  async function sendMembers(roomId: string): Promise<void> {
    const online = await presence.online(roomId);
    const members = await rooms.members(roomId, online);
    const blockersOf = new Map<number, number[]>();
    for (const [blocker, blocked] of await blocksAmong(members.map((m) => m.userId))) blockersOf.set(blocked, [...(blockersOf.get(blocked) ?? []), blocker]);
    // Someone blocked gets their own list (on their channel; a socket elsewhere ignores another room's list).
    const channel = roomChannel(roomId);
    for (const [blocked, blockers] of blockersOf) io.to(userChannel(blocked)).emit('room:members', { roomId, members: membersSeenBy(members, blockers) });
    const everyoneElse = blockersOf.size > 0 ? io.to(channel).except([...blockersOf.keys()].map(userChannel)) : io.to(channel);
    everyoneElse.emit('room:members', { roomId, members });
  }

  const memberJoined: ServerListeners['room:member-joined'] = ({ roomId, userId, username }) => {
    const mine = userChannel(userId);
    io.in(mine).socketsJoin(activityChannel(roomId));
    io.to(mine).emit('rooms:changed');
    io.to(roomChannel(roomId)).emit('room:member-joined', { roomId, userId, username });
    // A newcomer has nothing unread: the history was there before them.
    activity
      .markRead(roomId, userId)
      .then(() => sendMembers(roomId))
      .catch(log('announcing a new member'));
  };

  const memberLeft: ServerListeners['room:member-left'] = ({ roomId, userId, username, reason, newOwnerId }) => {
    const mine = userChannel(userId);
    // The new owner's room lists show the crown; their room pages reload on the notice anyway.
    if (newOwnerId !== undefined) io.to(userChannel(newOwnerId)).emit('rooms:changed');
    io.in(mine).socketsLeave([roomChannel(roomId), activityChannel(roomId)]);
    io.to(mine).emit('room:closed', { roomId, reason });
    io.to(roomChannel(roomId)).emit('room:member-left', { roomId, userId, username, reason });
    Promise.all([presence.removeUser(roomId, userId), activity.forget(roomId, userId)])
      .then(() => sendMembers(roomId))
      .catch(log('removing a member'));
  };

  const roomDeleted: ServerListeners['room:deleted'] = ({ roomId, memberIds }) => {
    const channel = roomChannel(roomId);
    // Everyone in the room, and every member's other tabs (their room lists), hear it once.
    io.to([channel, ...memberIds.map(userChannel)]).emit('room:closed', { roomId, reason: 'deleted' });
    io.in(channel).socketsLeave(channel);
    io.in(activityChannel(roomId)).socketsLeave(activityChannel(roomId));
  };

  return events.follow({ 'room:member-joined': memberJoined, 'room:member-left': memberLeft, 'room:deleted': roomDeleted });
}
