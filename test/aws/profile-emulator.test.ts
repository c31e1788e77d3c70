import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createAwsClients, S3ProfileStore, SsmProfileFlags, type AwsClients } from '../../src/aws/index';
import { ErrorCode } from '../../src/errors';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * The profiling adapters against the AWS emulator's SSM and S3: the flag parameter the
 * workloads read, and the bucket they upload to. Shapes follow the API references of
 * GetParameter / PutParameter (a missing name is HTTP 400 ParameterNotFound) and of
 * ListObjectsV2 / GetObject / PutObject (a missing bucket is 404 NoSuchBucket).
 */
let emulator: Emulator;
let clients: AwsClients;

beforeAll(async () => {
  emulator = await startEmulator();
  clients = createAwsClients({ maxAttempts: 1 });
});
afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

describe('SsmProfileFlags', () => {
  it('reads nothing for a parameter that does not exist, then what was written over it', async () => {
    // Prepare
    const flags = new SsmProfileFlags(clients);

    // Act
    const missing = await flags.read('/gofn/profile/orders-api');
    await flags.write('/gofn/profile/orders-api', 'off');
    await flags.write('/gofn/profile/orders-api', '{"version":"42"}');
    const written = await flags.read('/gofn/profile/orders-api');

    // Assess
    expect(missing).toBeUndefined();
    expect(written).toBe('{"version":"42"}');
  });
});

describe('S3ProfileStore', () => {
  it('lists by prefix, and gives back the bytes and metadata put', async () => {
    // Prepare
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'gofn-profiles-store' }));
    const store = new S3ProfileStore(clients);
    const bytes = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);

    // Act
    await store.put('gofn-profiles-store', 'profiles/orders-api/42/env-a/t-p-1-cpu.pb.gz', bytes);
    await store.put('gofn-profiles-store', 'profiles/orders-api/43/env-a/t-p-1-cpu.pb.gz', bytes);
    const listed = await store.list('gofn-profiles-store', 'profiles/orders-api/42/');
    const got = await store.get('gofn-profiles-store', 'profiles/orders-api/42/env-a/t-p-1-cpu.pb.gz');

    // Assess
    expect(listed).toEqual([{ key: 'profiles/orders-api/42/env-a/t-p-1-cpu.pb.gz', size: 5 }]);
    expect([...got.body]).toEqual([...bytes]);
  });

  it('says a missing bucket does not exist', async () => {
    // Act
    const listing = new S3ProfileStore(clients).list('gofn-no-such-bucket', 'profiles/');

    // Assess
    await expect(listing).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: 'S3 ListObjectsV2: s3://gofn-no-such-bucket/profiles/ does not exist.',
    });
  });
});
