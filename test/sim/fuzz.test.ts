import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ErrorCode, GofnError } from '../../src/errors';
import { defaultScenarioDir, loadScenarioTexts } from '../../src/sim/loader';
import { NOW } from './helpers';

/**
 * Whatever the bytes, loading ends in a fleet or in an InvalidFile GofnError that names the
 * file: never another exception, never a stack trace in the message.
 */
function outcomeOf(text: string): 'loaded' | GofnError {
  try {
    loadScenarioTexts([{ file: 'fuzzed.yaml', text }], { now: NOW });
    return 'loaded';
  } catch (error) {
    if (!(error instanceof GofnError)) throw new Error(`not a GofnError: ${String(error)}`);
    return error;
  }
}

function assertWellRejected(text: string): void {
  const outcome = outcomeOf(text);
  if (outcome === 'loaded') return;
  expect(outcome.code).toBe(ErrorCode.InvalidFile);
  expect(outcome.message).toContain('fuzzed.yaml');
  expect(outcome.message).not.toMatch(/\n\s+at /);
}

const valid = readFileSync(path.join(defaultScenarioDir(), 'throttling.yaml'), 'utf8');

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'number'; at: number; value: number | string };

/** Edits of a valid scenario: they keep most of its structure, so they reach deep into the schema. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 12 }) }),
  fc.record({
    kind: fc.constant('number' as const),
    at: fc.nat(),
    value: fc.oneof(fc.double(), fc.integer(), fc.constantFrom('.nan', '.inf', '-1', '1e400', '"x"', '[]', '{}', '~')),
  }),
);

function mutate(text: string, edits: Mutation[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % Math.max(1, out.length);
    if (edit.kind === 'delete') out = out.slice(0, at) + out.slice(at + edit.length);
    else if (edit.kind === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
    else {
      // Replace the next number in the text with something else.
      const rest = out.slice(at).replace(/\d+(\.\d+)?/, String(edit.value));
      out = out.slice(0, at) + rest;
    }
  }
  return out;
}

describe('loading arbitrary input', () => {
  it('loads the unmutated scenario (the mutations start from something valid)', () => {
    expect(outcomeOf(valid)).toBe('loaded');
  });

  it('rejects mutated scenarios only with InvalidFile errors', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) =>
        assertWellRejected(mutate(valid, edits)),
      ),
      { numRuns: 600, seed: 20260324 },
    );
  });

  it('rejects random text and bytes only with InvalidFile errors', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
        ),
        (text) => assertWellRejected(text),
      ),
      { numRuns: 600, seed: 7 },
    );
  });

  it('rejects random YAML structures only with InvalidFile errors', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6 }), (value) => {
        let text: string;
        try {
          text = stringify(value);
        } catch {
          return; // not every JS value has a YAML form; those are not inputs
        }
        assertWellRejected(text);
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
