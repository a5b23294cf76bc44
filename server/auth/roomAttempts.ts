import { ROOM_PASSWORD_FAILS_PER_ROOM, ROOM_PASSWORD_FAILS_PER_USER, ROOM_PASSWORD_WINDOW_SECONDS } from '../../src/lib/protocol/index.ts';
import type { Redis } from '../infra/redis.ts';
import { admit, AttemptCounter, type Attempt, type Refusal } from './attempts.ts';

/** Where the counts live in Redis (the prefix, a colon, then `roomId|userId` or the room id). */
export const ROOM_ATTEMPT_PREFIXES = {
  userInRoom: 'bbb:roompw:user',
  room: 'bbb:roompw:room'
} as const;

/**
 * Wrong room passwords, counted per user per room and per room; a right password gives its count
 * back. Both windows are ROOM_PASSWORD_WINDOW_SECONDS long.
 *
 * - A user gets ROOM_PASSWORD_FAILS_PER_USER wrong tries on a room per window, then waits.
 * - A room that took more than ROOM_PASSWORD_FAILS_PER_ROOM wrong tries in the window from all
 *   users together refuses further tries from users who themselves failed on it, while a user
 *   who has not tried yet still gets their try. So someone guessing from many accounts gets one
 *   guess per account per window, and a member who types the right password first time always
 *   gets in: refusing everybody would let a single guesser lock the room.
 *
 * Counting happens before bcrypt, so parallel guesses cannot slip past while the first are being
 * checked; guesses past a limit are refused without a bcrypt run.
 */
export function createRoomAttempts(redis: Redis) {
  const perUser = new AttemptCounter(redis, ROOM_ATTEMPT_PREFIXES.userInRoom, ROOM_PASSWORD_FAILS_PER_USER, ROOM_PASSWORD_WINDOW_SECONDS);
  const perRoom = new AttemptCounter(redis, ROOM_ATTEMPT_PREFIXES.room, ROOM_PASSWORD_FAILS_PER_ROOM, ROOM_PASSWORD_WINDOW_SECONDS);

  return {
    admit(roomId: string, userId: number): Promise<Attempt | Refusal> {
      const own = { counter: perUser, key: `${roomId}|${userId}` };
      return admit({ limits: [own], crowd: { slot: { counter: perRoom, key: roomId }, own }, clearOnSuccess: [own] });
    }
  };
}

export type RoomAttempts = ReturnType<typeof createRoomAttempts>;
