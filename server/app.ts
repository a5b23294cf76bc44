import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccountDeletionRouter } from './account-deletion/routes.ts';
import { createAccountDeletion } from './account-deletion/service.ts';
import { createActivityHandlers } from './activity/handlers.ts';
import { createActivityService } from './activity/service.ts';
import { createActivityStore } from './activity/storage.ts';
import { authenticate, closeWhenSessionExpires, followSignOuts } from './auth/handlers.ts';
import { followFriends, friendsPresence } from './friends/handlers.ts';
import { createFriendsRouter } from './friends/routes.ts';
import { createFriendsService } from './friends/service.ts';
import { createPostgresFriendsStore } from './friends/storage-postgres.ts';
import { createSqliteFriendsStore, type FriendsStore } from './friends/storage.ts';
import { createAuthRouter } from './auth/routes.ts';
import { createAuthService } from './auth/service.ts';
import { createSessions } from './auth/session.ts';
import { createPostgresUserStore } from './auth/storage-postgres.ts';
import { createSqliteUserStore, type UserStore } from './auth/storage.ts';
import { createEmailRouter } from './email/routes.ts';
import { createEmailService } from './email/service.ts';
import { createPostgresEmailStore } from './email/storage-postgres.ts';
import { createSqliteEmailStore, type EmailStore } from './email/storage.ts';
import type { Config } from './infra/config.ts';
import type { AppDatabase } from './infra/db.ts';
import { apiDelivery, serveBuiltApp } from './infra/delivery.ts';
import { AppError, answerErrors } from './infra/errors.ts';
import { ServerEvents } from './infra/events.ts';
import { securityHeaders } from './infra/headers.ts';
import { createHealthRouter } from './infra/health.ts';
import {
  createAuthLimits,
  createAvatarEncodeGate,
  createFriendLimits,
  createInviteLookupLimit,
  createMailLimits,
  createPasswordChangeAttempts,
  createProfileLimits,
  createRoomAttempts,
  createRoomSearchLimit,
  createSocketLimits,
  createUploadLimit
} from './infra/limits.ts';
import { createMailer, type Mailer } from './infra/mail.ts';
import { createOriginCheck } from './infra/origin.ts';
import type { Redis } from './infra/redis.ts';
import { memberGate, userChannel, type IoServer } from './infra/socket.ts';
import { createSocketServer } from './infra/socketServer.ts';
import { createMessageHandlers, followMessageDeletions } from './messages/handlers.ts';
import { createMessageService } from './messages/service.ts';
import { createMessageStore } from './messages/storage.ts';
import { limitSocketsPerUser, presenceRooms } from './presence/handlers.ts';
import { createPresenceService } from './presence/service.ts';
import { createPresenceStore } from './presence/storage.ts';
import { followProfiles } from './profiles/handlers.ts';
import { createProfileRouter, createServedAvatarsRouter } from './profiles/routes.ts';
import { AVATAR_SUBFOLDER, createProfileService } from './profiles/service.ts';
import { createPostgresProfileStore } from './profiles/storage-postgres.ts';
import { createSqliteProfileStore, type ProfileStore } from './profiles/storage.ts';
import { createReactionHandlers } from './reactions/handlers.ts';
import { createReactionService } from './reactions/service.ts';
import { createReactionStore } from './reactions/storage.ts';
import { createRoomHandlers, followMembership } from './rooms/handlers.ts';
import { createRoomsRouter } from './rooms/routes.ts';
import { createRoomService } from './rooms/service.ts';
import { createPostgresRoomStore } from './rooms/storage-postgres.ts';
import { createSqliteRoomStore, type RoomStore } from './rooms/storage.ts';
import { eventHandlers, registerHandlers } from './socketEvents.ts';
import { createTypingAnnouncer, createTypingHandlers, startTypingSweep } from './typing/handlers.ts';
import { createTypingService } from './typing/service.ts';
import { createTypingStore } from './typing/storage.ts';
import { startUploadCleanup } from './uploads/cleanup.ts';
import { createBucketFiles } from './uploads/bucket.ts';
import { createFolderFiles, type UploadFiles } from './uploads/files.ts';
import { createServedUploadsRouter, createUploadRouter } from './uploads/routes.ts';
import { createUploadService } from './uploads/service.ts';
import { createPostgresUploadStore } from './uploads/storage-postgres.ts';
import { createSqliteUploadStore, type UploadStore } from './uploads/storage.ts';

// The app factory: builds storage on the connections it is given, the services over the storage,
// and hands each REST router and socket handler exactly the services it uses
// (docs/architecture.md#the-house). Nothing is a module-level global.

export interface AppOptions {
  config: Config;
  /** SQLite or PostgreSQL, opened and migrated (server/infra/db.ts). */
  db: AppDatabase;
  redis: Redis;
  /** URL of the same Redis, for parts that need connections of their own (the socket adapter). */
  redisUrl: string;
  /** The built SPA; served with its fallback page when the folder exists. */
  clientDir?: string;
  /** How often the socket adapter counts other server processes (tests shorten it). */
  peerCheckMs?: number;
}

