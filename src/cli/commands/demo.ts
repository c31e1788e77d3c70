import path from 'node:path';
import type { Command } from 'commander';
import { diagnose } from '../../runbook/engine';
import type { Sources } from '../../ports';
import { fleetOverview, type FleetRow } from '../../runbook/fleet';
import { loadRunbook } from '../../runbook/loader';
import { shellWord } from '../../format';
import { runCommand, styleFor, type OutputOptions } from '../common';
import type { CliIO } from '../io';
import { renderFleet } from '../render-fleet';
import { renderReport } from '../render-report';
import { costReport } from '../../cost/collect';
import { renderCost } from '../render-cost';
import { defaultScenarioDir, openSources } from '../sources';

const HOUR_MS = 3_600_000;
const DEADLINE_MS = 20_000;
/** How many degraded functions the demo walks through in detail after the overview. */
const DETAILED = 2;

export function registerDemo(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('diagnose a simulated degraded fleet: no AWS account needed')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .action(async (options: OutputOptions) => {
      setExit(await demo(io, options));
    });
}

/**
 * The fleet overview, then the runbook walked on the two worst functions and on a canary in
 * progress if the fleet has one, then what the fleet costs, all on the shipped scenarios.
 */
export async function demo(io: CliIO, options: OutputOptions): Promise<number> {
  return runCommand(io, options, async () => {
    const style = styleFor(io, options);
    const scenarioDir = defaultScenarioDir();
    const shownDir = path.relative(process.cwd(), scenarioDir) || '.';
    const runbook = await loadRunbook();
    // Sources that answer at AWS's pace, so the demo feels like a real account; the reports say so.
    const sources = await openSources({ scenario: [scenarioDir], realisticLatency: true });
    io.stdout.write(style.dim(`Simulated fleet from ${shownDir}: no AWS account involved.\n\n`));
    io.stdout.write(`$ gofn status --scenario ${shellWord(shownDir)}\n`);
    const fleet = await fleetOverview({ sources, runbook, windowMs: HOUR_MS, deadlineMs: DEADLINE_MS });
    io.stdout.write(renderFleet(fleet, style, { simulatedLatency: true }));

    const degraded = fleet.functions.filter((f) => f.status === 'critical' || f.status === 'warn');
    const worst = distinctCauses(degraded, DETAILED);
    const canary = await firstCanary(
      sources,
      degraded.map((f) => f.function).filter((name) => !worst.includes(name)),
    );
    for (const functionName of canary ? [...worst, canary] : worst) {
      io.stdout.write(`\n$ gofn status ${shellWord(functionName)} --scenario ${shellWord(shownDir)}\n`);
      const report = await diagnose({
        sources,
        runbook,
        functionName,
        windowMs: HOUR_MS,
        deadlineMs: DEADLINE_MS,
      });
      io.stdout.write(renderReport(report, style, { simulatedLatency: true, scenario: [shownDir] }));
    }
    io.stdout.write(`\n$ gofn cost --scenario ${shellWord(shownDir)}\n`);
    const cost = await costReport({ sources, selection: { kind: 'all' }, deadlineMs: DEADLINE_MS });
    io.stdout.write(renderCost(cost, style, { simulatedLatency: true, scenario: [shownDir] }));
    io.stdout.write(
      style.dim(
        `\nTry: gofn status <function> --scenario runbooks/scenarios   (any function above; --json for machines)\n` +
          `     gofn cost orders-api --explain --scenario runbooks/scenarios   (how each amount is computed)\n` +
          `     gofn test                                             (the runbook tests of every scenario)\n`,
      ),
    );
    return 0;
  });
}

/**
 * The first of `names` whose `live` alias is running a canary (weighted routing), so the demo
 * also shows how gofn reads one; undefined when none is.
 */
async function firstCanary(sources: Sources, names: string[]): Promise<string | undefined> {
  const aliases = await Promise.all(
    names.map((name) => sources.functions.getFunction(name, 'live').catch(() => undefined)),
  );
  return aliases.find((fn) => fn && Object.keys(fn.routing).length > 0)?.name;
}

/**
 * The worst functions, skipping one whose first signal (throttles, latency, …) an earlier pick
 * already shows: the demo walks different causes, not the same one twice.
 */
function distinctCauses(rows: readonly FleetRow[], count: number): string[] {
  const picked: FleetRow[] = [];
  for (const row of rows) {
    if (picked.length === count) break;
    const cause = row.findings[0]?.signal;
    if (!picked.some((p) => p.findings[0]?.signal === cause)) picked.push(row);
  }
  return picked.map((row) => row.function);
}
