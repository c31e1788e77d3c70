import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, ProfileStorePort, StoredObject } from '../ports';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';

/** A listing of more pages than this is not a profiling session's: stop rather than read a bucket's worth. */
const MAX_PAGES = 20;

/** ProfileStorePort over S3: the profiles the workloads upload, and the merged one gofn writes. */
export class S3ProfileStore implements ProfileStorePort {
  constructor(private readonly clients: AwsClients) {}

  async list(bucket: string, prefix: string, opts?: CallOptions): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.call(
        { service: 'S3', operation: 'ListObjectsV2', subject: `s3://${bucket}/${prefix}` },
        opts,
        (abortSignal) =>
          this.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), {
            abortSignal,
          }),
      );
      for (const o of out.Contents ?? []) if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0 });
      // ListObjectsV2 pages: IsTruncated with NextContinuationToken for the next request.
      if (!out.IsTruncated || !out.NextContinuationToken) return objects;
      token = out.NextContinuationToken;
    }
    return objects;
  }

  async get(
    bucket: string,
    key: string,
    opts?: CallOptions,
  ): Promise<{ body: Uint8Array; metadata: Record<string, string> }> {
    return this.call(
      { service: 'S3', operation: 'GetObject', subject: `s3://${bucket}/${key}` },
      opts,
      async (abortSignal) => {
        const out = await this.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
        const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
        return { body, metadata: { ...(out.Metadata ?? {}) } };
      },
    );
  }

  async put(bucket: string, key: string, body: Uint8Array, opts?: CallOptions): Promise<void> {
    await this.call({ service: 'S3', operation: 'PutObject', subject: `s3://${bucket}/${key}` }, opts, (abortSignal) =>
      this.clients.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }),
        { abortSignal },
      ),
    );
  }

  private async call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    try {
      return await callAws(call, opts, this.clients.settings.callTimeoutMs, send);
    } catch (error) {
      // S3's codes for a missing bucket or key (HTTP 404), which the shared mapping does not name.
      const name = awsErrorName(error);
      if (name === 'NoSuchBucket' || name === 'NoSuchKey' || name === 'NotFound') {
        throw new GofnError(ErrorCode.NotFound, `S3 ${call.operation}: ${call.subject} does not exist.`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
