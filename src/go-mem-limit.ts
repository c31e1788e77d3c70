import type { GoMemLimit } from './ports';

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/**
 * GOMEMLIMIT as the Go runtime reads it (runtime/debug.SetMemoryLimit): `off`, or a whole number
 * of bytes with an optional unit suffix B, KiB, MiB, GiB or TiB (binary units only). Anything else
 * the runtime refuses at start-up. Only the variable's value is read here, never kept as text.
 */
export function parseGoMemLimit(value: string | undefined): GoMemLimit {
  if (value === undefined || value === '' || value === 'off') return { state: 'unset' };
  const match = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(value.trim());
  if (!match) return { state: 'unparsable' };
  const bytes = Number(match[1]) * (UNITS[match[2] ?? 'B'] ?? 1);
  return Number.isSafeInteger(bytes) ? { state: 'set', bytes } : { state: 'unparsable' };
}
