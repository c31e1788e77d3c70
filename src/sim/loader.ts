import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ErrorCode, GofnError } from '../errors';
import { buildFleet } from './build';
import type { ParsedScenario } from './build';
import type { SimulatedFleet } from './fleet';
import { FORMAT_HINT, describeValue, invalidFileError, problemsFromIssues } from './issues';
import { scenarioSchema } from './schema';
import { lineOfPath } from '../yaml-file';

/**
 * Reads scenario files into one simulated fleet. Whatever the bytes, a bad file ends in a
 * GofnError of code InvalidFile that names the file, the place in it and what was expected:
 * the demo and `gofn test` show that sentence, never a stack trace.
 */

export interface LoadOptions {
  /** The simulation's present; defaults to the current time. */
  now?: Date;
}

/** Scenario files are a few kilobytes; anything this big is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

export async function loadScenarioFiles(paths: readonly string[], options: LoadOptions = {}): Promise<SimulatedFleet> {
  const texts: ScenarioText[] = [];
  for (const file of paths) texts.push({ file, text: await readScenario(file) });
  return loadScenarioTexts(texts, options);
}

export interface ScenarioText {
  /** How messages name the file. */
  file: string;
  text: string;
}

/** loadScenarioFiles without the file system: for scenarios built in memory. */
export function loadScenarioTexts(texts: readonly ScenarioText[], options: LoadOptions = {}): SimulatedFleet {
  if (texts.length === 0) {
    throw new GofnError(ErrorCode.InvalidInput, 'No scenario files were given.', {
      hint: `Pass one or more files, or use the ones in ${path.join('runbooks', 'scenarios')}.`,
    });
  }
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime())) {
    throw new GofnError(ErrorCode.InvalidInput, 'The simulation time `now` is not a valid date.');
  }
  const parsed = texts.map(({ file, text }) => ({ file, scenario: parseScenario(file, text) }));
  try {
    return buildFleet(parsed, now);
  } catch (error) {
    if (error instanceof GofnError) throw error;
    const files = texts.map((t) => t.file).join(', ');
    throw new GofnError(ErrorCode.InvalidFile, `The scenario files ${files} could not be combined into a fleet.`, {
      cause: error,
    });
  }
}

async function readScenario(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : 'it cannot be read';
    throw new GofnError(ErrorCode.InvalidFile, `Scenario file ${file} cannot be loaded: ${reason}.`, { cause: error });
  }
  if (bytes.length > MAX_FILE_BYTES) {
    throw new GofnError(
      ErrorCode.InvalidFile,
      `Scenario file ${file} is ${bytes.length} bytes; a scenario is at most 1 MiB.`,
    );
  }
  return bytes.toString('utf8');
}

/** YAML text → validated scenario, or the InvalidFile error that says what is wrong and where. */
export function parseScenario(file: string, text: string): ParsedScenario['scenario'] {
  let data: unknown;
  const lineCounter = new LineCounter();
  let document: Document;
  try {
    document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error', lineCounter });
    const [syntaxError] = document.errors;
    if (syntaxError) {
      const position = syntaxError.linePos?.[0];
      const where = position ? `line ${position.line}, column ${position.col}` : 'an unknown position';
      // The library appends the position and a snippet of the line; the position is said already.
      const reason = firstLine(syntaxError.message.replace(/ at line \d+, column \d+[\s\S]*$/, ''));
      throw new GofnError(ErrorCode.InvalidFile, `Scenario file ${file} is not valid YAML at ${where}: ${reason}.`, {
        cause: syntaxError,
        hint: FORMAT_HINT,
      });
    }
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof GofnError) throw error;
    // The YAML library throws for alias bombs and runs out of stack on absurd nesting.
    throw new GofnError(
      ErrorCode.InvalidFile,
      `Scenario file ${file} could not be read as YAML: ${firstLine(error instanceof Error ? error.message : String(error))}.`,
      { cause: error, hint: FORMAT_HINT },
    );
  }

  if (data === null || data === undefined) {
    throw new GofnError(
      ErrorCode.InvalidFile,
      `Scenario file ${file} is empty; expected a mapping with apiVersion: gofn/v1 and kind: Scenario.`,
      { hint: FORMAT_HINT },
    );
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new GofnError(
      ErrorCode.InvalidFile,
      `Scenario file ${file} holds ${describeValue(data)}; expected a mapping with apiVersion: gofn/v1 and kind: Scenario.`,
      { hint: FORMAT_HINT },
    );
  }

  let result: ReturnType<typeof scenarioSchema.safeParse>;
  try {
    result = scenarioSchema.safeParse(data, { reportInput: true });
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidFile, `Scenario file ${file} could not be validated.`, { cause: error });
  }
  if (!result.success) {
    // Unknown keys first (a misspelt key also makes the key it stood for look missing), then by line.
    const problems = problemsFromIssues(result.error.issues)
      .map((p) => ({ ...p, line: lineOfPath(document, lineCounter, [...(p.keys ?? [])], p.unknownKey) }))
      .sort((a, b) => Number(b.unknownKey !== undefined) - Number(a.unknownKey !== undefined) || a.line - b.line);
    throw invalidFileError(file, problems);
  }
  return result.data;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  const printable = line.replace(/[^\x20-\x7e]/g, '?').trim();
  return (printable.length > 200 ? `${printable.slice(0, 200)}…` : printable).replace(/[.:]+$/, '');
}

/**
 * The repository's `runbooks/scenarios`, beside the package.json above this file: the same
 * directory from `src/sim` under the test runner and from `dist/sim` once built.
 */
export function defaultScenarioDir(): string {
  return path.join(packageRootAbove(__dirname), 'runbooks', 'scenarios');
}

/** The nearest directory at or above `start` that holds a package.json. */
export function packageRootAbove(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new GofnError(ErrorCode.Internal, `No package.json above ${start}.`);
    dir = parent;
  }
}

/** The .yaml and .yml files of a directory, sorted so a fleet loads the same way every time. */
export async function listScenarioFiles(dir: string = defaultScenarioDir()): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidInput, `Scenario directory ${dir} cannot be read.`, { cause: error });
  }
  return entries
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}
