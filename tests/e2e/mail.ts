// The mails the browser tests' server sent, as its SMTP server received them (tests/e2e/serve.ts).
import { expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CapturedMail } from '../support/smtp.ts';

function mailDir(): string {
  const dir = process.env.E2E_MAIL_DIR;
  if (!dir) throw new Error('E2E_MAIL_DIR is not set (see playwright.config.ts)');
  return dir;
}

/** Every mail received so far to `address`, oldest first. */
export function mailsTo(address: string): CapturedMail[] {
  let files: string[];
  try {
    files = readdirSync(mailDir()).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files
    .map((f) => JSON.parse(readFileSync(path.join(mailDir(), f), 'utf8')) as CapturedMail)
    .filter((mail) => mail.to.includes(address.toLowerCase()));
}

/** Waits for mail number `count` to `address` and returns its link. */
export async function linkInMail(address: string, count: number): Promise<string> {
  await expect.poll(() => mailsTo(address).length, { message: `mail ${count} to ${address}` }).toBeGreaterThanOrEqual(count);
  const link = mailsTo(address)[count - 1].link;
  if (!link) throw new Error(`mail ${count} to ${address} has no link`);
  return link;
}
