import { EventEmitter } from 'node:events';
import type { Settings } from '../../src/lib/protocol/index.ts';

// What one part of the server tells the others: the REST side announces membership changes,
// sign-outs, new profile pictures and saved settings; the socket side moves live sockets accordingly.

export interface ServerEventMap {
  'user:signed-out': [userId: number];
  'room:member-joined': [event: { roomId: string; userId: number; username: string }];
  'room:member-left': [event: { roomId: string; userId: number; username: string; reason: 'left' | 'removed' }];
  'room:deleted': [event: { roomId: string; memberIds: number[] }];
  /** A new or removed profile picture (docs/architecture.md#profiles). */
  'profile:avatar-changed': [event: { userId: number; avatar: string | null }];
  'profile:settings-saved': [event: { userId: number; settings: Settings }];
}

export class ServerEvents extends EventEmitter<ServerEventMap> {}
