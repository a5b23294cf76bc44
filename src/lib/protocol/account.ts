import { z } from 'zod';
import { passwordSchema } from './auth';
import { EMAIL_MAX } from './limits';

// Account settings: changing the password, the email address and resetting a forgotten password
// by mail (docs/architecture.md#email-and-password-resets).

/** An address as typed: trimmed, at most EMAIL_MAX characters, one @ with a dotted domain. */
export const emailSchema = z
  .string({ error: 'Email must be a string' })
  .trim()
  .min(1, 'Email is required')
  .max(EMAIL_MAX, `Email must be at most ${EMAIL_MAX} characters`)
  .pipe(z.email({ error: 'That does not look like an email address' }));

export const changePasswordSchema = z.object({
  // Like sign-in: only the shape, so older passwords that break today's rules still work.
  currentPassword: z.string({ error: 'Current password is required' }).min(1, 'Current password is required').max(1000),
  newPassword: passwordSchema
});
export type ChangePasswordRequest = z.infer<typeof changePasswordSchema>;

export const emailRequestSchema = z.object({ email: emailSchema });
export type EmailRequest = z.infer<typeof emailRequestSchema>;

/** What a mailed link carries: 32 random bytes, base64url. */
export const linkTokenSchema = z.string({ error: 'The link is incomplete' }).regex(/^[A-Za-z0-9_-]{43}$/, 'This link is invalid or has expired');

export const verifyEmailSchema = z.object({ token: linkTokenSchema });
export const resetPasswordSchema = z.object({ token: linkTokenSchema, password: passwordSchema });
export type ResetPasswordRequest = z.infer<typeof resetPasswordSchema>;

/** GET /api/email: the account's address and the one waiting for its link. */
export interface EmailStatus {
  /** False when this server sends no mail (production without SMTP_URL and PUBLIC_URL). */
  enabled: boolean;
  /** The verified address, if any. */
  email: string | null;
  /** An address whose verification link is out and still valid. */
  pending: string | null;
}

/** The answer to a request that sends mail: the same words whatever the address. */
export interface MailAnswer {
  message: string;
}
