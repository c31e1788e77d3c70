import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { costAcrossTargets, monthAcross } from '../../cost/across-targets';
import { DEFAULT_DAYS, DEFAULT_MEMORY_DAYS } from '../../cost/collect';
import { parseCostSelection } from '../../cost/selection';
import { ErrorCode, GofnError } from '../../errors';
import { parsePriceTable, PRICE_TABLE, type PriceTable } from '../../prices';
import { explainNotFound } from '../../runbook/suggest';
import { parseDeadline, parseRegion, runCommand, styleFor, type OutputOptions } from '../common';
import { ExitCode, type CliIO } from '../io';
import { renderCost, renderCostAcrossTargets } from '../render-cost';
import { openTargets } from '../targets';

export interface CostCommandOptions extends OutputOptions {
  alias: string;
  region?: string;
  days: string;
  memoryDays: string;
  explain?: boolean;
  sort: string;
  billed: boolean;
  prices?: string;
  showPrices?: boolean;
  deadline: string;
  scenario?: string[];
  targets?: string;
}

export function registerCost(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('cost')
    .description('what each managed function costs, what bites, and the memory size to move to')
    .argument('[target]', 'a function, service=<value of the service tag>, or leave out for every managed function')
    .option('--days <n>', 'whole UTC days to add up, 1 to 90', String(DEFAULT_DAYS))
    .option(
      '--memory-days <n>',
      'days of REPORT lines Logs Insights reads for the peak memory (billed per GB scanned); 0 skips it',
      String(DEFAULT_MEMORY_DAYS),
    )
    .option('--explain', 'show how each amount is computed')
    .option('--sort <order>', 'cost (most expensive first) or name', 'cost')
    .option('--no-billed', 'do not ask Cost Explorer for the billed cost (each request costs $0.01)')
    .option('--prices <file>', 'a price table (JSON) instead of the built-in one, e.g. for a region it lacks')
    .option('--show-prices', 'print the price table (built-in, or --prices) as JSON and stop')
    .option('--alias <name>', 'alias a single function is read through', 'live')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile); with --targets, only this region')
    .option('--targets <file>', 'accounts and regions to look at, JSON (default: GOFN_TARGETS, GOFN_TARGETS_FILE)')
    .option('--deadline <duration>', 'finish within this; slower sources are left out and said so', '60s')
    .option('--scenario <path...>', 'a simulated fleet from scenario files or directories instead of AWS')
    .option('--json', 'print one JSON object (see docs/json-output.md)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      `
Exit codes: 0 priced, 3 could not run (unknown function, bad option, no credentials) or, with
accounts and regions configured, one of them could not be read (the others are still shown).
Examples:
  gofn cost                         # every function tagged gofn:managed=true
  gofn cost service=orders --explain
  gofn cost orders-api --json
  gofn cost prod/eu-west-1/orders-api   # with accounts and regions configured (docs/accounts.md)
  gofn cost --scenario runbooks/scenarios`,
    )
    .action(async (target: string | undefined, options: CostCommandOptions) => {
      setExit(await cost(io, target, options));
    });
}

export async function cost(io: CliIO, target: string | undefined, options: CostCommandOptions): Promise<number> {
  return runCommand(io, options, async () => {
    const selection = parseCostSelection(target);
    const days = wholeNumber(options.days, '--days', 1, 90);
    const memoryDays = wholeNumber(options.memoryDays, '--memory-days', 0, 30);
    if (options.sort !== 'cost' && options.sort !== 'name') {
      throw new GofnError(ErrorCode.InvalidInput, `--sort "${options.sort}" is not an order; use cost or name.`);
    }
    const deadlineMs = parseDeadline(options.deadline);
    const priceTable = options.prices ? await readPrices(options.prices) : undefined;
    if (options.showPrices) {
      io.stdout.write(`${JSON.stringify(priceTable ?? PRICE_TABLE, null, 2)}\n`);
      return 0;
    }
    const targets = await openTargets({
      region: parseRegion(options.region),
      scenario: options.scenario,
      targets: options.targets,
      env: io.env,
    });
    const costs = await costAcrossTargets(targets, selection, {
      alias: options.alias,
      days,
      memoryDays,
      deadlineMs,
      priceTable,
      billed: options.billed,
      sort: options.sort,
    }).catch(async (error: unknown) => {
      if (selection.kind !== 'function' || targets.configured) throw error;
      return explainNotFound(error, targets.open(targets.targets[0]!).sources, selection.name, options.alias);
    });
    const style = styleFor(io, options);
    const renderOptions = { explain: options.explain, scenario: options.scenario };
    if (!targets.configured) {
      const report = costs[0]!.report!;
      io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderCost(report, style, renderOptions));
      return 0;
    }
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ targets: costs, month: monthAcross(costs) }, null, 2)}\n`);
    } else {
      io.stdout.write(renderCostAcrossTargets(costs, style, renderOptions));
    }
    // Prices read for some accounts and regions and not others: a script must not take it as whole.
    return costs.some((c) => c.problem) ? ExitCode.unknown : ExitCode.ok;
    return 0;
  });
}

function wholeNumber(text: string, option: string, min: number, max: number): number {
  const value = /^\d{1,3}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new GofnError(ErrorCode.InvalidInput, `${option} "${text}" is not a whole number from ${min} to ${max}.`);
  }
  return value;
}

async function readPrices(file: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidInput, `Price table ${file} cannot be read.`, { cause: error });
  }
  return parsePriceTable(text, file);
}
