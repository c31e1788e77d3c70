import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, GofnError } from '../../errors';
import { plural } from '../../format';
import { runCommand, styleFor, type OutputOptions } from '../common';
import { goSaid, pinnedToolchain, runGo, workloadsDir, type GoRunner } from '../go-tool';
import { ExitCode, type CliIO } from '../io';

/** gofn's analyzers, as workloads/lint/lint.go lists them (docs/lint.md describes each). */
export const ANALYZERS = ['initclock', 'hostnamelog', 'timeouts', 'bodylog', 'panicflow', 'handlergo'] as const;

/** One finding, as go vet reports it. */
export interface Finding {
  /** The file, relative to the working directory when it is below it. */
  file: string;
  line: number;
  column: number;
  analyzer: string;
  package: string;
  /** What, why it bites on Lambda, and the fix. */
  message: string;
}

export type LintOptions = OutputOptions;

export function registerLint(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('lint')
    .description('check Go code for the Lambda footguns (go vet with gofn’s analyzers)')
    .argument('[dir]', 'a directory in a Go module; every package below it is checked', '.')
    .option('--json', 'print the findings as one JSON object')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      `
Analyzers: ${ANALYZERS.join(', ')} (docs/lint.md says what each finds and why it bites on Lambda).
Silence one finding with a comment on its line or the line above, naming the analyzer and why:
  //gofnlint:ignore handlergo joined by Close
Exit codes: 0 no findings, 1 findings, 3 could not run (no Go, a package that does not compile).`,
    )
    .action(async (dir: string, options: LintOptions) => {
      setExit(await lint(io, dir, options));
    });
}

/**
 * Builds gofn's vet tool from the workloads module with its pinned toolchain, runs
 * `go vet -json -vettool=…` over every package below `dir`, and prints the findings like a
 * compiler: `file:line:col: message`.
 */
export async function lint(
  io: CliIO,
  dir: string,
  options: LintOptions,
  go: GoRunner = runGo,
  cwd: string = process.cwd(),
): Promise<number> {
  return runCommand(io, options, async () => {
    const target = path.resolve(cwd, dir);
    await mustBeDirectory(target, dir);
    const tool = await buildVetTool(io, go);
    const vet = await go(['vet', '-json', `-vettool=${tool}`, './...'], { cwd: target, env: io.env });
    if (vet.code !== 0) {
      // go's own words, one line each as it printed them: the positions stay clickable.
      throw new GofnError(
        ErrorCode.InvalidInput,
        `go vet could not check ${dir} (its packages must build):\n${goSaid(vet)}`,
      );
    }
    const findings = parseVetJson(`${vet.stdout}\n${vet.stderr}`, cwd);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ dir: target, analyzers: ANALYZERS, findings }, null, 2)}\n`);
    } else {
      const style = styleFor(io, options);
      for (const f of findings) {
        io.stdout.write(`${style.bold(`${f.file}:${f.line}:${f.column}`)}: ${f.message}\n`);
      }
      io.stderr.write(
        findings.length === 0
          ? `gofn lint: no findings in ${dir} (${ANALYZERS.length} analyzers).\n`
          : `gofn lint: ${plural(findings.length, 'finding')} in ${dir}.\n`,
      );
    }
    return findings.length === 0 ? ExitCode.ok : ExitCode.warn;
  });
}

async function mustBeDirectory(target: string, given: string): Promise<void> {
  try {
    if ((await stat(target)).isDirectory()) return;
  } catch {
    // reported below
  }
  throw new GofnError(ErrorCode.InvalidInput, `${given} is not a directory.`, {
    hint: 'Pass a directory inside a Go module, or run gofn lint from one.',
  });
}

/** Builds workloads/lint/cmd/gofnlint into the module's .cache (ignored by git); returns its path. */
async function buildVetTool(io: CliIO, go: GoRunner): Promise<string> {
  const module = workloadsDir();
  const tool = path.join(module, '.cache', 'bin', 'gofnlint');
  const env = { ...io.env, GOTOOLCHAIN: pinnedToolchain(module), CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  const built = await go(['build', '-o', tool, './lint/cmd/gofnlint'], { cwd: module, env });
  if (built.code !== 0) {
    throw new GofnError(ErrorCode.Internal, `gofn's vet tool did not build:\n${goSaid(built)}`);
  }
  return tool;
}

/**
 * Reads what `go vet -json` prints: for each package a JSON object
 * `{"<package>": {"<analyzer>": [{"posn": "file:line:col", "message": …}] | {"error": …}}}`,
 * one after another, with `# package` comment lines between them.
 */
export function parseVetJson(output: string, cwd: string): Finding[] {
  const findings: Finding[] = [];
  for (const object of jsonObjects(output)) {
    for (const [pkg, analyzers] of Object.entries(object as Record<string, Record<string, unknown>>)) {
      for (const [analyzer, result] of Object.entries(analyzers ?? {})) {
        if (!Array.isArray(result)) {
          const error = (result as { error?: unknown } | undefined)?.error;
          throw new GofnError(ErrorCode.Internal, `Analyzer ${analyzer} failed on ${pkg}: ${String(error)}.`);
        }
        for (const d of result as { posn?: unknown; message?: unknown }[]) {
          const where = /^(.*):(\d+):(\d+)$/.exec(String(d.posn));
          if (!where) continue;
          const relative = path.relative(cwd, where[1]!);
          findings.push({
            file: relative.startsWith('..') || path.isAbsolute(relative) ? where[1]! : relative,
            line: Number(where[2]),
            column: Number(where[3]),
            analyzer,
            package: pkg,
            message: String(d.message),
          });
        }
      }
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** The top-level JSON objects in text, skipping anything between them. */
function* jsonObjects(text: string): Generator<unknown> {
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) {
      inString = true;
    } else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && depth > 0 && --depth === 0) {
      yield JSON.parse(text.slice(start, i + 1));
    }
  }
}
