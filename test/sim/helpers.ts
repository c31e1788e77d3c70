import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadScenarioFiles } from '../../src/sim/loader';
import type { SimulatedFleet } from '../../src/sim/fleet';

/** A fixed present for the simulation, on a minute boundary so window arithmetic is exact. */
export const NOW = new Date('2026-03-24T15:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** The window of `ms` ending at `end`, and the one before it. */
export function windows(ms: number, end: Date = NOW) {
  const start = new Date(end.getTime() - ms);
  return { window: { start, end }, previous: { start: new Date(start.getTime() - ms), end: start } };
}

/** A directory for scenario files written by a test, removed by `cleanup`. */
export class ScratchDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'gofn-sim-'));

  write(name: string, content: string | Uint8Array): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, content);
    return file;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A small valid scenario; `functions` replaces its list of functions (see `functionText`) and
 * `header` adds top-level keys, so a test states only what it is about.
 */
export function scenarioText(options: { name?: string; header?: string; functions?: string } = {}): string {
  return [
    'apiVersion: gofn/v1',
    'kind: Scenario',
    `name: ${options.name ?? 'test'}`,
    options.header ?? '',
    'functions:',
    options.functions ?? functionText(),
  ].join('\n');
}

/** One function entry; `extra` adds keys to it, `metrics` replaces the body of its `metrics`. */
export function functionText(options: { name?: string; extra?: string; metrics?: string } = {}): string {
  return [
    `  - name: ${options.name ?? 'fn-a'}`,
    '    tags: { gofn:managed: "true" }',
    '    versions:',
    '      - { version: 1, publishedAt: -3d }',
    '      - { version: 2, publishedAt: -2d }',
    '    aliases: { live: 2 }',
    options.extra ?? '',
    '    metrics:',
    options.metrics ??
      ['      baseline:', '        invocations: 100', '        duration: { p50: 50, p95: 100, p99: 200 }'].join('\n'),
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** Writes the texts as scenario files and loads them into one fleet. */
export async function loadTexts(texts: string[], now: Date = NOW): Promise<SimulatedFleet> {
  const scratch = new ScratchDir();
  try {
    const files = texts.map((text, i) => scratch.write(`scenario-${i}.yaml`, text));
    return await loadScenarioFiles(files, { now });
  } finally {
    scratch.cleanup();
  }
}
