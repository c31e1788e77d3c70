import { randomUUID } from 'node:crypto';
import { userInfo, hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { listAudit } from '../../actions/audit';
import { planAction } from '../../actions/plan';
import { auditUnplanned, runAction } from '../../actions/run';
import type { ActionOutcome, ActionRequest, Plan } from '../../actions/types';
import type { ActionKind } from '../../checks/types';
import { loadCliConfig } from '../../config';
import { describeError, ErrorCode, GofnError } from '../../errors';
import { silentLog, type Log } from '../../log';
import { reportFailure, runCommand, styleFor, type OutputOptions } from '../common';
import type { CliIO } from '../io';
import type { Style } from '../style';
import { explainNotFound } from '../../runbook/suggest';
import { resolveFunction, singleTarget } from '../../runbook/targets';
import { parseFunctionRef, placeOf, type TargetRef } from '../../targets';
import { openWorld, type World, type WorldChoice } from '../world';

export interface ActionOptions extends OutputOptions {
  alias: string;
  region?: string;
  scenario?: string[];
  table?: string;
  stack?: string;
  targets?: string;
  yes?: boolean;
  to?: string;
  rate?: string;
  maxConcurrency?: string;
}

/** Exit codes of the action commands: done, not done by choice or by the world, failed, could not start. */
const EXIT = { succeeded: 0, declined: 1, refused: 1, conflict: 1, duplicate: 1, failed: 2, unusable: 3 } as const;

const ACTION_EXIT_CODES = `
Exit codes: 0 done; 1 nothing changed (you declined, or gofn refused: not allowed, already done,
the world changed since the plan); 2 it was tried and failed; 3 it could not start (bad option,
unknown function, no credentials). Every attempt is recorded: see \`gofn audit <function>\`.`;

export function withWorldOptions(command: Command): Command {
  return command
    .addHelpText('after', ACTION_EXIT_CODES)
    .option('--alias <name>', 'alias to act on', 'live')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile); with --targets, only this region')
    .option(
      '--targets <file>',
      'accounts and regions the function may be in, JSON (default: GOFN_TARGETS, GOFN_TARGETS_FILE)',
    )
    .option('--table <name>', "gofn's DynamoDB table for the audit record (default: GOFN_TABLE, else the bot stack's)")
    .option(
      '--stack <name>',
      'the deployed bot stack whose TableName output is the table (default: GOFN_STACK, else GofnBot)',
    )
    .option('--scenario <path...>', 'act on a simulated fleet instead of AWS')
    .option('-y, --yes', 'do not ask for confirmation (for scripts)')
    .option('--json', 'print the outcome as JSON')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)');
}

