import { EventEmitter } from 'node:events';
import type { ActivityUpdate, FriendsChange, Settings } from '../../src/lib/protocol/index.ts';

// What one part of the server tells the others: the REST side announces membership changes,
// sign-outs, friends' changes, new profile pictures, saved settings and messages deleted with an
// account; the socket side moves live sockets accordingly.

export interface ServerEventMap {
  'user:signed-out': [userId: number];
  'room:member-joined': [event: { roomId: string; userId: number; username: string }];
  'room:member-left': [
    event: {
      roomId: string;
      userId: number;
      username: string;
      reason: 'left' | 'removed';
      /** The member who owns the room now, when the one who left owned it (a deleted account). */
      newOwnerId?: number;
    }
  ];
  'room:deleted': [event: { roomId: string; memberIds: number[] }];
  /** A message deleted outside a socket handler (a deleted account's messages). */
  'message:deleted': [event: { messageId: string; update: ActivityUpdate }];
  /** Their friends, requests or blocks changed (docs/architecture.md#friends-and-direct-messages). */
  'friends:changed': [event: { userIds: number[]; reason: FriendsChange }];
  /** A new or removed profile picture (docs/architecture.md#profiles). */
  'profile:avatar-changed': [event: { userId: number; avatar: string | null }];
  'profile:settings-saved': [event: { userId: number; settings: Settings }];
}

/** A listener for some of the events, as the socket side's followers register them. */
export type ServerListeners = { [E in keyof ServerEventMap]?: (...args: ServerEventMap[E]) => void };

export class ServerEvents extends EventEmitter<ServerEventMap> {
  /** Listens with each of `listeners` until `stop()` (an app closing stops its followers). */
  follow(listeners: ServerListeners): { stop(): void } {
    // Each pair was typed by ServerListeners; the emitter's untyped face takes them as they are.
    const emitter: EventEmitter = this;
    const pairs = Object.entries(listeners);
    for (const [event, listener] of pairs) emitter.on(event, listener);
    return {
      stop: () => {
        for (const [event, listener] of pairs) emitter.off(event, listener);
      }
    };
  }
}
