import path from 'node:path';
import { createApplication } from './app.ts';
import { loadConfig, loadDotEnv } from './infra/config.ts';
import { openDatabase } from './infra/db.ts';
import { connectRedis, redactedUrl, resolveRedis } from './infra/redis.ts';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();

  const redisHandle = await resolveRedis(config.redisUrl, path.join(config.dataDir, 'redis'));
  const redis = await connectRedis(redisHandle.url);
  const databaseFile = path.resolve(config.dataDir, 'beebeebee.db');
  const db = await openDatabase({ url: config.databaseUrl, sqliteFile: databaseFile });
  const application = await createApplication({ config, db, redis, redisUrl: redisHandle.url });

  await new Promise<void>((resolve, reject) => {
    application.httpServer.once('error', reject);
    application.httpServer.listen(config.port, () => resolve());
  });
  // One line per choice the server made, and nothing else on a normal start.
  console.log(`BeeBeeBee is running on http://localhost:${config.port}`);
  console.log(`Redis: ${redactedUrl(redisHandle.url)}, ${redisHandle.how}`);
  console.log(`Database: ${config.databaseUrl ? `PostgreSQL at ${redactedUrl(config.databaseUrl)}` : databaseFile}`);
  console.log(`Uploads: ${application.context.files.place}`);
  console.log(`Mail: ${application.context.mailer.place}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await application.close();
      await redis.quit().catch(() => redis.disconnect());
      await db.close();
      await redisHandle.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
