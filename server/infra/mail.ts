import nodemailer from 'nodemailer';
import type { Config } from './config.ts';
import { redactedUrl } from './redis.ts';

// Outgoing mail (docs/architecture.md#email-and-password-resets): SMTP through nodemailer when
// SMTP_URL is set; outside production without it, each mail is one line of the server log, so
// a developer can follow the link. Production without SMTP_URL or PUBLIC_URL sends nothing and the
// email features answer that they are off: a link to the request's own Host could be forged.

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** False when this server cannot send mail: the email endpoints refuse. */
  readonly enabled: boolean;
  /** Where mail goes, for the start-up log. */
  readonly place: string;
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(config: Pick<Config, 'isProduction' | 'mail'>): Mailer {
  const { smtpUrl, from, publicUrl } = config.mail;
  if (smtpUrl && (publicUrl || !config.isProduction)) {
    const transport = nodemailer.createTransport(smtpUrl);
    return {
      enabled: true,
      place: `SMTP at ${redactedUrl(smtpUrl)}`,
      async send(mail) {
        await transport.sendMail({ from, ...mail });
      },
      close: () => transport.close()
    };
  }
  if (!config.isProduction) {
    return {
      enabled: true,
      place: 'the log (SMTP_URL is not set)',
      async send(mail) {
        // One line: the links are what a developer needs.
        console.log(`[mail] to ${mail.to}: ${mail.subject} | ${mail.text.replace(/\s+/g, ' ').trim()}`);
      },
      close: () => undefined
    };
  }
  return {
    enabled: false,
    place: `nowhere: email features are off (${smtpUrl ? 'PUBLIC_URL' : 'SMTP_URL'} is not set)`,
    async send() {
      throw new Error('mail is off');
    },
    close: () => undefined
  };
}