/** What the app was built on, for tests and diagnostics; no part of the app receives it. */
export interface AppInternals {
  config: Config;
  db: AppDatabase;
  redis: Redis;
  /** The features' storage, on whichever engine the app runs on. */
  stores: Stores;
  /** Where uploads are stored: the folder or the bucket. */
  files: UploadFiles;
  /** Where profile pictures are stored: beside the uploads, in their own folder or prefix. */
  avatarFiles: UploadFiles;
  events: ServerEvents;
  /** Where mail goes: SMTP, the log, or nowhere. */
  mailer: Mailer;
}

export interface Application {
  app: Express;
  httpServer: HttpServer;
  io: IoServer;
  context: AppInternals;
  /** True while this process knows no other server process shares its Redis. */
  clusterAlone(): boolean;
  /** Stops accepting, disconnects sockets and finishes background work; storage stays open. */
  close(): Promise<void>;
}

export interface Stores {
  users: UserStore;
  rooms: RoomStore;
  uploads: UploadStore;
  emails: EmailStore;
  friends: FriendsStore;
  profiles: ProfileStore;
}

/** Each feature's storage for the engine the database runs on. */
export function createStores(database: AppDatabase): Stores {
  if (database.engine === 'postgres') {
    const { pool } = database;
    return {
      users: createPostgresUserStore(pool),
      rooms: createPostgresRoomStore(pool),
      uploads: createPostgresUploadStore(pool),
      emails: createPostgresEmailStore(pool),
      friends: createPostgresFriendsStore(pool),
      profiles: createPostgresProfileStore(pool)
    };
  }
  const { db } = database;
  return {
    users: createSqliteUserStore(db),
    rooms: createSqliteRoomStore(db),
    uploads: createSqliteUploadStore(db),
    emails: createSqliteEmailStore(db),
    friends: createSqliteFriendsStore(db),
    profiles: createSqliteProfileStore(db)
  };
}

const defaultClientDir = path.resolve(fileURLToPath(new URL('../build', import.meta.url)));