export function registerActions(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withWorldOptions(
    program
      .command('rollback')
      .description('point the alias back at the previous version (or stop the CodeDeploy deployment shifting it)')
      .argument('<function>', 'fn, fn@region or account/region/fn')
      .option('--to <version>', 'roll back to this version instead of the previous one'),
  ).action(async (fn: string, options: ActionOptions) => {
    setExit(
      await act(io, 'rollback', fn, options, (o) => {
        if (o.to !== undefined && !/^\d{1,10}$/.test(o.to)) {
          throw new GofnError(
            ErrorCode.InvalidInput,
            `--to "${o.to}" is not a version number; use a published version like 41.`,
          );
        }
        return { toVersion: o.to };
      }),
    );
  });

  withWorldOptions(
    program
      .command('replay-dlq')
      .description("move the messages of the function's dead-letter queue back to be processed again")
      .argument('<function>', 'fn, fn@region or account/region/fn')
      .option('--rate <n>', 'messages per second', '50'),
  ).action(async (fn: string, options: ActionOptions) => {
    setExit(await act(io, 'replay-dlq', fn, options, () => ({})));
  });

  withWorldOptions(
    program
      .command('concurrency')
      .description('set the reserved concurrency of a function: raise it, lower it, or remove it (none)')
      .argument('<function>', 'fn, fn@region or account/region/fn')
      .argument('<n>', 'reserved concurrency to set, or none to remove the reservation')
      .option('--max-concurrency <n>', 'refuse to set more than this (default: GOFN_MAX_CONCURRENCY, else 1000)'),
  ).action(async (fn: string, n: string, options: ActionOptions) => {
    const remove = n === 'none';
    if (!remove && !/^\d{1,6}$/.test(n)) {
      setExit(
        reportUsage(
          io,
          options,
          `"${n}" is not a whole number of concurrent executions; use a number, or none to remove it.`,
        ),
      );
      return;
    }
    const to = remove ? undefined : Number(n);
    setExit(
      await act(
        io,
        // Raising and lowering are different actions (lowering needs no headroom, raising no floor):
        // which one this is depends on the reservation now.
        async (found) => {
          if (remove) return 'lower-concurrency';
          const current = await found.control.lambda.getReservedConcurrency(found.name).catch(() => undefined);
          return current !== undefined && to! < current ? 'lower-concurrency' : 'raise-concurrency';
        },
        fn,
        options,
        () => (remove ? { removeConcurrency: true } : { concurrencyTo: to }),
      ),
    );
  });

  withWorldOptions(
    program
      .command('source-concurrency')
      .description("set the MaximumConcurrency of one of the function's SQS event-source mappings (none removes it)")
      .argument('<function>', 'function name')
      .argument('<mapping>', "the mapping's UUID, or its queue's name")
      .argument('<n>', 'MaximumConcurrency from 2 to 1000, or none'),
  ).action(async (fn: string, mapping: string, n: string, options: ActionOptions) => {
    if (n !== 'none' && !/^\d{1,4}$/.test(n)) {
      setExit(
        reportUsage(io, options, `"${n}" is not a MaximumConcurrency; use a whole number from 2 to 1000, or none.`),
      );
      return;
    }
    setExit(
      await act(io, 'set-source-concurrency', fn, options, () => ({
        mapping,
        sourceConcurrencyTo: n === 'none' ? null : Number(n),
      })),
    );
  });

  withWorldOptions(
    program
      .command('source')
      .description("turn one of the function's event-source mappings off (a kill switch for a poison queue) or on")
      .argument('<function>', 'function name')
      .argument('<mapping>', "the mapping's UUID, or its queue's or stream's name")
      .argument('<on|off>', 'on or off'),
  ).action(async (fn: string, mapping: string, state: string, options: ActionOptions) => {
    if (state !== 'on' && state !== 'off') {
      setExit(reportUsage(io, options, `"${state}" is neither on nor off.`));
      return;
    }
    setExit(await act(io, state === 'on' ? 'enable-source' : 'disable-source', fn, options, () => ({ mapping })));
  });

  program
    .command('audit')
    .description('list the recorded attempts to change a function, newest first')
    .argument('<function>', 'fn, fn@region or account/region/fn')
    .option('--limit <n>', 'how many records, from 1 to 500', '20')
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile)')
    .option('--table <name>', "gofn's DynamoDB table (default: GOFN_TABLE, else the bot stack's)")
    .option(
      '--stack <name>',
      'the deployed bot stack whose TableName output is the table (default: GOFN_STACK, else GofnBot)',
    )
    .option('--scenario <path...>', 'a simulated fleet: its record starts empty with each command')
    .option('--json', 'print the records as JSON')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .action(async (fn: string, options: AuditOptions) => {
      setExit(await audit(io, fn, options));
    });
}

export interface AuditOptions extends OutputOptions {
  limit: string;
  region?: string;
  table?: string;
  stack?: string;
  scenario?: string[];
}

