import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUTH_RATE_LIMIT_DEFAULT } from '../../src/lib/protocol/limits.ts';

export interface Config {
  port: number;
  isProduction: boolean;
  jwtSecret: string;
  /** Undefined: find or start a Redis (see resolveRedis in redis.ts). */
  redisUrl: string | undefined;
  /** PostgreSQL (`postgres://…`) for users, rooms and the upload index; undefined: SQLite in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** The uploads folder; unused when `s3` is set. */
  uploadsDir: string;
  /** An S3-compatible bucket for uploads instead of the folder (S3_BUCKET and its companions). */
  s3: S3Settings | undefined;
  /** Wrong sign-in passwords per minute per address (see createAuthLimits in limits.ts); 0 turns sign-in limits off. */
  authRateLimit: number;
  /** Origins allowed besides the app's own. */
  allowedOrigins: string[];
  /**
   * Which proxies in front of the app to believe about the client's address and scheme
   * (X-Forwarded-For / X-Forwarded-Proto), as Express's `trust proxy` setting takes it: false (the
   * default: nobody), a hop count, or a list of addresses and subnets.
   */
  trustProxy: boolean | number | string[];
  /** Outgoing mail (docs/architecture.md#email-and-password-resets). */
  mail: MailSettings;
}

export interface MailSettings {
  /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`); undefined: links go to the log, outside production. */
  smtpUrl: string | undefined;
  /** MAIL_FROM: the sender of every mail. */
  from: string;
  /** PUBLIC_URL: the origin mailed links point at; undefined: the request's own (outside production). */
  publicUrl: string | undefined;
}

export interface S3Settings {
  bucket: string;
  /** Undefined: AWS itself, found from the region. */
  endpoint: string | undefined;
  region: string;
  /** Undefined: the SDK's own credential chain (instance roles, AWS_* variables, profiles). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `bucket` in the path rather than the host name, as MinIO, s3rver and others want. */
  forcePathStyle: boolean;
}

const DEFAULT_SECRETS = new Set(['', 'change-me', 'changeme', 'secret', 'dev-secret']);

function integer(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** Reads .env (when present) into process.env without overriding what is already set. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const isProduction = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.DATA_DIR || 'data');
  let jwtSecret = env.JWT_SECRET ?? '';
  if (DEFAULT_SECRETS.has(jwtSecret)) {
    if (isProduction) throw new Error('JWT_SECRET must be set to a long random value in production');
    jwtSecret = developmentSecret(dataDir);
  }
  return {
    port: integer('PORT', env.PORT, 3001),
    isProduction,
    jwtSecret,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    databaseUrl: databaseUrl(env.DATABASE_URL),
    dataDir,
    uploadsDir: path.resolve(env.UPLOADS_DIR || 'uploads'),
    s3: s3Settings(env),
    authRateLimit: integer('AUTH_RATE_LIMIT', env.AUTH_RATE_LIMIT, AUTH_RATE_LIMIT_DEFAULT),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    trustProxy: trustProxy(env.TRUST_PROXY),
    mail: mailSettings(env)
  };
}

/** DATABASE_URL: empty for SQLite, else a PostgreSQL connection URL. */
function databaseUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error('DATABASE_URL must be a postgres:// (or postgresql://) URL');
  return value;
}

const S3_COMPANIONS = ['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'] as const;

/** S3_BUCKET and its companions; none of them set means the uploads folder. */
function s3Settings(env: NodeJS.ProcessEnv): S3Settings | undefined {
  const read = (name: string) => env[name]?.trim() ?? '';
  const bucket = read('S3_BUCKET');
  if (!bucket) {
    const stray = S3_COMPANIONS.filter((name) => read(name) !== '');
    if (stray.length > 0) throw new Error(`${stray.join(', ')} set without S3_BUCKET: set S3_BUCKET too, or remove them to keep uploads in UPLOADS_DIR`);
    return undefined;
  }
  const endpoint = read('S3_ENDPOINT') || undefined;
  if (endpoint !== undefined && !/^https?:$/.test(URL.parse(endpoint)?.protocol ?? '')) throw new Error(`S3_ENDPOINT must be a URL such as http://127.0.0.1:9000, got "${endpoint}"`);
  const accessKeyId = read('S3_ACCESS_KEY_ID');
  const secretAccessKey = read('S3_SECRET_ACCESS_KEY');
  if (!accessKeyId !== !secretAccessKey) throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS credential chain');
  const pathStyle = read('S3_FORCE_PATH_STYLE').toLowerCase();
  if (!['', 'true', 'false'].includes(pathStyle)) throw new Error(`S3_FORCE_PATH_STYLE must be true or false, got "${pathStyle}"`);
  return {
    bucket,
    endpoint,
    region: read('S3_REGION') || 'us-east-1',
    credentials: accessKeyId ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: pathStyle === 'true'
  };
}

/** SMTP_URL, MAIL_FROM and PUBLIC_URL; malformed values stop the start rather than the first mail. */
function mailSettings(env: NodeJS.ProcessEnv): MailSettings {
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined && !/^smtps?:$/.test(URL.parse(smtpUrl)?.protocol ?? '')) throw new Error('SMTP_URL must be an smtp:// or smtps:// URL');
  const publicUrl = env.PUBLIC_URL?.trim().replace(/\/$/, '') || undefined;
  if (publicUrl !== undefined && URL.parse(publicUrl)?.origin !== publicUrl) {
    throw new Error(`PUBLIC_URL must be the app's origin, such as https://chat.example.com, got "${publicUrl}"`);
  }
  return { smtpUrl, from: env.MAIL_FROM?.trim() || 'BeeBeeBee <no-reply@localhost>', publicUrl };
}

/** TRUST_PROXY: empty or `false`, `true`, a hop count, or comma-separated addresses/subnets. */
function trustProxy(raw: string | undefined): boolean | number | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

// Outside production a random secret is made once and kept, so sessions survive restarts
// without anyone shipping a well-known default.
function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
