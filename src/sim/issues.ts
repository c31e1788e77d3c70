import { formatPath } from '../format';
import type { z } from 'zod';
import { ErrorCode, GofnError } from '../errors';

/**
 * Turns validation issues into lines a person can act on: where in the file (in the same
 * `functions[2].metrics.incidents[0].from` form they would navigate by), what was expected and
 * what was found. Zod's defaults speak of "objects" and "arrays"; a YAML author thinks in
 * mappings and lists.
 */

export interface Problem {
  /** Path inside the file, e.g. `functions[2].metrics.incidents[0].from`; empty for the whole file. */
  path: string;
  /** The same path as keys, to find its line in the file. */
  keys?: readonly PropertyKey[];
  /** For an unknown key: the key, whose own line is the one to show. */
  unknownKey?: string;
  /** Line in the file, when it is known. */
  line?: number;
  /** What was expected, and what was found. */
  expected: string;
}

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

export function problemsFromIssues(issues: readonly Issue[], basePath: readonly PathKey[] = []): Problem[] {
  return issues.flatMap((issue) => problemsFromIssue(issue, basePath));
}

function problemsFromIssue(issue: Issue, basePath: readonly PathKey[]): Problem[] {
  const path = [...basePath, ...issue.path];
  switch (issue.code) {
    case 'invalid_union': {
      // Report the alternative the value was meant for: its issues say more than "invalid input".
      const branch = closestBranch(issue.errors);
      if (branch) return problemsFromIssues(branch, path);
      return [{ path: formatPath(path), keys: path, expected: withFound(issue.message, issue.input) }];
    }
    case 'invalid_key':
    case 'invalid_element':
      return problemsFromIssues(issue.issues, path);
    default:
      return [
        {
          path: formatPath(path),
          keys: path,
          ...(issue.code === 'unrecognized_keys' ? { unknownKey: String(issue.keys[0]) } : {}),
          expected: describeIssue(issue),
        },
      ];
  }
}

/**
 * The alternative whose type matched (its problems lie inside the value), the deepest such; none
 * when every alternative rejected the value's type outright.
 */
function closestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  let best: readonly Issue[] | undefined;
  let bestDepth = -1;
  for (const branch of branches) {
    const typeMismatch = branch.some((i) => i.path.length === 0 && i.code === 'invalid_type');
    if (typeMismatch) continue;
    const depth = Math.max(0, ...branch.map((i) => i.path.length));
    if (depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  return best;
}

/** Zod's own messages start like this; anything else was written for this schema. */
function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too small|Too big|Unrecognized)/.test(message);
}

function describeIssue(issue: Issue): string {
  const custom = !isDefaultMessage(issue.message);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined)
        return `missing: expected ${custom ? stripExpected(issue.message) : noun(issue.expected)}`;
      return withFound(custom ? issue.message : `expected ${noun(issue.expected)}`, issue.input);
    case 'invalid_value':
      return withFound(`expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`, issue.input);
    case 'too_small':
      return withFound(
        custom ? issue.message : `expected ${bound(issue.origin, 'at least', issue.minimum, issue.inclusive)}`,
        issue.input,
      );
    case 'too_big':
      return withFound(
        custom ? issue.message : `expected ${bound(issue.origin, 'at most', issue.maximum, issue.inclusive)}`,
        issue.input,
      );
    case 'invalid_format':
      return withFound(custom ? issue.message : `expected text in the ${issue.format} format`, issue.input);
    case 'not_multiple_of':
      return withFound(`expected a multiple of ${String(issue.divisor)}`, issue.input);
    default:
      return issue.message;
  }
}

function stripExpected(message: string): string {
  return message.replace(/^expected\s+/, '');
}

function noun(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

function bound(origin: string, word: string, limit: number | bigint, inclusive: boolean | undefined): string {
  const n = Number(limit);
  switch (origin) {
    case 'array':
      return `${word} ${n} item${n === 1 ? '' : 's'}`;
    case 'string':
      return `${word} ${n} character${n === 1 ? '' : 's'}`;
    default:
      if (inclusive === false) return `a number ${word === 'at least' ? 'above' : 'below'} ${n}`;
      return `a number ${word} ${n}`;
  }
}

function withFound(expected: string, input: unknown): string {
  if (input === undefined || /, got /.test(expected)) return expected;
  return `${expected}, got ${describeValue(input)}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

const MORE_PROBLEMS_SHOWN = 3;
export const FORMAT_HINT = 'The scenario format is described in docs/scenarios.md.';

/** One GofnError for a file with problems: the first in full, a few more in brief. */
export function invalidFileError(file: string, problems: readonly Problem[], cause?: unknown): GofnError {
  const [first, ...rest] = problems;
  const where = (p: Problem) => `${p.line === undefined ? '' : `line ${p.line}: `}${p.path ? `${p.path}: ` : ''}`;
  const at = first?.line === undefined ? '' : `:${first.line}`;
  let message = first
    ? `Scenario file ${file}${at} is invalid at ${first.path || 'the top level'}: ${first.expected}.`
    : `Scenario file ${file} is invalid.`;
  if (rest.length > 0) {
    const shown = rest.slice(0, MORE_PROBLEMS_SHOWN).map((p) => `${where(p)}${p.expected}`);
    const hidden = rest.length - shown.length;
    message += ` Also: ${shown.join('; ')}${hidden > 0 ? `; and ${hidden} more` : ''}.`;
  }
  return new GofnError(ErrorCode.InvalidFile, message, { cause, hint: FORMAT_HINT });
}
