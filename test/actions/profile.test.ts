import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listAudit } from '../../src/actions/audit';
import { decodeProfile, summarize } from '../../src/actions/profile-merge';
import { parseProfileFlag } from '../../src/actions/profile';
import { runAction } from '../../src/actions/run';
import type { ActionDeps, ActionRequest } from '../../src/actions/types';
import { createAwsClients, createAwsSources, createControlPorts, type AwsClients } from '../../src/aws/index';
import { profile } from '../../src/cli/commands/profile';
import type { World } from '../../src/cli/world';
import { silentLog } from '../../src/log';
import type { ProfilePorts, RecordStore } from '../../src/ports';
import { createGofnTable, createLambdaRole, createTestFunction } from '../aws/emulator-fixtures';
import { runCli } from '../support/cli';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * The profile action against the AWS emulator: the flag in SSM, the profiles in S3, the audit
 * in DynamoDB. The warm instances are played by `instances` below, which do what
 * workloads/internal/profiling does (its Go tests check that part against the same emulator):
 * when the flag names their version, upload their CPU profile under the session. Their
 * profiles are real ones the Go tests recorded (test/fixtures/profiles).
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'profiles');

let emulator: Emulator;
let clients: AwsClients;
let store: RecordStore;
let run = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  clients = createAwsClients({ maxAttempts: 1 });
  await createLambdaRole(emulator.endpoint);
  store = await createGofnTable(clients, 'gofn-profile-actions');
});
afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

/** A function deployed with profiling (the tags the GoWorkload construct sets), its bucket, its flag "off". */
async function profiledFunction(options: { tagged?: boolean } = {}): Promise<{ fn: string; bucket: string }> {
  const n = ++run;
  const fn = `orders-api-${n}`;
  const bucket = `gofn-profiles-${n}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const profiling: Record<string, string> =
    options.tagged === false ? {} : { 'gofn:profile': `/gofn/profile/${fn}`, 'gofn:profile-bucket': bucket };
  await createTestFunction(clients, fn, {
    tags: { 'gofn:managed': 'true', 'gofn:owners': 'UOWNER', ...profiling },
    versions: 1,
    alias: 'live',
  });
  await createControlPorts(clients).profiles!.flags.write(`/gofn/profile/${fn}`, 'off');
  return { fn, bucket };
}

/**
 * Warm instances of `fn`: every 100 ms each reads the flag, and once it names their version,
 * uploads its profile of that session, as the workloads do when their window ends.
 */
function instances(ports: ProfilePorts, fn: string, bucket: string, version: string): { stop: () => void } {
  const files = { 'env-a': 'orders-api-7-inst-a-cpu.pb.gz', 'env-b': 'orders-api-7-inst-b-cpu.pb.gz' };
  const done = new Set<string>();
  const timer = setInterval(() => {
    void (async () => {
      const flag = parseProfileFlag(await ports.flags.read(`/gofn/profile/${fn}`));
      if (!flag || flag.version !== version) return;
      for (const [instance, file] of Object.entries(files)) {
        if (done.has(instance)) continue;
        done.add(instance);
        const key = `profiles/${fn}/${version}/${instance}/20261126T150000Z-${flag.session}-cpu.pb.gz`;
        await ports.store.put(bucket, key, await readFile(path.join(FIXTURES, file)));
      }
    })().catch(() => undefined);
  }, 100);
  return { stop: () => clearInterval(timer) };
}

function depsFor(progress: string[] = []): ActionDeps {
  return {
    sources: createAwsSources({ clients }),
    control: createControlPorts(clients),
    store,
    settings: {
      maxConcurrency: 1000,
      replayRatePerSecond: 50,
      admins: [],
      profiling: { flagTtlSeconds: 0, uploadGraceSeconds: 1 },
    },
    log: silentLog,
    onProgress: (sentence) => {
      progress.push(sentence);
    },
  };
}

function request(fn: string, user: string, requestId: string): ActionRequest {
  return {
    kind: 'profile',
    functionName: fn,
    alias: 'live',
    expected: { seconds: 5 },
    actor: { via: 'slack', id: user },
    requestId,
  };
}

describe('the profile action', () => {
  it('turns the flag on for the live version, merges what the instances uploaded, turns it off, and audits', async () => {
    // Prepare
    const { fn, bucket } = await profiledFunction();
    const deps = depsFor();
    const progress: string[] = [];
    deps.onProgress = (s) => {
      progress.push(s);
    };
    const warm = instances(deps.control.profiles!, fn, bucket, '1');

    // Act
    const outcome = await runAction(request(fn, 'UOWNER', `req-${fn}`), deps).finally(warm.stop);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.sentence).toBe(
      `profiled ${fn} v1: 43 CPU samples across 2 warm instances in 5 s; top crypto/internal/fips140/sha256.blockSHANI 49% flat, ` +
        `crypto/sha256.Sum256 77% cumulative; merged profile s3://${bucket}/profiles/${fn}/1/merged/p-req-${fn}-cpu.pb.gz`,
    );
    expect(outcome.after).toMatchObject({ flag: 'off', instances: 2, samples: 43, cpuSeconds: 0.4 });
    expect(await deps.control.profiles!.flags.read(`/gofn/profile/${fn}`)).toBe('off');
    const merged = await deps.control.profiles!.store.get(bucket, `profiles/${fn}/1/merged/p-req-${fn}-cpu.pb.gz`);
    expect(summarize(decodeProfile(merged.body, 'merged')).total).toBe(430_000_000);
    expect(progress[0]).toMatch(new RegExp(`^recording CPU on the warm instances of ${fn} v1 until \\d\\d:\\d\\d UTC`));
    const [audit] = await listAudit(store, fn, 1);
    expect(audit).toMatchObject({
      kind: 'profile',
      status: 'succeeded',
      actor: { via: 'slack', id: 'UOWNER' },
      plan: `${fn}: record CPU on the warm instances of v1 for 5 s each, then merge their profiles`,
    });
  }, 60_000);

  it('refuses someone the function does not name, and a function deployed without profiling', async () => {
    // Prepare
    const profiled = await profiledFunction();
    const plain = await profiledFunction({ tagged: false });

    // Act
    const stranger = await runAction(request(profiled.fn, 'USTRANGER', `req-${profiled.fn}-x`), depsFor());
    const untagged = await runAction(request(plain.fn, 'UOWNER', `req-${plain.fn}`), depsFor());

    // Assess
    expect(stranger).toMatchObject({ status: 'refused' });
    expect(stranger.sentence).toMatch(/^You are not allowed to change orders-api-\d+/);
    expect(untagged).toMatchObject({ status: 'refused' });
    expect(untagged.sentence).toBe(
      `${plain.fn} is not set up for profiling: it has no gofn:profile and gofn:profile-bucket tags naming its flag parameter and bucket (see docs/profiling.md). Nothing was changed.`,
    );
    expect(await depsFor().control.profiles!.flags.read(`/gofn/profile/${profiled.fn}`)).toBe('off');
  });

  it('does not start a second profile while one is on', async () => {
    // Prepare
    const { fn } = await profiledFunction();
    const busy = JSON.stringify({
      version: '1',
      until: new Date(Date.now() + 60_000).toISOString(),
      seconds: 30,
      session: 'p-other',
    });
    await depsFor().control.profiles!.flags.write(`/gofn/profile/${fn}`, busy);

    // Act
    const outcome = await runAction(request(fn, 'UOWNER', `req-${fn}`), depsFor());

    // Assess
    expect(outcome.status).toBe('conflict');
    expect(outcome.sentence).toMatch(
      new RegExp(`^${fn} is being profiled already: v1 until \\d\\d:\\d\\d UTC \\(session p-other\\)`),
    );
    expect(await depsFor().control.profiles!.flags.read(`/gofn/profile/${fn}`)).toBe(busy);
  });
});

