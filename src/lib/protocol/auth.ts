import { z } from 'zod';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN } from './limits';

const encoder = new TextEncoder();

/** Length in UTF-8 bytes, the unit bcrypt counts in ('é' is 2, most emoji 4). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * bcrypt silently ignores everything past 72 bytes, so a longer password would accept any tail.
 * Checked where a password is chosen, never at sign-in, so older accounts keep working.
 */
export const PASSWORD_TOO_LONG = `Password must be at most ${PASSWORD_MAX_BYTES} bytes (letters like é take 2, emoji 4)`;

export const usernameSchema = z
  .string({ error: 'Username must be a string' })
  .min(USERNAME_MIN, `Username must be at least ${USERNAME_MIN} characters`)
  .max(USERNAME_MAX, `Username must be at most ${USERNAME_MAX} characters`)
  .regex(/^[A-Za-z0-9_]+$/, 'Username may contain only letters, digits and _');

export const passwordSchema = z
  .string({ error: 'Password must be a string' })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .refine((password) => utf8Bytes(password) <= PASSWORD_MAX_BYTES, PASSWORD_TOO_LONG);

export const credentialsSchema = z.object({ username: usernameSchema, password: passwordSchema });
export type Credentials = z.infer<typeof credentialsSchema>;

/** What the API tells about a signed-in user; never the password hash. */
export interface PublicUser {
  id: number;
  username: string;
}

/** POST /api/account/delete: the current password confirms it (any length, like sign-in). */
export const deleteAccountSchema = z.strictObject({
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(1000, 'Password is too long')
});
export type DeleteAccountRequest = z.input<typeof deleteAccountSchema>;