/** The audit records of a function, newest first, in aligned columns (or JSON). */
export async function audit(
  io: CliIO,
  functionName: string,
  options: AuditOptions,
  open: (choice: WorldChoice) => Promise<World> = openWorld,
): Promise<number> {
  return runCommand(io, options, async () => {
    const limit = Number(options.limit);
    if (!/^\d{1,3}$/.test(options.limit) || limit < 1 || limit > 500) {
      throw new GofnError(
        ErrorCode.InvalidInput,
        `--limit "${options.limit}" is not a number of records; use a whole number from 1 to 500.`,
      );
    }
    // `prod/eu-west-1/orders-api`: the records of that account and region (and any that do not say).
    const ref = parseFunctionRef(functionName);
    const world = await open({ ...options, needsTable: true, env: io.env });
    const records = await listAudit(world.store, ref.name, limit, undefined, {
      account: ref.account,
      region: ref.region,
    });
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ function: functionName, records }, null, 2)}\n`);
      return 0;
    }
    if (records.length === 0) {
      const simulated = world.simulated ? ' (a simulated fleet keeps its record only while one command runs)' : '';
      io.stdout.write(`No recorded actions on ${functionName}${simulated}.\n`);
      return 0;
    }
    const style = styleFor(io, options);
    const rows = records.map((r) => [
      r.at,
      r.status,
      r.kind,
      `${r.actor.via}:${r.actor.id}`,
      // Records from before accounts and regions say neither.
      r.region ? placeOf(r.account, r.region) : '—',
    ]);
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((cells) => cells[i]!.length)));
    records.forEach((r, row) => {
      const [at, status, kind, actor, place] = rows[row]!.map((cell, i) => cell.padEnd(widths[i]!));
      io.stdout.write(`${at}  ${statusWord(style, r.status, status!)}  ${kind}  ${actor}  ${place}  ${r.sentence}\n`);
    });
    return 0;
  });
}

/** The status, already padded to its column, in its colour. */
function statusWord(style: Style, status: string, padded: string): string {
  if (status === 'succeeded') return style.green(padded);
  if (status === 'failed') return style.red(padded);
  return style.yellow(padded);
}

/** The cap on reserved concurrency: --max-concurrency, else the worker's GOFN_MAX_CONCURRENCY. */
function maxConcurrencyOf(io: CliIO, options: ActionOptions): number {
  // The environment is read only when the flag does not say, so a bad value there cannot stop
  // a command that overrides it.
  if (options.maxConcurrency === undefined) return loadCliConfig(io.env).GOFN_MAX_CONCURRENCY;
  const value = Number(options.maxConcurrency);
  if (!/^\d{1,7}$/.test(options.maxConcurrency) || value < 1) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `--max-concurrency "${options.maxConcurrency}" is not a whole number above 0.`,
    );
  }
  return value;
}

/**
 * How long the functions reuse a read of their profiling flag: GOFN_PROFILE_FLAG_TTL_SECONDS, as
 * set on the functions (30 s, internal/profiling's default, when unset).
 */
function profilingSettings(io: CliIO): { flagTtlSeconds: number; uploadGraceSeconds: number } {
  const raw = io.env.GOFN_PROFILE_FLAG_TTL_SECONDS;
  const ttl = raw === undefined ? 30 : Number(raw);
  if (!/^\d{1,4}$/.test(raw ?? '30')) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `GOFN_PROFILE_FLAG_TTL_SECONDS "${raw}" is not a whole number of seconds.`,
    );
  }
  return { flagTtlSeconds: ttl, uploadGraceSeconds: 5 };
}

/** The person at the terminal, as the audit record names them. */
function cliActor(): { via: 'cli'; id: string } {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { via: 'cli', id: `${user}@${hostname()}` };
}

/** What the plan promises, carried into execution so a change of the world in between is refused. */
function pinnedTo(plan: Plan): ActionRequest['expected'] {
  switch (plan.kind) {
    case 'rollback':
      return plan.method === 'update-alias'
        ? { fromVersion: plan.fromVersion, toVersion: plan.toVersion, targetSource: plan.targetSource }
        : { fromVersion: plan.fromVersion };
    case 'raise-concurrency':
      return { concurrencyFrom: plan.from, concurrencyTo: plan.to };
    case 'replay-dlq':
      return { queue: plan.dlqName };
    case 'lower-concurrency':
      return { concurrencyFrom: plan.from, concurrencyTo: plan.to ?? undefined, removeConcurrency: plan.to === null };
    case 'set-source-concurrency':
      return { mapping: plan.uuid, sourceConcurrencyFrom: plan.from ?? null, sourceConcurrencyTo: plan.to };
    case 'disable-source':
    case 'enable-source':
      return { mapping: plan.uuid };
    case 'profile':
      return { version: plan.version, seconds: plan.seconds };
  }
}

/** Asks on the terminal; the end of input (Ctrl-D) is a no, never a silent exit. */
async function confirm(io: CliIO, question: string): Promise<'yes' | 'no' | 'no answer'> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    io.stderr.write(question);
    // The first line, or the end of input before any: readline emits 'close' after the last 'line'.
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
    });
    if (answer === undefined) return 'no answer';
    return /^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

/**
 * Plans, shows the plan, asks, and runs the action through runAction, which audits it. The world
 * is opened by `open`, which tests replace.
 */
export async function act(
  io: CliIO,
  kindOf: ActionKind | ((found: { control: World['control']; name: string }) => Promise<ActionKind>),
  functionName: string,
  options: ActionOptions,
  expected: (options: ActionOptions) => ActionRequest['expected'],
  open: (choice: WorldChoice) => Promise<World> = openWorld,
  /** More output after a success (the profile's table and file). */
  finish?: (outcome: ActionOutcome, world: World, style: Style) => Promise<void>,
): Promise<number> {
  let exit: number = EXIT.unusable;
  await runCommand(io, options, async () => {
    const style = styleFor(io, options);
    const rate = Number(options.rate ?? 50);
    if (!(rate >= 1 && rate <= 500))
      throw new GofnError(
        ErrorCode.InvalidInput,
        `--rate "${options.rate}" must be between 1 and 500 messages per second.`,
      );
    // Only raising concurrency has a cap to respect; the other actions never read it.
    const mayRaise = typeof kindOf === 'function' || kindOf === 'raise-concurrency';
    const maxConcurrency = mayRaise ? maxConcurrencyOf(io, options) : Number.POSITIVE_INFINITY;
    const world: World = await open({ ...options, needsTable: true, env: io.env });
    // The account and region the function is in: its role's ports act there, and the audit says so.
    let found: { sources: World['sources']; control: World['control']; name: string; target?: TargetRef } = {
      sources: world.sources,
      control: world.control,
      name: functionName,
    };
    let unresolved: unknown;
    try {
      const resolved = await resolveFunction(world.targets ?? singleTarget(world), functionName, options.alias);
      found = { ...resolved.ports, name: resolved.functionName, target: resolved.ports.target };
    } catch (error) {
      unresolved = error;
    }
    const kind = typeof kindOf === 'function' ? await kindOf(found) : kindOf;
    const deps = {
      sources: found.sources,
      control: found.control,
      store: world.store,
      settings: {
        maxConcurrency,
        replayRatePerSecond: rate,
        admins: [],
        // Read only by the action that uses it, so a bad value cannot stop another.
        ...(kind === 'profile' ? { profiling: profilingSettings(io) } : {}),
      },
      log: errorsToStderr(io),
      onProgress: (sentence: string) => {
        io.stderr.write(`  ${sentence}\n`);
      },
    };
    const request: ActionRequest = {
      kind,
      functionName: found.name,
      alias: options.alias,
      expected: expected(options),
      actor: cliActor(),
      requestId: randomUUID(),
      target: found.target,
    };

    let plan: Plan;
    try {
      if (unresolved) throw unresolved;
      ({ plan } = await planAction(request, deps));
    } catch (planError) {
      // "no function "ordrs-api" in us-east-1. Did you mean orders-api?", not the SDK's own words.
      const error: unknown =
        planError === unresolved
          ? planError
          : await explainNotFound(planError, found.sources, found.name, options.alias).catch(
              (explained: unknown) => explained,
            );
      // Whatever stopped the plan, this was an attempt to change production: audit it as it
      // was told, without reading the world again (a second look must not run anything the
      // person never confirmed).
      const outcome = await auditUnplanned(request, error, deps);
      // Nothing could start (no such function, AWS failed): one sentence after "gofn: ", exit 3.
      if (outcome.status === 'failed') throw error;
      printOutcome(io, style, outcome, options);
      exit = EXIT[outcome.status];
      return exit;
    }
    io.stderr.write(`Plan: ${style.bold(plan.sentence)}${world.simulated ? style.dim(' (simulated)') : ''}\n`);
    if (!options.yes) {
      if (!io.stdin.isTTY) {
        throw new GofnError(ErrorCode.InvalidInput, 'Not asking on a non-interactive input; nothing was changed.', {
          hint: 'Pass --yes to run it from a script.',
        });
      }
      const answer = await confirm(io, 'Proceed? [y/N] ');
      if (answer !== 'yes') {
        io.stderr.write(
          answer === 'no answer' ? '\nNo answer (end of input); nothing was changed.\n' : 'Nothing was changed.\n',
        );
        exit = EXIT.declined;
        return exit;
      }
    }
    const outcome = await runAction({ ...request, expected: { ...request.expected, ...pinnedTo(plan) } }, deps);
    printOutcome(io, style, outcome, options);
    if (outcome.status === 'succeeded') await finish?.(outcome, world, style);
    exit = EXIT[outcome.status];
    return exit;
  });
  return exit;
}

/**
 * What the actions log as errors (an audit record that could not be written) reaches the person
 * at the terminal; the rest of their log is for the Lambda handlers.
 */
function errorsToStderr(io: CliIO): Log {
  return {
    ...silentLog,
    error: (message, attributes) => {
      const line = `${message}${attributes?.error === undefined ? '' : `: ${describeError(attributes.error)}`}`;
      io.stderr.write(`gofn: ${line.endsWith('.') ? line : `${line}.`}\n`);
    },
  };
}

function printOutcome(io: CliIO, style: Style, outcome: ActionOutcome, options: ActionOptions): void {
  if (options.json) {
    io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    return;
  }
  const mark =
    outcome.status === 'succeeded'
      ? style.green('✔')
      : outcome.status === 'failed'
        ? style.red('✖')
        : style.yellow('▲');
  io.stdout.write(`${mark} ${outcome.sentence}\n`);
}

/** A bad argument of an action command: one sentence after "gofn: ", exit 3, nothing opened. */
function reportUsage(io: CliIO, options: ActionOptions, sentence: string): number {
  reportFailure(io, options, new GofnError(ErrorCode.InvalidInput, sentence));
  return EXIT.unusable;
}
