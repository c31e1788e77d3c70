import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ANALYZERS, lint, parseVetJson, type Finding } from '../../src/cli/commands/lint';
import type { GoRunner } from '../../src/cli/go-tool';
import type { CliIO } from '../../src/cli/io';
import { ErrorCode, GofnError } from '../../src/errors';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join('test', 'cli', 'fixtures', 'lint');

// These run the real go command: gofn's vet tool is built from workloads/ and runs over a small
// Go module (test/cli/fixtures/lint), as `gofn lint` does for a person.
describe('gofn lint over a Go module', () => {
  it('prints each footgun like a compiler, with why it bites on Lambda, and exits 1', async () => {
    // Act
    const run = await runCli(['lint', path.join(FIXTURES, 'footguns')], { env: process.env });

    // Assess
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    const file = path.join(FIXTURES, 'footguns', 'footguns.go');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${escape(file)}:14:20: today holds time\\.Now\\(\\) from init`)),
      expect.stringMatching(new RegExp(`^${escape(file)}:19:34: os\\.Hostname\\(\\) in a log field: on Lambda`)),
      expect.stringMatching(
        new RegExp(`^${escape(file)}:20:9: net\\.Dial without a timeout: Lambda freezes or kills the invocation`),
      ),
    ]);
    expect(lines[2]).toContain('use (&net.Dialer{Timeout: …}).DialContext(ctx, …)');
    expect(run.stderr).toBe(`gofn lint: 3 findings in ${path.join(FIXTURES, 'footguns')}.\n`);
  }, 300_000);

  it('exits 0 on code that does the same things safely', async () => {
    // Act
    const run = await runCli(['lint', path.join(FIXTURES, 'clean')], { env: process.env });

    // Assess
    expect(run).toEqual({
      code: 0,
      stdout: '',
      stderr: `gofn lint: no findings in ${path.join(FIXTURES, 'clean')} (${ANALYZERS.length} analyzers).\n`,
    });
  }, 300_000);

  it('gives the findings as JSON with --json', async () => {
    // Act
    const run = await runCli(['lint', FIXTURES, '--json'], { env: process.env });

    // Assess
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { dir: string; analyzers: string[]; findings: Finding[] };
    expect(out.dir).toBe(path.join(ROOT, FIXTURES));
    expect(out.analyzers).toEqual([...ANALYZERS]);
    expect(out.findings.map((f) => [f.analyzer, f.package, f.line])).toEqual([
      ['initclock', 'lintfixture/footguns', 14],
      ['hostnamelog', 'lintfixture/footguns', 19],
      ['timeouts', 'lintfixture/footguns', 20],
    ]);
  }, 300_000);

  it('exits 3 with go’s own words when a package does not compile', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-lint-'));
    await writeFile(path.join(dir, 'go.mod'), 'module broken\n\ngo 1.22\n');
    await writeFile(path.join(dir, 'broken.go'), 'package broken\n\nfunc F() { x := 1 }\n');

    // Act
    const run = await runCli(['lint', dir], { env: process.env });

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `gofn: go vet could not check ${dir} (its packages must build):\n./broken.go:3:12: declared and not used: x\n`,
    );
  }, 300_000);
});

describe('gofn lint when it cannot run', () => {
  const io = (): CliIO & { out: () => string; err: () => string } => {
    let stdout = '';
    let stderr = '';
    return {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      stdin: process.stdin,
      env: {},
      out: () => stdout,
      err: () => stderr,
    };
  };

  it('exits 3 with a sentence when Go is not installed', async () => {
    // Prepare
    const cli = io();
    const noGo: GoRunner = async () => {
      throw new GofnError(ErrorCode.Unsupported, 'Go is not installed: there is no `go` command on the PATH.', {
        hint: 'Install Go from https://go.dev/dl/ and run it again.',
      });
    };

    // Act
    const code = await lint(cli, '.', {}, noGo, ROOT);

    // Assess
    expect(code).toBe(3);
    expect(cli.err()).toBe(
      'gofn: Go is not installed: there is no `go` command on the PATH. Install Go from https://go.dev/dl/ and run it again.\n',
    );
  });

  it('exits 3 for a directory that does not exist, before building anything', async () => {
    // Prepare
    const cli = io();
    const calls: string[][] = [];
    const go: GoRunner = async (args) => {
      calls.push(args);
      return { code: 0, stdout: '', stderr: '' };
    };

    // Act
    const code = await lint(cli, 'no-such-dir', { json: true }, go, ROOT);

    // Assess
    expect(code).toBe(3);
    expect(calls).toEqual([]);
    expect(JSON.parse(cli.out())).toEqual({
      error: {
        code: 'gofn_invalid_input',
        message: 'no-such-dir is not a directory. Pass a directory inside a Go module, or run gofn lint from one.',
      },
    });
  });

  it('says which analyzer failed when go vet reports an analyzer error instead of findings', () => {
    // Act
    const parse = () => parseVetJson('# p\n{"p": {"timeouts": {"error": "boom"}}}\n', ROOT);

    // Assess
    expect(parse).toThrow('Analyzer timeouts failed on p: boom.');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
