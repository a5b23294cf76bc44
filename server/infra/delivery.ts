import compression from 'compression';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { statSync } from 'node:fs';
import path from 'node:path';
import { UPLOAD_MAX_AGE_HOURS } from '../../src/lib/protocol/limits.ts';

// How the app's bytes leave the server: the built page and its files as the build compressed
// them, chosen by what the browser accepts; JSON answers compressed as they are made; and a
// Cache-Control on each saying how long a browser may keep it (docs/architecture.md#delivery).

/** Build files whose name carries a hash of their content: a new build gives new names. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** The page and anything without a hashed name: kept, but checked with the server on every use. */
export const REVALIDATE_CACHE = 'no-cache';
/** API answers: per user, never kept by a shared cache, always asked again. */
export const API_CACHE = 'private, no-cache';
/**
 * An upload's name is chosen once and its bytes never change; it is deleted after
 * UPLOAD_MAX_AGE_HOURS, so no browser needs to keep it longer. Private: a friends' picture has no
 * business in a shared proxy.
 */
export const UPLOAD_CACHE = `private, max-age=${UPLOAD_MAX_AGE_HOURS * 60 * 60}, immutable`;

/** JSON answers shorter than this go out as they are: compressing them saves less than it costs. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/** The encodings `vite build` writes beside each file (svelte.config.js, precompress), best first. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' }
] as const;

const IMMUTABLE_PREFIX = '/_app/immutable/';

function fileSize(file: string): number | null {
  try {
    const stat = statSync(file);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

/** The file a request path names inside `root`, or null for anything that tries to leave it. */
function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.join(root, path.posix.normalize(decoded));
  return file.startsWith(root + path.sep) ? file : null;
}

/**
 * Accept-Encoding as weights: `br;q=0.5, gzip` gives br 0.5 and gzip 1. A name the header does not
 * list takes the weight of `*` when present, else 0. The plain file is always acceptable, so an
 * unlisted identity only means the client states no preference for it.
 */
function encodingWeight(header: string | undefined): (encoding: string) => number {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    weights.set(name, Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 1) : 0);
  }
  return (encoding) => weights.get(encoding) ?? weights.get('*') ?? 0;
}

/**
 * Which stored form of `file` to send: of the compressed forms the browser accepts, the one it
 * weighs highest, ours (brotli first) when it weighs them alike, as Chromium does with
 * "gzip, deflate, br, zstd"; null for the file as it is. `offered` is true when any compressed
 * form exists, so the answer depends on Accept-Encoding and must say so in Vary.
 */
function chooseForm(req: Request, file: string): { offered: boolean; form: (typeof PRECOMPRESSED)[number] | null } {
  const plain = fileSize(file);
  if (plain === null) return { offered: false, form: null };
  const available = PRECOMPRESSED.filter(({ suffix }) => {
    const size = fileSize(file + suffix);
    // A tiny file can come out of the compressor larger than it went in.
    return size !== null && size < plain;
  });
  if (available.length === 0) return { offered: false, form: null };
  const weight = encodingWeight(req.headers['accept-encoding']);
  let best: (typeof PRECOMPRESSED)[number] | null = null;
  for (const form of available) if (weight(form.encoding) > (best ? weight(best.encoding) : 0)) best = form;
  // Only a client that asks for the plain file above every compressed one gets it anyway.
  if (best && weight('identity') > weight(best.encoding)) best = null;
  return { offered: true, form: best };
}

/**
 * Serves the built SPA from `clientDir`: its files, and index.html for every other path so the
 * client router takes over. A missing hashed file under /_app/ is a 404, never the page: a
 * browser holding an older build must see the failure (SvelteKit then reloads), not run HTML as
 * a script.
 */
export function serveBuiltApp(clientDir: string): RequestHandler[] {
  const root = path.resolve(clientDir);
  const files = express.static(root, {
    index: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      const immutable = file.startsWith(path.join(root, IMMUTABLE_PREFIX));
      res.setHeader('Cache-Control', immutable ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
    }
  });

  const sendCompressed: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = fileUnder(root, req.path);
    if (!file) return next();
    const { offered, form } = chooseForm(req, file);
    if (offered) res.vary('Accept-Encoding');
    if (form) {
      // The type of the file itself, not of its .br/.gz form; send keeps a type already set.
      res.type(path.extname(file));
      res.setHeader('Content-Encoding', form.encoding);
      const query = req.url.indexOf('?');
      req.url = req.path + form.suffix + (query === -1 ? '' : req.url.slice(query));
    }
    files(req, res, (err?: unknown) => {
      // The compressed form vanished between the look and the send (a rebuild): undo and go on.
      if (form) {
        res.removeHeader('Content-Encoding');
        res.removeHeader('Content-Type');
        req.url = req.originalUrl;
      }
      next(err);
    });
  };

  const page: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.startsWith('/_app/')) return res.status(404).type('text').send('Not found');
    req.url = '/index.html';
    sendCompressed(req, res, next);
  };

  return [sendCompressed, page];
}

/**
 * The JSON API's answers: compressed on the fly past COMPRESS_THRESHOLD_BYTES when the browser
 * accepts it, and never cached without asking. Mounted on /api only, so the Socket.IO transport
 * (which has its own framing and is never compressed, see infra/socketServer.ts) is untouched.
 */
export function apiDelivery(): RequestHandler[] {
  return [
    (_req: Request, res: Response, next) => {
      res.setHeader('Cache-Control', API_CACHE);
      next();
    },
    compression({ threshold: COMPRESS_THRESHOLD_BYTES })
  ];
}
