import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from '../../src/log';

/**
 * Shared by the reliability tests: the counts each test records for docs/reliability.md, an
 * in-memory Slack Web API for the thousands of calls a property test makes, and a log that keeps
 * what it was told.
 */

export interface ReliabilityResult {
  /** Row title in the report. */
  test: string;
  /** Test file, relative to the repository. */
  file: string;
  /** Order in the report: hostile input, faults, load, secrets. */
  group: 'hostile input' | 'faults' | 'load' | 'secrets';
  /** What was tried, as a sentence. */
  tried: string;
  inputs?: number;
  faults?: number;
  load?: number;
  lost: number;
  duplicated: number;
  /** Counts worth showing next to the totals (per category, per fault kind). */
  details?: Record<string, number>;
  /** Anything the reader must know to read the numbers. */
  note?: string;
  durationMs: number;
}

export const RESULTS_DIR = path.join(__dirname, 'results');

/** Writes one result as `results/<slug>.json`; scripts/reliability-report.mjs renders them. */
export function recordResult(slug: string, result: ReliabilityResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${slug}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** `path.relative` from the repository root, with forward slashes. */
export function repoPath(file: string): string {
  return path
    .relative(path.resolve(__dirname, '..', '..'), file)
    .split(path.sep)
    .join('/');
}

export function tally(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown> | undefined;
}

/** A Log that keeps every line, for assertions on what was refused and why. */
export function keptLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const keep = (level: LogLine['level']) => (message: string, attributes?: Record<string, unknown>) =>
    void lines.push({ level, message, attributes });
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

export interface MemorySlackCall {
  method: string;
  args: Record<string, unknown>;
}

/**
 * A `fetch` for `@slack/web-api` that answers the Web API in memory: no sockets, so a property
 * test can make ten thousand calls in seconds. It records what reached "Slack".
 */
export function memorySlackFetch(): { fetch: typeof fetch; calls: MemorySlackCall[]; slackApiUrl: string } {
  const calls: MemorySlackCall[] = [];
  let seq = 0;
  const slackApiUrl = 'http://slack.invalid/api/';
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = url.pathname.replace(/^\/api\//, '');
    const text = typeof init?.body === 'string' ? init.body : '';
    const args: Record<string, unknown> = {};
    if (text.startsWith('{')) Object.assign(args, JSON.parse(text) as Record<string, unknown>);
    else
      for (const [key, value] of new URLSearchParams(text)) {
        args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
      }
    calls.push({ method, args });
    seq += 1;
    const body =
      method === 'views.open'
        ? { ok: true, view: { id: `V${seq}` } }
        : method === 'chat.postMessage'
          ? { ok: true, ts: `1700000000.${String(seq).padStart(6, '0')}`, channel: args.channel }
          : method === 'users.info'
            ? { ok: true, user: { id: args.user, team_id: 'T1', is_restricted: false, is_ultra_restricted: false } }
            : method === 'conversations.info'
              ? { ok: true, channel: { id: args.channel, is_ext_shared: false } }
              : method === 'auth.test'
                ? { ok: true, team_id: 'T1', user_id: 'UBOT' }
                : { ok: true };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fake as typeof fetch, calls, slackApiUrl };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Bolt's receiver and the Web API client log to the console by themselves; keep tests quiet. */
export function quietConsole(): () => void {
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation(() => undefined),
  );
  return () => spies.forEach((spy) => spy.mockRestore());
}
