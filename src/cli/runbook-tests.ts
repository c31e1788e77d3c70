import path from 'node:path';
import * as z from 'zod';
import type { StepStatus } from '../checks/types';
import { costReport } from '../cost/collect';
import type { CostFlagKind } from '../cost/report';
import { diagnose } from '../runbook/engine';
import { loadRunbook } from '../runbook/loader';
import { parseDuration } from '../runbook/window';
import { createSimulatedSources } from '../sim/backend';
import { loadScenarioFiles } from '../sim/loader';
import { readYamlFile } from '../yaml-file';

const status = z.enum(['ok', 'warn', 'critical', 'unknown', 'no-traffic']);
const costFlag = z.enum([
  'logs-over-compute',
  'xray-full-sampling',
  'idle-provisioned',
  'memory-far-above-use',
  'memory-near-limit',
] satisfies [CostFlagKind, ...CostFlagKind[]]);

/** A runbook test: a scenario, then for each function the statuses the runbook must reach, like `promtool test rules`. */
export const runbookTestSchema = z.strictObject({
  apiVersion: z.literal('gofn/v1'),
  kind: z.literal('RunbookTest'),
  /** Scenario files, relative to the test file. */
  scenarios: z.array(z.string().min(1)).min(1),
  /** Runbook, relative to the test file; default the shipped runbook. */
  runbook: z.string().min(1).optional(),
  window: z.string().default('1h'),
  /** ISO time the simulation treats as now; default the real time. */
  now: z.iso.datetime().optional(),
  tests: z
    .array(
      z.strictObject({
        function: z.string().min(1),
        alias: z.string().default('live'),
        expect: z.strictObject({
          status: status.optional(),
          primaryCause: z.string().nullable().optional(),
          steps: z.record(z.string(), status).default({}),
          /** What `gofn cost` must say of the function: its flags (all of them) and the size it suggests. */
          cost: z
            .strictObject({
              flags: z.array(costFlag).optional(),
              /** The memory size suggested, or null for none. */
              suggestedMemoryMb: z.number().int().min(128).max(10_240).nullable().optional(),
            })
            .optional(),
        }),
      }),
    )
    .min(1),
});

export interface TestFailure {
  function: string;
  what: string;
  expected: string;
  actual: string;
  detail: string | undefined;
}

export interface TestFileResult {
  file: string;
  cases: number;
  failures: TestFailure[];
}

/** `runbook`: a runbook that replaces the test file's own (`gofn test --runbook`). */
export async function runTestFile(
  file: string,
  options: { runbook?: string | undefined } = {},
): Promise<TestFileResult> {
  const spec = await readYamlFile(file, runbookTestSchema, 'runbook test');
  const dir = path.dirname(file);
  const now = spec.now ? new Date(spec.now) : new Date();
  const windowMs = parseDuration(spec.window, 'window');
  const runbook = await loadRunbook(options.runbook ?? (spec.runbook ? path.resolve(dir, spec.runbook) : undefined));
  const fleet = await loadScenarioFiles(
    spec.scenarios.map((s) => path.resolve(dir, s)),
    { now },
  );
  const sources = createSimulatedSources(fleet);

  const failures: TestFailure[] = [];
  for (const test of spec.tests) {
    const report = await diagnose({
      sources,
      runbook,
      functionName: test.function,
      alias: test.alias,
      windowMs,
      now,
      deadlineMs: 20_000,
    });
    const differ = (what: string, expected: string, actual: string, detail?: string) => {
      if (expected !== actual) failures.push({ function: test.function, what, expected, actual, detail });
    };
    if (test.expect.status) differ('status', test.expect.status, report.status, report.verdict);
    if (test.expect.primaryCause !== undefined) {
      differ('primary cause', String(test.expect.primaryCause), String(report.primaryCause), report.verdict);
    }
    for (const [stepId, expected] of Object.entries(test.expect.steps)) {
      const step = report.steps.find((s) => s.id === stepId);
      if (!step) {
        failures.push({
          function: test.function,
          what: `step ${stepId}`,
          expected,
          actual: 'no such step in the runbook',
          detail: undefined,
        });
        continue;
      }
      differ(`step ${stepId}`, expected, step.status as StepStatus, step.summary);
    }
    const cost = test.expect.cost;
    if (cost) {
      const priced = await costReport({
        sources,
        selection: { kind: 'function', name: test.function },
        alias: test.alias,
        now,
        billed: false,
        recommendations: false,
        deadlineMs: 20_000,
      });
      const fn = priced.functions[0];
      const flags = fn?.flags.map((f) => f.kind) ?? [];
      if (cost.flags) {
        differ(
          'cost flags',
          cost.flags.join(', ') || 'none',
          flags.join(', ') || 'none',
          fn?.flags.map((f) => f.text).join('; '),
        );
      }
      if (cost.suggestedMemoryMb !== undefined) {
        differ(
          'suggested memory',
          String(cost.suggestedMemoryMb),
          String(fn?.rightSizing.suggestedMb ?? null),
          fn?.rightSizing.basis,
        );
      }
    }
  }
  return { file, cases: spec.tests.length, failures };
}
