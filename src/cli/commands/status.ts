import type { Command } from 'commander';
import { isAtLeastWarn, worst } from '../../checks/grade';
import type { StepStatus } from '../../checks/types';
import { ErrorCode, GofnError } from '../../errors';
import { diagnose } from '../../runbook/engine';
import { loadRunbook } from '../../runbook/loader';
import { explainNotFound } from '../../runbook/suggest';
import { fleetAcrossTargets, resolveFunction, serviceView } from '../../runbook/targets';
import { serviceOf } from '../../targets';
import { parseDuration } from '../../runbook/window';
import { exitCodeFor, parseDeadline, parseRegion, runCommand, styleFor, type OutputOptions } from '../common';
import type { CliIO } from '../io';
import { renderFleet } from '../render-fleet';
import { renderReport } from '../render-report';
import { renderService } from '../render-service';
import { openTargets } from '../targets';

export interface StatusOptions extends OutputOptions {
  alias: string;
  window: string;
  region?: string;
  runbook?: string;
  deadline: string;
  scenario?: string[];
  cost?: boolean;
  sort?: string;
  targets?: string;
}

export function registerStatus(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('status')
    .description('walk the degraded-function runbook against a function, or list the managed fleet')
    .argument(
      '[function]',
      'fn, fn@region or account/region/fn; service=NAME for one service per region; leave out for the fleet (functions tagged gofn:managed=true)',
    )
    .option('--alias <name>', 'alias to diagnose', 'live')
    .option('--window <duration>', 'how far back to look: 15m, 1h, 3h, 1d', '1h')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile); with --targets, only this region')
    .option('--targets <file>', 'accounts and regions to look at, JSON (default: GOFN_TARGETS, GOFN_TARGETS_FILE)')
    .option('--runbook <file>', 'runbook YAML to walk (default: runbooks/degraded-function.yaml)')
    .option('--deadline <duration>', 'finish within this; slower sources are reported unknown', '20s')
    .option('--scenario <path...>', 'diagnose a simulated fleet from scenario files or directories instead of AWS')
    .option('--cost', 'the fleet: add what each function costs a month (see gofn cost)')
    .option('--sort <order>', 'the fleet: status (worst first, default) or cost (most expensive first, implies --cost)')
    .option('--json', 'print one JSON object (see docs/json-output.md)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 warn or no traffic, 2 critical, 3 could not diagnose.
Examples:
  gofn status orders-api
  gofn status orders-api --window 3h --json
  gofn status                       # the fleet
  gofn status --sort cost           # the fleet, most expensive first, with a cost column
  gofn status prod/eu-west-1/orders-api   # with accounts and regions configured (docs/accounts.md)
  gofn status service=orders        # one service, a row per account and region
  gofn status --scenario runbooks/scenarios   # a simulated fleet`,
    )
    .action(async (functionName: string | undefined, options: StatusOptions) => {
      setExit(await status(io, functionName, options));
    });
}

export async function status(io: CliIO, functionName: string | undefined, options: StatusOptions): Promise<number> {
  return runCommand(io, options, async () => {
    const windowMs = parseDuration(options.window);
    const deadlineMs = parseDeadline(options.deadline);
    const runbook = await loadRunbook(options.runbook);
    const service = serviceOf(functionName);
    const targets = await openTargets({
      region: parseRegion(options.region),
      scenario: options.scenario,
      targets: options.targets,
      env: io.env,
    });
    const style = styleFor(io, options);

    const sort = parseSort(options.sort);
    if (service) {
      if (options.cost || sort) {
        throw new GofnError(
          ErrorCode.InvalidInput,
          '--cost and --sort apply to the fleet (gofn status without a function); for a service use gofn cost service=NAME.',
        );
      }
      const fleet = await fleetAcrossTargets({ targets, runbook, windowMs, deadlineMs, alias: options.alias, service });
      const view = serviceView(fleet, service);
      io.stdout.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : renderService(view, style));
      return degradedExit(view.rows);
    }

    if (!functionName) {
      const fleet = await fleetAcrossTargets({
        targets,
        runbook,
        windowMs,
        deadlineMs,
        alias: options.alias,
        cost: options.cost,
        sort,
      });
      io.stdout.write(options.json ? `${JSON.stringify(fleet, null, 2)}\n` : renderFleet(fleet, style));
      return degradedExit(fleet.functions);
    }
    if (options.cost || sort) {
      throw new GofnError(
        ErrorCode.InvalidInput,
        '--cost and --sort apply to the fleet (gofn status without a function); for one function use gofn cost <function>.',
      );
    }

    const found = await resolveFunction(targets, functionName, options.alias);
    const { sources } = found.ports;
    const diagnosed = await diagnose({
      sources,
      runbook,
      functionName: found.functionName,
      functionRef: found.ref,
      alias: options.alias,
      windowMs,
      deadlineMs,
    }).catch((error: unknown) => explainNotFound(error, sources, found.functionName, options.alias));
    const report = targets.configured ? { ...diagnosed, account: found.ports.target.account } : diagnosed;
    io.stdout.write(
      options.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderReport(report, style, { scenario: options.scenario }),
    );
    return exitCodeFor(report.status);
  });
}

/**
 * The exit code of a fleet or service view: whether a row is degraded. Quiet or unread rows are
 * listed but do not fail a monitoring script that runs the overview.
 */
function degradedExit(rows: readonly { status: StepStatus }[]): number {
  const status = worst(...rows.map((row) => row.status));
  return isAtLeastWarn(status) ? exitCodeFor(status) : 0;
}

function parseSort(text: string | undefined): 'status' | 'cost' | undefined {
  if (text === undefined || text === 'status' || text === 'cost') return text;
  throw new GofnError(ErrorCode.InvalidInput, `--sort "${text}" is not an order; use status or cost.`);
}
