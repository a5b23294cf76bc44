import express, { type ErrorRequestHandler, type Express } from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthLimits } from './auth/rateLimit.ts';
import { createSessions, type Sessions } from './auth/session.ts';
import type { Config } from './infra/config.ts';
import type { DB } from './infra/db.ts';
import { createQueries, type Queries } from './db/queries.ts';
import { ServerEvents } from './infra/events.ts';
import { securityHeaders } from './infra/headers.ts';
import { createOriginCheck } from './infra/origin.ts';
import type { Redis } from './infra/redis.ts';
import { createAuthRouter } from './routes/auth.ts';
import { createRoomsRouter } from './routes/rooms.ts';
import { createUploadRouter } from './routes/upload.ts';
import { initSocket, type IoServer } from './socket/index.ts';
import { startUploadCleanup } from './uploads/cleanup.ts';

/** What every route and handler may use: built once per app, passed down, never global. */
export interface AppContext {
  config: Config;
  db: DB;
  queries: Queries;
  redis: Redis;
  /** URL of the same Redis, for parts that need connections of their own (the socket adapter). */
  redisUrl: string;
  sessions: Sessions;
  events: ServerEvents;
}

export interface AppOptions {
  config: Config;
  db: DB;
  redis: Redis;
  redisUrl: string;
  /** The built SPA; served with its fallback page when the folder exists. */
  clientDir?: string;
  /** How often the socket adapter counts other server processes (tests shorten it). */
  peerCheckMs?: number;
}

export interface Application {
  app: Express;
  httpServer: HttpServer;
  io: IoServer;
  context: AppContext;
  /** True while this process knows no other server process shares its Redis. */
  clusterAlone(): boolean;
  /** Stops accepting, disconnects sockets and finishes background work; storage stays open. */
  close(): Promise<void>;
}

const defaultClientDir = path.resolve(fileURLToPath(new URL('../build', import.meta.url)));

export async function createApplication(options: AppOptions): Promise<Application> {
  const { config, db, redis, redisUrl } = options;
  const queries = createQueries(db);
  const context: AppContext = {
    config,
    db,
    queries,
    redis,
    redisUrl,
    sessions: createSessions(config.jwtSecret, queries, config.isProduction),
    events: new ServerEvents()
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);

  const clientDir = options.clientDir ?? defaultClientDir;
  app.use(securityHeaders({ isProduction: config.isProduction, pageFile: path.join(clientDir, 'index.html') }));
  const sameOrigin = createOriginCheck(config);

  // A state-changing API call from a page on another site is refused outright (CSRF).
  app.use('/api', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req)) {
      res.status(403).json({ error: 'Cross-site request refused' });
      return;
    }
    next();
  });
  app.use('/api', express.json({ limit: '100kb' }));

  const authLimits = createAuthLimits(redis, config.authRateLimit);
  app.use('/api/auth', createAuthRouter({ queries, sessions: context.sessions, events: context.events, limits: authLimits }));
  app.use('/api/rooms', createRoomsRouter(context));
  app.use('/api/upload', createUploadRouter(context));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });

  app.use(
    '/uploads',
    express.static(config.uploadsDir, {
      index: false,
      dotfiles: 'deny',
      fallthrough: true,
      maxAge: '1d',
      // The type comes from the extension we chose after checking the bytes; opened directly, an
      // upload may run nothing (nosniff is already set for every response).
      setHeaders: (res) => res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
    }),
    (_req, res) => {
      res.status(404).json({ error: 'Not found' });
    }
  );

  if (existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false }));
    app.get('/{*path}', (req, res, next) => {
      if (req.path.startsWith('/socket.io')) return next();
      res.sendFile(path.join(clientDir, 'index.html'));
    });
  }

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) console.error(err);
    const message =
      err?.type === 'entity.parse.failed'
        ? 'Request body is not valid JSON'
        : err?.type === 'entity.too.large'
          ? 'Request body is too large'
          : status === 500
            ? 'Something went wrong'
            : String(err?.message ?? 'Bad request');
    if (!res.headersSent) res.status(status).json({ error: message });
  };
  app.use(onError);

  const httpServer = createServer(app);
  const socket = await initSocket(httpServer, context, { peerCheckMs: options.peerCheckMs });
  // Hourly, and once now: images older than UPLOAD_MAX_AGE_HOURS go.
  const uploadCleanup = startUploadCleanup({ uploadsDir: config.uploadsDir, queries });

  return {
    app,
    clusterAlone: socket.alone,
    httpServer,
    io: socket.io,
    context,
    async close() {
      await uploadCleanup.stop();
      await socket.close();
      await new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    }
  };
}
