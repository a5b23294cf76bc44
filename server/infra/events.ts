import { EventEmitter } from 'node:events';

// What one part of the server tells the others: the REST side announces membership changes and
// sign-outs; the socket side moves live sockets accordingly.

export interface ServerEventMap {
  'user:signed-out': [userId: number];
  'room:member-joined': [event: { roomId: string; userId: number; username: string }];
  'room:member-left': [event: { roomId: string; userId: number; username: string; reason: 'left' | 'removed' }];
  'room:deleted': [event: { roomId: string; memberIds: number[] }];
}

export class ServerEvents extends EventEmitter<ServerEventMap> {}
