import { ErrorCode, GofnError, isGofnError } from '../errors';
import type { Sources } from '../ports';

/** Edit distance, for "Did you mean orders-api?" on a typo'd function name. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest name within a third of the length, or undefined. */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const name of names) {
    const distance = editDistance(wanted.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Turns "not found" into a sentence that says which of function and alias is missing, with a suggestion. */
export async function explainNotFound(
  error: unknown,
  sources: Sources,
  functionName: string,
  alias: string,
): Promise<never> {
  if (!isGofnError(error, ErrorCode.NotFound)) throw error;
  const names = await sources.functions.listFunctionNames().catch(() => undefined);
  if (names?.includes(functionName)) {
    throw new GofnError(ErrorCode.NotFound, `${functionName} has no alias "${alias}" in ${sources.region}.`, {
      cause: error,
      hint: 'Pass the alias your traffic goes through with --alias.',
    });
  }
  const guess = names ? closestName(functionName, names) : undefined;
  throw new GofnError(ErrorCode.NotFound, `no function "${functionName}" in ${sources.region}.`, {
    cause: error,
    hint: guess ? `Did you mean ${guess}?` : undefined,
  });
}
