import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ErrorCode, GofnError } from './errors';
import { formatPath, plural } from './format';

/** Files larger than this are refused before parsing: a runbook or scenario is a few KB. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Parses YAML text and validates it with a zod schema. Any problem becomes ONE GofnError
 * (InvalidFile) naming the file, the line and path inside it, and what was expected; nothing
 * else is ever thrown, whatever the bytes.
 */
export function parseYamlText<S extends z.ZodType>(text: string, file: string, schema: S, what: string): z.output<S> {
  const lineCounter = new LineCounter();
  let document;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidFile, `${file} is not valid YAML: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  const syntax = document.errors[0];
  if (syntax) {
    const at = lineCounter.linePos(syntax.pos[0]);
    throw new GofnError(
      ErrorCode.InvalidFile,
      `${file}:${at.line}:${at.col} is not valid YAML: ${syntax.message.split('\n')[0]}.`,
      { cause: syntax },
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidFile, `${file} could not be read as YAML: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  // Unknown keys first: a misspelt key (`titel:`) also makes the key it stood for look missing,
  // and the misspelling is what to fix.
  const issues = [...result.error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const [first, ...others] = issues.map((issue) => locateIssue(document, lineCounter, data, issue));
  const also = others.slice(0, MORE_PROBLEMS_SHOWN).map((p) => `line ${p.line}: ${p.text}`);
  if (others.length > MORE_PROBLEMS_SHOWN)
    also.push(`and ${plural(others.length - MORE_PROBLEMS_SHOWN, 'more problem')}`);
  throw new GofnError(
    ErrorCode.InvalidFile,
    `${file}:${first!.line}: ${first!.text}.${also.length > 0 ? ` Also ${also.join('; ')}.` : ''} The file is not a valid ${what}.`,
    { cause: result.error },
  );
}

/** Beyond the first problem, how many more a message names (each with its line). */
const MORE_PROBLEMS_SHOWN = 3;
/** A problem's text is clipped to this: the message stays one readable sentence whatever the file. */
const PROBLEM_CHARS = 200;

interface Located {
  line: number;
  text: string;
}

/**
 * The line a schema problem is on, and what it is. A key that is missing has no line of its own:
 * the object that should hold it does, so the nearest part of the path present in the file is used.
 */
function locateIssue(document: Document, lineCounter: LineCounter, data: unknown, issue: z.core.$ZodIssue): Located {
  const path = issue.path as PropertyKey[];
  const where = formatPath(path) || '(top level)';
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  let text: string;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    text = `${where}: unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}`;
  } else {
    const problem = issue.message.replace(/^Invalid input: /, '');
    const missing = path.length > 0 && valueAt(data, path) === undefined && problem.startsWith('expected ');
    text = missing ? `${where}: missing (${problem.replace(/, received undefined$/, '')})` : `${where}: ${problem}`;
  }
  const clipped = text.length > PROBLEM_CHARS ? `${text.slice(0, PROBLEM_CHARS - 1)}…` : text;
  return { line: lineOfPath(document, lineCounter, path, unknownKey), text: clipped };
}

/**
 * The line a path inside a YAML document is on; with `key`, the line of that key in the mapping
 * the path leads to. A path that is not in the file (a missing key) has no line of its own: the
 * object that should hold it does, so the nearest part of the path present in the file is used.
 */
export function lineOfPath(document: Document, lineCounter: LineCounter, path: PropertyKey[], key?: string): number {
  let depth = path.length;
  let node = nodeAt(document, path);
  while (!node?.range && depth > 0) {
    depth -= 1;
    node = nodeAt(document, path.slice(0, depth));
  }
  let offset = node?.range?.[0] ?? 0;
  if (key !== undefined && depth === path.length && isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
    if (isScalar(pair?.key) && pair.key.range) offset = pair.key.range[0];
  }
  return lineCounter.linePos(offset).line;
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function nodeAt(document: Document, path: PropertyKey[]): Node | undefined {
  try {
    const node: unknown = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
    return isNode(node) ? node : undefined;
  } catch {
    // A path through a scalar (the file has a string where an object belongs) has no node.
    return undefined;
  }
}

export async function readYamlFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.output<S>> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_FILE_BYTES) {
      throw new GofnError(ErrorCode.InvalidFile, `${file} is ${buffer.length} bytes; a ${what} must be under 1 MB.`);
    }
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof GofnError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? 'error'})`;
    throw new GofnError(ErrorCode.InvalidFile, `${what[0]!.toUpperCase()}${what.slice(1)} file ${file} ${why}.`, {
      cause: error,
    });
  }
  return parseYamlText(text, file, schema, what);
}
