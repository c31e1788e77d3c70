import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeProfile, mergeProfiles, summarize } from '../../src/actions/profile-merge';
import { pinnedToolchain, workloadsDir } from '../../src/cli/go-tool';

/**
 * The merge and the ranking over real profiles the Go tests recorded (test/fixtures/profiles,
 * see its README), checked against what `go tool pprof` says of the same files.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'profiles');
const read = (name: string) => readFileSync(path.join(FIXTURES, name));

describe('CPU profiles of two warm instances', () => {
  it('merge and rank like go tool pprof -top', () => {
    // Prepare
    const a = decodeProfile(read('orders-api-7-inst-a-cpu.pb.gz'), 'inst-a');
    const b = decodeProfile(read('orders-api-7-inst-b-cpu.pb.gz'), 'inst-b');

    // Act
    const summary = summarize(mergeProfiles([a, b]), 4);

    // Assess
    expect(summary).toMatchObject({ valueType: 'cpu/nanoseconds', total: 430_000_000, samples: 43 });
    expect(summary.byFlat.map((c) => [c.function, c.flat / 1e6, c.cum / 1e6])).toEqual([
      ['crypto/internal/fips140/sha256.blockSHANI', 210, 210],
      ['runtime.nanotime', 70, 70],
      ['crypto/internal/fips140/sha256.(*Digest).checkSum', 50, 270],
      ['crypto/internal/fips140/sha256.(*Digest).Sum', 30, 300],
    ]);
    expect(summary.byFlat[0]!.flatPercent).toBeCloseTo(48.84, 2);
    expect(summary.byCum[0]).toMatchObject({
      function: 'gofn/workloads/internal/profiling.burnChecksums',
      cum: 430_000_000,
      cumPercent: 100,
    });
    expect(Math.round(summary.durationNanos / 1e4) / 100).toBe(761.55);
  });

  it('encode into one profile that go tool pprof reads with the same totals', () => {
    // Prepare
    const merged = mergeProfiles([
      decodeProfile(read('orders-api-7-inst-a-cpu.pb.gz'), 'inst-a'),
      decodeProfile(read('orders-api-7-inst-b-cpu.pb.gz'), 'inst-b'),
    ]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gofn-pprof-')), 'merged.pb.gz');
    writeFileSync(file, gzipSync(merged.encode()));

    // Act
    const top = execFileSync('go', ['tool', 'pprof', '-top', '-nodecount=2', file], {
      cwd: workloadsDir(),
      env: { ...process.env, GOTOOLCHAIN: pinnedToolchain() },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    // Assess
    expect(top).toContain('Total samples = 430ms');
    expect(top).toMatch(/210ms 48\.84% 48\.84%\s+210ms 48\.84%\s+crypto\/internal\/fips140\/sha256\.blockSHANI/);
  }, 120_000);

  it('refuses to merge a heap profile with CPU profiles, and bytes that are no profile', () => {
    // Prepare
    const cpu = decodeProfile(read('orders-api-7-inst-a-cpu.pb.gz'), 'cpu');
    const heap = decodeProfile(read('orders-api-7-inst-a-heap.pb.gz'), 'heap');

    // Act
    const mixed = () => mergeProfiles([cpu, heap]);
    const garbage = () => decodeProfile(gzipSync(Buffer.from('not a profile at all')), 'notes.txt');

    // Assess
    expect(mixed).toThrow(
      /Profiles of different kinds cannot be merged: samples\/count,cpu\/nanoseconds and alloc_objects/,
    );
    expect(garbage).toThrow(/^notes\.txt is not a pprof profile/);
  });
});
