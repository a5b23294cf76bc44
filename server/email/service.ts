import { createHash, randomBytes } from 'node:crypto';
import { EMAIL_VERIFY_HOURS, PASSWORD_RESET_MINUTES, type EmailStatus } from '../../src/lib/protocol/index.ts';
import type { AuthService } from '../auth/service.ts';
import { AppError } from '../infra/errors.ts';
import { tooMany, type MailLimits, type Refusal } from '../infra/limits.ts';
import type { Mailer } from '../infra/mail.ts';
import type { EmailStore, LinkPurpose } from './storage.ts';

// An account's email address, verified by a mailed link, and password resets by mail
// (docs/architecture.md#email-and-password-resets). Links carry 32 random bytes; only their
// SHA-256 is stored, each works once and until it expires, and a newer link replaces the older.
// Nothing answered here tells whether an address belongs to an account.

export interface EmailServiceDeps {
  store: EmailStore;
  mailer: Mailer;
  limits: MailLimits;
  auth: Pick<AuthService, 'setPassword' | 'named'>;
  /** Now, in ms: tests of expiry move it instead of waiting a day. */
  now?: () => number;
}

const VERIFY_MS = EMAIL_VERIFY_HOURS * 60 * 60 * 1000;
const RESET_MS = PASSWORD_RESET_MINUTES * 60 * 1000;

/** What a request for a verification mail is told, whatever happened to the address. */
export const VERIFY_SENT = 'Check your inbox: we sent a link to confirm this address.';
/** What a forgot-password request is told, whether or not an account has the address. */
export const RESET_SENT = 'If an account has this address, a mail with a reset link is on its way.';
export const LINK_INVALID = 'This link is invalid or has expired. Ask for a new one.';

const mailOff = () => new AppError('UNAVAILABLE', 'This server does not send email, so this is not available here.');
const linkInvalid = () => new AppError('VALIDATION_ERROR', LINK_INVALID);

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

function refuseIf(refusal: Refusal | null, what: string): void {
  if (refusal) throw tooMany(refusal, what);
}

export function createEmailService({ store, mailer, limits, auth, now = Date.now }: EmailServiceDeps) {
  /** A fresh link for the account, replacing its older one; returns the token to mail. */
  async function newLink(userId: number, purpose: LinkPurpose, email: string, lifetimeMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await store.saveLink(hashOf(token), purpose, { userId, email, expiresAt: now() + lifetimeMs });
    return token;
  }

  /** A link that was issued for this purpose and has not expired, taken out so it never works again. */
  async function redeem(ip: string | undefined, token: string, purpose: LinkPurpose) {
    refuseIf(await limits.linkFrom(ip), 'Too many links tried.');
    const link = await store.takeLink(hashOf(token), purpose);
    if (!link || link.expiresAt <= now()) throw linkInvalid();
    return link;
  }

  /**
   * Sends in the background: the answer never waits for the SMTP server, so its timing does not
   * tell whether a mail went. A failure is logged; the user can ask again.
   */
  function sendLater(work: () => Promise<unknown>): void {
    work().catch((err: unknown) => console.error('[mail] not sent:', err instanceof Error ? err.message : err));
  }

  async function nameOf(userId: number): Promise<string> {
    return (await auth.named([userId]))[0]?.username ?? 'there';
  }

  return {
    get enabled() {
      return mailer.enabled;
    },

    async status(userId: number): Promise<EmailStatus> {
      const [email, pending] = await Promise.all([store.emailOf(userId), store.pendingOf(userId, now())]);
      return { enabled: mailer.enabled, email: email ?? null, pending: pending ?? null };
    },

    /**
     * Mails a verification link for `email`. An address already verified by another account gets
     * a notice instead (and this user the very same answer); the user's own verified address gets
     * nothing. Counted per account and per address.
     */
    async requestVerification(userId: number, email: string, linkBase: string): Promise<void> {
      if (!mailer.enabled) throw mailOff();
      refuseIf(await limits.verifyFor(userId), 'Too many verification mails asked for.');
      refuseIf(await limits.toAddress(email), 'Too many mails to this address.');
      const owner = await store.ownerOf(email);
      if (owner === userId) return;
      const username = await nameOf(userId);
      if (owner !== undefined) {
        sendLater(() =>
          mailer.send({
            to: email,
            subject: 'Someone tried to add your address to BeeBeeBee',
            text: `Someone signed in as "${username}" asked to add this address to their BeeBeeBee account. It already belongs to another account, so nothing changed. If that was you, you can ignore this mail.`
          })
        );
        return;
      }
      const token = await newLink(userId, 'verify', email, VERIFY_MS);
      sendLater(() =>
        mailer.send({
          to: email,
          subject: 'Confirm your email for BeeBeeBee',
          text: `Hi ${username}, confirm this address for your BeeBeeBee account by opening this link within ${EMAIL_VERIFY_HOURS} hours: ${linkBase}/verify-email?token=${token} If you did not ask for this, ignore this mail.`
        })
      );
    },

    /** Follows a verification link: its address becomes the account's. */
    async verify(ip: string | undefined, token: string): Promise<string> {
      const link = await redeem(ip, token, 'verify');
      // Verified by another account since the link went out: the address stays theirs.
      if (!(await store.setEmail(link.userId, link.email))) throw linkInvalid();
      // A reset link mailed to the old address no longer works.
      await store.dropLink(link.userId, 'reset');
      return link.email;
    },

    /**
     * Mails a reset link when a verified address matches; the answer is the same either way and
     * comes before any lookup. Counted per address and per client, whether an account has the
     * address or not, so a refusal says nothing either; and per account once one is found, where
     * going past the count only means no mail, so the answer still says nothing. (An account that
     * verifies a new address starts a fresh count there, not a fresh count of its own.)
     */
    async requestReset(ip: string | undefined, email: string, linkBase: string): Promise<void> {
      if (!mailer.enabled) throw mailOff();
      refuseIf(await limits.resetFrom(ip), 'Too many password resets asked for.');
      refuseIf(await limits.toAddress(email), 'Too many mails to this address.');
      sendLater(async () => {
        const userId = await store.ownerOf(email);
        if (userId === undefined || (await limits.resetFor(userId))) return;
        const address = (await store.emailOf(userId)) ?? email;
        const token = await newLink(userId, 'reset', address, RESET_MS);
        await mailer.send({
          to: address,
          subject: 'Reset your BeeBeeBee password',
          text: `Hi ${await nameOf(userId)}, set a new password for your BeeBeeBee account by opening this link within ${PASSWORD_RESET_MINUTES} minutes: ${linkBase}/reset-password?token=${token} If you did not ask for this, ignore this mail: your password stays as it is.`
        });
      });
    },

    /** Follows a reset link: the new password is set and every session of the account ends. */
    async resetPassword(ip: string | undefined, token: string, password: string): Promise<void> {
      const link = await redeem(ip, token, 'reset');
      // Mailed to an address the account has since replaced: not the owner's inbox any more.
      const current = await store.emailOf(link.userId);
      if (current?.toLowerCase() !== link.email.toLowerCase()) throw linkInvalid();
      await auth.setPassword(link.userId, password);
    }
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
