/** Number and time formatting shared by checks and renderers, so the CLI and Slack say the same thing. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return integer.format(value);
}

/** 2.26 → "2.3%", 0.04 → "0.04%", 0 → "0%". */
export function formatPercent(value: number): string {
  if (value === 0) return '0%';
  if (Math.abs(value) < 0.1) return `${value.toFixed(2)}%`;
  if (Math.abs(value) < 10) return `${value.toFixed(1)}%`;
  return `${Math.round(value)}%`;
}

export function formatMs(value: number): string {
  if (value >= 10000) return `${(value / 1000).toFixed(0)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value)} ms`;
}

/** 6.5 → "×6.5", 12.3 → "×12". */
export function formatRatio(value: number): string {
  return value >= 10 ? `×${Math.round(value)}` : `×${value.toFixed(1)}`;
}

/** " (×8.5 vs prev.)" after a figure that grew against the window before; empty otherwise. */
export function slowdownNote(ratio: number | undefined): string {
  return ratio === undefined ? '' : ` (${formatRatio(ratio)} vs prev.)`;
}

/** "14:22" in UTC, the time zone on-call rotations share. */
export function formatClock(at: Date): string {
  return at.toISOString().slice(11, 16);
}

/**
 * A window as the terminal shows it: "14:05–15:05 UTC" within one day, with dates when it spans
 * more ("Dec 2 15:05 – Dec 3 15:05 UTC"), so a 1d or 3d window says which days it covers.
 */
export function formatWindow(start: Date, end: Date): string {
  const date = (at: Date) => `${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}`;
  if (start.toISOString().slice(0, 10) === end.toISOString().slice(0, 10)) {
    return `${formatClock(start)}–${formatClock(end)} UTC`;
  }
  return `${date(start)} ${formatClock(start)} – ${date(end)} ${formatClock(end)} UTC`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 38 min ago, 3 h ago, 2 d ago. */
export function formatAgo(at: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60000));
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** 3,600,000 → "1h", 900,000 → "15m", 86,400,000 → "1d". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60000);
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/**
 * Where an alias sends traffic: "live → v42", and during a canary "live → v42, v43 takes 10%".
 * The alias's own version is left out when it names itself (`$LATEST → $LATEST` says nothing).
 */
export function formatAliasTarget(alias: string, version: string | null, routing: Record<string, number> = {}): string {
  const target = version && version !== alias ? ` → ${formatVersion(version)}` : '';
  const canaries = Object.entries(routing)
    .filter(([, weight]) => weight > 0)
    .map(([v, weight]) => `${formatVersion(v)} takes ${formatPercent(weight * 100)}`);
  return `${alias}${target}${canaries.length > 0 ? `, ${canaries.join(', ')}` : ''}`;
}

/** "v42" for a published version; `$LATEST` is a name, not a number, and is shown as it is. */
export function formatVersion(version: string): string {
  return /^\d+$/.test(version) ? `v${version}` : version;
}

/** "1-67e1a2b3-…" style shortening for trace IDs in one-line summaries. */
export function shortTraceId(traceId: string): string {
  return traceId.length > 12 ? `${traceId.slice(0, 10)}…` : traceId;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** 20000 → "20 s", 1500 → "1.5 s". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** `steps[2].thresholds.warn` from ['steps', 2, 'thresholds', 'warn']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * A word as a POSIX shell reads it back: left bare when it holds nothing the shell would expand
 * or split, single-quoted otherwise. `--alias $LATEST` pasted bare would pass an empty alias.
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
