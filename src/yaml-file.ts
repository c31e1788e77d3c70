import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ErrorCode, GofnError } from './errors';
import { formatPath } from './format';

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
  const issue = result.error.issues[0]!;
  const path = issue.path as PropertyKey[];
  let location = file;
  try {
    const node = document.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) location = `${file}:${lineCounter.linePos(node.range[0]).line}`;
  } catch {
    // The path may not exist in the document (a missing key); the file name alone will do.
  }
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
  throw new GofnError(
    ErrorCode.InvalidFile,
    `${location}: ${formatPath(path) || '(top level)'}: ${issue.message}${more}. The file is not a valid ${what}.`,
    { cause: result.error },
  );
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
