import express from 'express';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Config } from './config.ts';

/** Whether the peer at `address` (hop `index`, 0 = the one connected to us) is a trusted proxy. */
export type TrustProxy = (address: string, index: number) => boolean;

/**
 * The very function Express builds from the `trust proxy` setting, so the socket handshake (which
 * only has a plain IncomingMessage) believes exactly the proxies `req.protocol` believes.
 */
export function compileTrustProxy(setting: Config['trustProxy']): TrustProxy {
  const compiled: unknown = express().set('trust proxy', setting).get('trust proxy fn');
  if (typeof compiled !== 'function') throw new Error('Express did not compile the trust proxy setting');
  return compiled as TrustProxy;
}

// A Host header is a name or an IP literal with an optional port, nothing else: no userinfo, path
// or second host hidden in it.
const HOST_HEADER = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The origin the request was sent to, as a browser would write it: the scheme it arrived with
 * (TLS or not; a trusted proxy's X-Forwarded-Proto instead) and the Host header, default ports
 * dropped. Null when the Host header is missing or malformed.
 */
export function requestOrigin(req: IncomingMessage, trust: TrustProxy): string | null {
  let scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  if (trust(req.socket.remoteAddress ?? '', 0)) {
    const header = req.headers['x-forwarded-proto'];
    const forwarded = (Array.isArray(header) ? header[0] : header)?.split(',')[0].trim().toLowerCase();
    if (forwarded === 'http' || forwarded === 'https') scheme = forwarded;
  }
  const host = req.headers.host;
  if (!host || !HOST_HEADER.test(host)) return null;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * `value` when it is an origin exactly as browsers send one: http(s), a host, a port only when not
 * the default, and nothing more (no userinfo, path, query or trailing slash). `null` (sandboxed
 * frames, file pages) and anything else give null.
 */
export function canonicalOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin === value ? value : null;
}

/**
 * True when a browser request's Origin is exactly the app's own (scheme, host and port) or one of
 * `allowed`. Requests with no Origin header (curl, other non-browser clients) are not cross-site
 * requests and pass; the session cookie is SameSite=Lax besides.
 */
export function isAllowedOrigin(origin: string | undefined, own: string | null, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  const exact = canonicalOrigin(origin);
  if (exact === null) return false;
  return exact === own || allowed.has(exact);
}

/**
 * The check the REST guard and the socket handshake share, built once from the config. Entries of
 * ALLOWED_ORIGINS are written the way browsers send origins (`https://example.com:443` becomes
 * `https://example.com`); entries that are not origins at all (a path, userinfo) never match.
 */
export function createOriginCheck(config: Pick<Config, 'allowedOrigins' | 'trustProxy'>): (req: IncomingMessage) => boolean {
  const trust = compileTrustProxy(config.trustProxy);
  const allowed = new Set<string>();
  for (const entry of config.allowedOrigins) {
    try {
      const url = new URL(entry);
      if (!url.username && !url.password && url.pathname === '/' && !url.search && !url.hash) allowed.add(url.origin);
    } catch {
      // Not a URL: it can match nothing.
    }
  }
  let hinted = false;
  return (req) => {
    const own = requestOrigin(req, trust);
    const ok = isAllowedOrigin(req.headers.origin, own, allowed);
    if (!ok && !hinted && own && req.headers['x-forwarded-proto'] && !trust(req.socket.remoteAddress ?? '', 0)) {
      // The usual cause of a deployment refusing its own pages: TLS ends at a proxy the app was not
      // told to believe, so every https page looks like another site's.
      hinted = true;
      console.warn(
        `[origin] refused Origin ${req.headers.origin} for ${own}: X-Forwarded-Proto came from ${req.socket.remoteAddress}, which TRUST_PROXY does not name (set it when TLS ends at a proxy)`
      );
    }
    return ok;
  };
}
