import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childReady, freePort } from './redis.ts';

// A private S3-protocol server (s3rver, a real HTTP server speaking the S3 API and keeping objects
// in a temp folder) for a test file or the multi-process tests, started like the private Redis of
// redis.ts. Tests look into the bucket with their own S3 client, never through the app.

const BUCKET = 'bbb-test-uploads';
// s3rver's one built-in account.
const KEY = 'S3RVER';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The settings a server process needs to keep its uploads in this bucket. */
  env: Record<string, string>;
  client: S3Client;
  child: ChildProcess;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** An object's bytes, or null when there is none. */
  read(key: string): Promise<Buffer | null>;
  put(key: string, bytes: Buffer): Promise<void>;
  remove(key: string): Promise<void>;
  /** Makes an object look written `hours` ago, as time passing would. */
  age(key: string, hours: number): void;
  stop(): Promise<void>;
}

function httpAnswers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(500) }).then(
    () => true,
    () => false
  );
}

/** s3rver on a free loopback port with one bucket, its objects in a temp folder; `stop` removes both. */
export async function startTestS3(): Promise<TestS3> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-s3-'));
  const port = await freePort();
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--no-vhost-buckets', '--configure-bucket', BUCKET], {
    stdio: ['ignore', 'ignore', 'pipe']
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await childReady(child, () => httpAnswers(endpoint), 's3rver', 15_000);
  const env = {
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: KEY,
    S3_SECRET_ACCESS_KEY: KEY,
    S3_FORCE_PATH_STYLE: 'true'
  };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY, secretAccessKey: KEY }
  });
  return {
    endpoint,
    bucket: BUCKET,
    env,
    client,
    child,
    async keys() {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken }));
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
    async read(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return Buffer.from(await object.Body!.transformToByteArray());
      } catch (err) {
        if ((err as Error).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async put(key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    },
    age(key, hours) {
      // s3rver reports the modification time of the file holding the object as LastModified.
      const when = new Date(Date.now() - hours * 60 * 60 * 1000);
      utimesSync(path.join(dir, BUCKET, `${key}._S3rver_object`), when, when);
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