export async function createApplication(options: AppOptions): Promise<Application> {
  const { config, db, redis, redisUrl } = options;
  const events = new ServerEvents();

  const stores = createStores(db);
  const { users, rooms: roomStore, uploads: uploadStore, friends: friendStore } = stores;

  const sessions = createSessions(config.jwtSecret, users, config.isProduction);
  const auth = createAuthService({
    users,
    limits: createAuthLimits(redis, config.authRateLimit),
    events,
    passwordChanges: createPasswordChangeAttempts(redis)
  });
  const mailer = createMailer(config);
  const email = createEmailService({ store: stores.emails, mailer, limits: createMailLimits(redis), auth });
  const files = config.s3 ? await createBucketFiles(config.s3) : createFolderFiles(config.uploadsDir);
  await files.ready();
  const avatarFiles = config.s3 ? await createBucketFiles(config.s3, AVATAR_SUBFOLDER) : createFolderFiles(config.uploadsDir, AVATAR_SUBFOLDER);
  await avatarFiles.ready();
  const profiles = createProfileService({ store: stores.profiles, files: avatarFiles, events, encoding: createAvatarEncodeGate() });
  const uploads = createUploadService({ store: uploadStore, files });
  const typing = createTypingService({ store: createTypingStore(redis), users: auth });
  const messages = createMessageService({ store: createMessageStore(redis), uploads, users: auth });
  const reactions = createReactionService({ store: createReactionStore(redis) });
  const activity = createActivityService({ store: createActivityStore(redis) });
  const rooms = createRoomService({ store: roomStore, uploads, messages, events, attempts: createRoomAttempts(redis), profiles });
  const accountDeletion = createAccountDeletion({ auth, rooms, messages, uploads, profiles, events });
  // Presence answers "who is online" once the socket server exists; the friends list asks it later.
  let onlineUsers = async (_userIds: number[]) => new Set<number>();
  const friends = createFriendsService({
    store: friendStore,
    rooms,
    events,
    limits: createFriendLimits(redis),
    onlineUsers: (userIds) => onlineUsers(userIds)
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);

  const clientDir = options.clientDir ?? defaultClientDir;
  app.use(securityHeaders({ isProduction: config.isProduction, pageFile: path.join(clientDir, 'index.html') }));
  const sameOrigin = createOriginCheck(config);
  const notFound = () => new AppError('NOT_FOUND', 'Not found');

  // Every API answer, refusals included, carries its caching rule and may be compressed.
  app.use('/api', apiDelivery());
  // A state-changing API call from a page on another site is refused outright (CSRF).
  app.use('/api', (req, _res, next) => {
    const safe = req.method === 'GET' || req.method === 'HEAD' || sameOrigin(req);
    next(safe ? undefined : new AppError('UNAUTHORIZED', 'Cross-site request refused'));
  });
  app.use('/api', express.json({ limit: '100kb' }));

  const { requireAuth } = sessions;
  app.use('/api/health', createHealthRouter({ redis, db, files }));
  app.use('/api/auth', createAuthRouter({ auth, sessions }));
  app.use('/api/email', createEmailRouter({ email, requireAuth, config }));
  app.use('/api/account', createAccountDeletionRouter({ deletion: accountDeletion, requireAuth, clearSession: sessions.clear }));
  app.use('/api/rooms', createRoomsRouter({ rooms, requireAuth, inviteLookups: createInviteLookupLimit(redis), searches: createRoomSearchLimit(redis) }));
  app.use('/api/friends', createFriendsRouter({ friends, requireAuth }));
  app.use('/api/upload', createUploadRouter({ uploads, limit: createUploadLimit(redis), requireAuth }));
  app.use('/api/account', createProfileRouter({ profiles, limits: createProfileLimits(redis), requireAuth }));
  app.use('/api', (_req, _res, next) => next(notFound()));

  app.use('/uploads', createServedUploadsRouter({ uploads }), createServedAvatarsRouter({ profiles }), (_req, _res, next) => next(notFound()));

  if (existsSync(path.join(clientDir, 'index.html'))) {
    const [file, page] = serveBuiltApp(clientDir);
    app.use(file);
    app.get('/{*path}', (req, res, next) => (req.path.startsWith('/socket.io') ? next() : page(req, res, next)));
  }
  app.use(answerErrors);

  const httpServer = createServer(app);
  const sockets = createSocketServer(httpServer, { redisUrl, sameOrigin, peerCheckMs: options.peerCheckMs });
  const { io, closing } = sockets;
  const announceTyping = createTypingAnnouncer(io, friends.blocksInRoom);
  const presence = createPresenceService({
    store: createPresenceStore(redis),
    instanceId: sockets.instanceId,
    rooms: presenceRooms(io, friends.blockedIds, announceTyping),
    typing,
    redis
  });
  onlineUsers = presence.onlineUsers;
  const friendDots = friendsPresence({ io, friends, onlineUsers: presence.onlineUsers });
  const limits = createSocketLimits(redis);
  const requireMember = memberGate(rooms.requireMember);
  const roomHandlers = createRoomHandlers({
    rooms,
    presence,
    messages,
    typing,
    limits,
    backpressure: sockets.backpressure,
    requireMember,
    closing,
    hiddenSenders: friends.blockedIds,
    hiddenPresence: friends.blockersOf
  });
  const activityHandlers = createActivityHandlers({ io, activity, limits, requireMember, roomIdsOf: rooms.roomIdsOf, hiddenSenders: friends.blockedIds });
  const handlers = eventHandlers({
    rooms: roomHandlers,
    activity: activityHandlers,
    messages: createMessageHandlers({ io, messages, limits, requireMember, isOwner: rooms.isOwner, mayPost: friends.requireOpenDirect, announceTyping }),
    reactions: createReactionHandlers({ io, reactions, requireMember }),
    typing: createTypingHandlers({ io, typing, limits, requireMember, announce: announceTyping })
  });

  io.use(authenticate(sessions));
  io.use(limitSocketsPerUser(presence, closing));
  io.on('connection', (socket) => {
    closeWhenSessionExpires(socket);
    void socket.join(userChannel(socket.data.user.id));
    activityHandlers.follow(socket);
    registerHandlers(socket, handlers);
    socket.on('disconnecting', () => roomHandlers.disconnecting(socket));
    friendDots.connected(socket);
    socket.on('disconnect', () => friendDots.disconnected(socket));
  });

  const followers = [
    followMembership({ io, events, rooms, presence, activity, blocksAmong: friends.blocksAmong }),
    followSignOuts(io, events),
    followMessageDeletions(io, events),
    startTypingSweep({ io, typing, announce: announceTyping, closing }),
    followFriends({ io, events, friends }),
    followProfiles({ io, events, roomIdsOf: rooms.roomIdsOf })
  ];
  await presence.start();
  await sockets.ready();
  // Hourly, and once now: images older than UPLOAD_MAX_AGE_HOURS go.
  const uploadCleanup = startUploadCleanup({ files, queries: uploadStore });

  return {
    app,
    clusterAlone: sockets.alone,
    httpServer,
    io,
    context: { config, db, redis, stores, files, avatarFiles, events, mailer },
    async close() {
      // First: a client that reconnects meanwhile is told to come back, and takes no socket slot
      // that this process would never give back.
      sockets.refuseNew();
      await uploadCleanup.stop();
      for (const follower of followers) follower.stop();
      messages.stop();
      accountDeletion.stop();
      await presence.stop();
      await sockets.close();
      await new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      files.close();
      mailer.close();
      avatarFiles.close();
    }
  };
}
