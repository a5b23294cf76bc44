import { EventEmitter } from 'node:events';
import type { FriendsChange } from '../../src/lib/protocol/index.ts';

// What one part of the server tells the others: the REST side announces membership changes and
// sign-outs and friends' changes; the socket side moves live sockets accordingly.

export interface ServerEventMap {
  'user:signed-out': [userId: number];
  'room:member-joined': [event: { roomId: string; userId: number; username: string }];
  'room:member-left': [event: { roomId: string; userId: number; username: string; reason: 'left' | 'removed' }];
  'room:deleted': [event: { roomId: string; memberIds: number[] }];
  /** Their friends, requests or blocks changed (docs/architecture.md#friends-and-direct-messages). */
  'friends:changed': [event: { userIds: number[]; reason: FriendsChange }];
}

export class ServerEvents extends EventEmitter<ServerEventMap> {}