describe('gofn profile', () => {
  it('prints the top functions and saves the merged profile for go tool pprof', async () => {
    // Prepare
    const { fn, bucket } = await profiledFunction();
    const world: World = {
      sources: createAwsSources({ clients }),
      control: createControlPorts(clients),
      store,
      simulated: false,
    };
    const warm = instances(world.control.profiles!, fn, bucket, '1');
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'gofn-profile-')), 'merged.pb.gz');
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      stdin: process.stdin,
      env: { GOFN_PROFILE_FLAG_TTL_SECONDS: '0' },
    };

    // Act
    const code = await profile(
      io,
      fn,
      { alias: 'live', seconds: '5', yes: true, out, color: false },
      async () => world,
    ).finally(warm.stop);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain(
      `Plan: ${fn}: record CPU on the warm instances of v1 for 5 s each, then merge their profiles`,
    );
    const lines = stdout.split('\n');
    expect(lines).toContain('  CPU, 5 s across 2 warm instances of v1 (43 samples, 0.4 s of CPU)');
    expect(lines).toContain('   48.8%   48.8%  crypto/internal/fips140/sha256.blockSHANI');
    expect(lines).toContain('    0.0%  100.0%  gofn/workloads/internal/profiling.burnChecksums');
    expect(stdout).toContain(`· go tool pprof -top ${out}`);
    expect(summarize(decodeProfile(await readFile(out), out)).samples).toBe(43);
  }, 60_000);

  it('refuses on a simulated fleet, which has no instances to profile', async () => {
    // Act
    const run = await runCli(['profile', 'orders-api', '--scenario', 'runbooks/scenarios', '--yes']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      "▲ Profiling needs the functions' flag parameter and bucket, which a simulated fleet has not. Nothing was changed.\n",
    );
  });
});
