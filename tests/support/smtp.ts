import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server for tests (smtp-server on an ephemeral loopback port) that keeps every mail
// it receives. The app sends to it through SMTP_URL exactly as it would to a provider.

export interface CapturedMail {
  /** Envelope recipients, lower-cased. */
  to: string[];
  subject: string;
  /** The body, transfer encoding undone. */
  text: string;
  /** The first link in the body carrying a token, if any. */
  link: string | null;
}

export interface TestSmtp {
  url: string;
  port: number;
  mails: CapturedMail[];
  /** The next mail to `address` (counted from the mails already received), or a rejection. */
  nextMailTo(address: string, timeoutMs?: number): Promise<CapturedMail>;
  /** Mails received so far for `address`. */
  mailsTo(address: string): CapturedMail[];
  stop(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  return bytes.toString('utf8');
}

/** A single-part text mail as nodemailer writes it: headers, a blank line, the encoded body. */
export function parseMail(raw: string, to: string[]): CapturedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1].trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  const link = /https?:\/\/\S+?token=[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;
  return { to, subject: header('Subject'), text, link };
}

/** Starts the server; `onMail` sees each mail as it arrives (the browser tests write them to a folder). */
export async function startTestSmtp(onMail?: (mail: CapturedMail) => void): Promise<TestSmtp> {
  const mails: CapturedMail[] = [];
  const waiters = new Set<(mail: CapturedMail) => void>();
  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS certificate to trust, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'), to);
        mails.push(mail);
        onMail?.(mail);
        for (const waiter of [...waiters]) waiter(mail);
        callback();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    mailsTo: (address) => mails.filter((m) => m.to.includes(address.toLowerCase())),
    nextMailTo(address, timeoutMs = 5000) {
      const wanted = address.toLowerCase();
      return new Promise((resolve, reject) => {
        const waiter = (mail: CapturedMail) => {
          if (!mail.to.includes(wanted)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  };
}
