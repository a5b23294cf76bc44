import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

// Where uploads go is read from the environment: the folder unless S3_BUCKET is set, and a clear
// refusal for settings that cannot be meant (docs/scaling.md#uploads).

const base = { NODE_ENV: 'test', JWT_SECRET: 'a-long-random-secret-value', DATA_DIR: '/tmp/never-used' };

describe('upload settings', () => {
  it('keep uploads in the folder when no S3 setting is given', () => {
    const config = loadConfig({ ...base, UPLOADS_DIR: '/srv/pictures' });
    expect(config.s3).toBeUndefined();
    expect(config.uploadsDir).toBe('/srv/pictures');
  });

  it('read a bucket with its companions', () => {
    const config = loadConfig({
      ...base,
      S3_BUCKET: 'pictures',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'eu-west-3',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true'
    });
    expect(config.s3).toEqual({
      bucket: 'pictures',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-3',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      forcePathStyle: true
    });
  });

  it('default to AWS in us-east-1 with the SDK’s own credentials and host-style addressing', () => {
    expect(loadConfig({ ...base, S3_BUCKET: 'pictures' }).s3).toEqual({
      bucket: 'pictures',
      endpoint: undefined,
      region: 'us-east-1',
      credentials: undefined,
      forcePathStyle: false
    });
  });

  it('refuse settings that cannot be meant', () => {
    expect(() => loadConfig({ ...base, S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(/S3_ENDPOINT set without S3_BUCKET/);
    expect(() => loadConfig({ ...base, S3_BUCKET: 'p', S3_ACCESS_KEY_ID: 'key' })).toThrow(/go together/);
    expect(() => loadConfig({ ...base, S3_BUCKET: 'p', S3_SECRET_ACCESS_KEY: 'secret' })).toThrow(/go together/);
    expect(() => loadConfig({ ...base, S3_BUCKET: 'p', S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/S3_FORCE_PATH_STYLE must be true or false/);
    expect(() => loadConfig({ ...base, S3_BUCKET: 'p', S3_ENDPOINT: 'minio:9000 ' })).toThrow(/S3_ENDPOINT must be a URL/);
  });
});

describe('mail settings', () => {
  it('read SMTP_URL, MAIL_FROM and PUBLIC_URL, or none', () => {
    expect(loadConfig(base).mail).toEqual({ smtpUrl: undefined, from: 'BeeBeeBee <no-reply@localhost>', publicUrl: undefined });
    expect(loadConfig({ ...base, SMTP_URL: 'smtps://u:p@mail.example.com:465', MAIL_FROM: 'Bees <b@example.com>', PUBLIC_URL: 'https://chat.example.com/' }).mail).toEqual({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      from: 'Bees <b@example.com>',
      publicUrl: 'https://chat.example.com'
    });
  });

  it('refuse what cannot be meant', () => {
    expect(() => loadConfig({ ...base, SMTP_URL: 'mail.example.com:25' })).toThrow(/SMTP_URL must be/);
    expect(() => loadConfig({ ...base, PUBLIC_URL: 'https://chat.example.com/app' })).toThrow(/PUBLIC_URL must be the app's origin/);
    expect(() => loadConfig({ ...base, PUBLIC_URL: 'chat.example.com' })).toThrow(/PUBLIC_URL must be the app's origin/);
  });
});
