import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeError, ErrorCode, GofnError } from '../../errors';
import { plural } from '../../format';
import { projectRoot } from '../../project';
import { runCommand, styleFor, type OutputOptions } from '../common';
import { ExitCode, type CliIO } from '../io';
import { runTestFile } from '../runbook-tests';

export function registerTest(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('test')
    .description('run runbook tests: scenarios with the status each step must reach')
    .argument('[paths...]', 'test files or directories (default: runbooks/tests)')
    .option('--runbook <file>', "runbook YAML to test, instead of each test file's own (default: the shipped one)")
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      '\nExit codes: 0 all passed, 1 an expectation failed, 3 a test file could not be run or there was nothing to test\n' +
        '(a path that does not exist, or a directory without .yaml files).',
    )
    .action(async (paths: string[], options: TestOptions) => {
      setExit(await runbookTests(io, paths, options));
    });
}

/** The .yaml files named or held by the paths; a path that holds no test is an error, not a pass. */
async function testFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (!(await isDirectory(p))) {
      files.push(p);
      continue;
    }
    const held = (await readdir(p)).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (held.length === 0) {
      throw new GofnError(ErrorCode.InvalidInput, `Directory ${p} holds no runbook tests (.yaml files).`, {
        hint: 'Pass test files, or a directory that holds them; nothing was tested.',
      });
    }
    files.push(...held.map((f) => path.join(p, f)));
  }
  return files;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GofnError(
      ErrorCode.InvalidInput,
      code === 'ENOENT' ? `Test path ${p} does not exist.` : `Test path ${p} cannot be read (${code ?? 'error'}).`,
      { hint: 'Pass runbook test files (.yaml) or directories that hold them; nothing was tested.', cause: error },
    );
  }
}

export interface TestOptions extends OutputOptions {
  runbook?: string;
}

export async function runbookTests(io: CliIO, paths: string[], options: TestOptions): Promise<number> {
  return runCommand(io, options, async () => {
    const style = styleFor(io, options);
    const files = await testFiles(paths.length > 0 ? paths : [path.join(projectRoot(), 'runbooks', 'tests')]);
    let cases = 0;
    let failed = 0;
    let broken = 0;
    for (const file of files) {
      const shown = path.relative(process.cwd(), file) || file;
      try {
        const result = await runTestFile(file, { runbook: options.runbook });
        cases += result.cases;
        if (result.failures.length === 0) {
          io.stdout.write(`${style.green('PASS')} ${shown} (${plural(result.cases, 'function')})\n`);
          continue;
        }
        failed += new Set(result.failures.map((f) => f.function)).size;
        io.stdout.write(`${style.red('FAIL')} ${shown}\n`);
        for (const f of result.failures) {
          io.stdout.write(
            `  ${f.function}: ${f.what}: expected ${style.bold(f.expected)}, got ${style.bold(f.actual)}\n`,
          );
          if (f.detail) io.stdout.write(style.dim(`    ${f.detail}\n`));
        }
      } catch (error) {
        broken += 1;
        io.stdout.write(`${style.magenta('ERROR')} ${shown}: ${describeError(error)}\n`);
      }
    }
    io.stdout.write(
      `\n${plural(files.length, 'file')}, ${plural(cases, 'function')}, ${failed} failed, ${broken} could not run\n`,
    );
    if (broken > 0) return ExitCode.unknown;
    return failed > 0 ? 1 : 0;
  });
}
