import type { S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { S3Settings } from '../infra/config.ts';
import { checkedName, contentTypeOf, isUploadFilename, UPLOADS_SUBFOLDER, type UploadFiles } from './files.ts';

// Uploads as objects `messages/{filename}` in an S3-compatible bucket, for processes on several
// machines (docs/scaling.md#uploads). They are streamed to clients through the app, so the bucket
// stays private and every image is served with the same headers as from the folder.

const isNotFound = (err: unknown) => {
  const status = (err as S3ServiceException).$metadata?.httpStatusCode;
  const name = (err as Error).name;
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound';
};

/**
 * The bucket's files under `messages/`, or another prefix (profile pictures keep their own); the
 * SDK is loaded only when a bucket is configured.
 */
export async function createBucketFiles(settings: S3Settings, subfolder: string = UPLOADS_SUBFOLDER): Promise<UploadFiles> {
  const PREFIX = `${subfolder}/`;
  const { S3Client, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } =
    await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    // Without keys the SDK's own chain applies (instance roles, AWS_* variables, profiles).
    credentials: settings.credentials,
    // An unreachable bucket fails a request within seconds instead of holding it open.
    requestHandler: { connectionTimeout: 5000 },
    // Checksums only where the API demands them: several S3-compatible servers reject the newer
    // default trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  });
  const Bucket = settings.bucket;
  const keyOf = (filename: string) => PREFIX + checkedName(filename);

  return {
    place: `the bucket ${Bucket}${settings.endpoint ? ` at ${settings.endpoint}` : ''}`,

    async ready() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (err) {
        const why = isNotFound(err) ? 'it does not exist' : (err as Error).message || (err as Error).name;
        throw new Error(`The upload bucket ${Bucket} cannot be used (${why}); check S3_BUCKET, S3_ENDPOINT and the keys`);
      }
    },

    async put(filename, bytes) {
      // Names are fresh nanoids, so no existing object is replaced; no conditional write is asked
      // for, as not every S3-compatible server supports one.
      await client.send(
        new PutObjectCommand({ Bucket, Key: keyOf(filename), Body: bytes, ContentType: contentTypeOf(filename), ContentLength: bytes.length })
      );
    },

    async has(filename) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: keyOf(filename) }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    async open(filename) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(filename) }));
        if (!(object.Body instanceof Readable)) throw new Error('The S3 client answered without a stream');
        return {
          body: object.Body,
          size: object.ContentLength ?? 0,
          modified: object.LastModified ?? new Date(0),
          etag: object.ETag ?? `"${filename}"`
        };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async remove(filename) {
      // Deleting an object that is not there succeeds in S3.
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(filename) }));
    },

    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: PREFIX, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          const filename = object.Key?.slice(PREFIX.length) ?? '';
          if (isUploadFilename(filename) && object.LastModified) yield { filename, modifiedMs: object.LastModified.getTime() };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },

    close() {
      client.destroy();
    }
  };
}
