import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { readFileSync, statSync } from 'node:fs';

/**
 * Powerful browser features the app never uses, switched off for its pages and anything framed
 * in them. Only names Chromium knows: unknown ones are reported as console errors.
 */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'publickey-credentials-get',
  'serial',
  'usb',
  'xr-spatial-tracking'
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** Responses that are not the app's page (JSON, errors) may load nothing and be framed nowhere. */
export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// Paths the app's page is never served under.
const NOT_THE_PAGE = /^\/(?:api|uploads|socket\.io)(?:\/|$)/;

// What a <meta> policy cannot say; sent with the page in the header only.
const HEADER_ONLY = "frame-ancestors 'none'";

const META_CSP = /<meta\s+http-equiv=["']content-security-policy["']\s+content="([^"]*)"\s*\/?>/i;

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * The header policy of the built page: SvelteKit writes the policy of svelte.config.js, with the
 * hash of its start-up script, into the page as a <meta> tag. The header repeats that text and
 * adds frame-ancestors, which browsers ignore in a <meta>. Both are then enforced and say the
 * same, so they can never disagree, and the hash is never copied by hand.
 */
export function pagePolicy(html: string): string | null {
  const meta = META_CSP.exec(html);
  if (!meta) return null;
  const policy = unescapeAttribute(meta[1]).trim().replace(/;$/, '');
  return /(^|;)\s*frame-ancestors\s/.test(policy) ? policy : `${policy}; ${HEADER_ONLY}`;
}

export interface SecurityHeadersOptions {
  isProduction: boolean;
  /** The built page (index.html), when this process serves the app; its policy is read from it. */
  pageFile?: string;
}

/**
 * Every response's security headers: helmet's set (nosniff, no framing, same-origin referrers and
 * opener, HSTS in production), a Permissions-Policy, and a Content-Security-Policy: the page's
 * for everything the app's files are served under, a deny-all one for the API. Later handlers may
 * replace the CSP (uploads carry their own sandbox).
 */
export function securityHeaders(options: SecurityHeadersOptions): RequestHandler[] {
  const page = options.pageFile ? builtPagePolicy(options.pageFile) : () => NON_PAGE_POLICY;
  return [
    helmet({
      // Set below: it depends on what is being served, and the page's comes from the build.
      contentSecurityPolicy: false,
      referrerPolicy: { policy: 'same-origin' },
      xFrameOptions: { action: 'deny' },
      // Browsers honour HSTS only over HTTPS; outside production the app is reached over plain
      // http://localhost, where a remembered HSTS entry would only get in the way.
      strictTransportSecurity: options.isProduction ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true } : false
    }),
    (req, res, next) => {
      res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
      res.setHeader('Content-Security-Policy', NOT_THE_PAGE.test(req.path) ? NON_PAGE_POLICY : page(req.path));
      next();
    }
  ];
}

/**
 * The page's policy, read again when the build changes on disk (a rebuild while the server runs
 * gives the start-up script a new hash). Asset requests reuse the last value without a look.
 */
function builtPagePolicy(file: string): (path: string) => string {
  let policy = NON_PAGE_POLICY;
  let readAt = -1;
  const refresh = () => {
    try {
      const mtime = statSync(file).mtimeMs;
      if (mtime !== readAt) {
        readAt = mtime;
        const found = pagePolicy(readFileSync(file, 'utf8'));
        // Without kit.csp the page would run with no policy; refuse everything instead, loudly.
        if (!found) console.error(`[headers] ${file} has no Content-Security-Policy <meta>: is kit.csp missing from svelte.config.js?`);
        policy = found ?? NON_PAGE_POLICY;
      }
    } catch {
      policy = NON_PAGE_POLICY;
      readAt = -1;
    }
  };
  refresh();
  return (path) => {
    if (!path.startsWith('/_app/')) refresh();
    return policy;
  };
}
