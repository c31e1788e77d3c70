import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { collectProfiles, DEFAULT_PROFILE_SECONDS, localProfileName } from '../../actions/profile';
import type { ActionOutcome, Plan } from '../../actions/types';
import { PROFILE_BUCKET_TAG, PROFILE_PARAMETER_TAG } from '../../checks/profile';
import { ErrorCode, GofnError } from '../../errors';
import { formatCount, formatVersion, plural } from '../../format';
import { runCommand, styleFor } from '../common';
import type { CliIO } from '../io';
import type { Style } from '../style';
import { openWorld, type World, type WorldChoice } from '../world';
import { act, withWorldOptions, type ActionOptions } from './actions';

export interface ProfileOptions extends ActionOptions {
  seconds: string;
  version?: string;
  session?: string;
  out?: string;
}

/** A top-functions row as the audit record keeps it. */
interface Row {
  function: string;
  flatPercent: number;
  cumPercent: number;
}

export function registerProfile(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withWorldOptions(
    program
      .command('profile')
      .description('record CPU profiles on the warm instances of the live version, then merge them')
      .argument('<function>', 'function name')
      .option('--seconds <n>', 'how long each warm instance records, 5 to 300', String(DEFAULT_PROFILE_SECONDS))
      .option('--version <version>', 'the version to profile (default: the one the alias points to)')
      .option('--out <file>', 'where to save the merged profile (default: <function>-<version>-<session>.pb.gz)')
      .option('--session <id>', 'only collect and merge the profiles of an earlier request (nothing is turned on)'),
  ).action(async (fn: string, options: ProfileOptions) => {
    setExit(options.session ? await collectOnly(io, fn, options) : await profile(io, fn, options));
  });
}

function parseSeconds(text: string): number {
  if (!/^\d{1,3}$/.test(text)) {
    throw new GofnError(ErrorCode.InvalidInput, `--seconds "${text}" is not a whole number of seconds from 5 to 300.`);
  }
  return Number(text);
}

/**
 * Plans, confirms and runs the profile action (authorized and audited like the others), then
 * prints the top functions and saves the merged profile for `go tool pprof`.
 */
export async function profile(
  io: CliIO,
  functionName: string,
  options: ProfileOptions,
  open: (choice: WorldChoice) => Promise<World> = openWorld,
): Promise<number> {
  return act(
    io,
    'profile',
    functionName,
    options,
    (o) => ({ seconds: parseSeconds((o as ProfileOptions).seconds), version: (o as ProfileOptions).version }),
    open,
    async (outcome, world, style) => {
      const plan = outcome.plan;
      if (plan?.kind !== 'profile') return;
      await saveAndShow(io, style, world, plan, outcome.after, options);
    },
  );
}

/** Merges the profiles an earlier request's instances uploaded: read-only but for the merged object. */
async function collectOnly(io: CliIO, functionName: string, options: ProfileOptions): Promise<number> {
  return runCommand(io, options, async () => {
    const world = await openWorld({ ...options, needsTable: false, env: io.env });
    const ports = world.control.profiles;
    if (!ports) throw new GofnError(ErrorCode.InvalidInput, 'A simulated fleet has no profiles to collect.');
    const fn = await world.sources.functions.getFunction(functionName, options.alias);
    const bucket = fn.tags[PROFILE_BUCKET_TAG];
    if (!bucket || !fn.tags[PROFILE_PARAMETER_TAG]) {
      throw new GofnError(
        ErrorCode.InvalidInput,
        `${fn.name} is not set up for profiling (no ${PROFILE_BUCKET_TAG} tag).`,
      );
    }
    const plan = {
      kind: 'profile' as const,
      functionName: fn.name,
      alias: options.alias,
      version: options.version ?? fn.version,
      seconds: 0,
      parameter: fn.tags[PROFILE_PARAMETER_TAG],
      bucket,
      session: options.session!,
      sentence: '',
    };
    const collected = await collectProfiles(ports, plan, {});
    if (collected.instances === 0) {
      throw new GofnError(
        ErrorCode.NotFound,
        `No instance of ${fn.name} ${formatVersion(plan.version)} uploaded a profile for session ${plan.session}.`,
        { hint: 'Check the session and --version (profiles are kept for the bucket’s lifecycle, 7 days).' },
      );
    }
    if (options.json) io.stdout.write(`${JSON.stringify(collected.record, null, 2)}\n`);
    await saveAndShow(io, styleFor(io, options), world, plan, collected.record, options);
    return 0;
  });
}

async function saveAndShow(
  io: CliIO,
  style: Style,
  world: World,
  plan: Extract<Plan, { kind: 'profile' }>,
  after: ActionOutcome['after'],
  options: ProfileOptions,
): Promise<void> {
  const merged = typeof after.merged === 'string' ? after.merged : undefined;
  if (!merged || !world.control.profiles) return;
  const key = merged.slice(`s3://${plan.bucket}/`.length);
  const file = options.out ?? localProfileName(plan);
  const { body } = await world.control.profiles.store.get(plan.bucket, key);
  await writeFile(file, body);
  const command = `go tool pprof -top ${file.includes(' ') ? `'${file}'` : file}`;
  if (options.json) {
    io.stderr.write(`gofn: merged profile saved as ${file}; open it with ${command}\n`);
    return;
  }
  io.stdout.write(renderProfile(style, plan, after, path.relative(process.cwd(), file) || file, command));
}

/** The top functions by flat and by cumulative CPU, as the terminal shows them. */
export function renderProfile(
  style: Style,
  plan: Pick<Extract<Plan, { kind: 'profile' }>, 'version' | 'seconds'>,
  after: Record<string, unknown>,
  file: string,
  command: string,
): string {
  const byFlat = (after.byFlat as Row[] | undefined) ?? [];
  const byCum = (after.byCum as Row[] | undefined) ?? [];
  const pct = (n: number) => `${n.toFixed(1)}%`.padStart(6);
  const instances = Number(after.instances ?? 0);
  const lines = [
    '',
    `  ${style.bold('CPU')}${plan.seconds ? `, ${plan.seconds} s` : ''} across ${plural(instances, 'warm instance')} of ${formatVersion(plan.version)} ` +
      `(${formatCount(Number(after.samples ?? 0))} samples, ${after.cpuSeconds ?? 0} s of CPU)`,
    style.dim('    flat     cum  function (by flat)'),
    ...byFlat.slice(0, 8).map((r) => `  ${pct(r.flatPercent)}  ${pct(r.cumPercent)}  ${r.function}`),
    style.dim('    flat     cum  function (by cumulative)'),
    ...byCum.slice(0, 8).map((r) => `  ${pct(r.flatPercent)}  ${pct(r.cumPercent)}  ${r.function}`),
    `  merged profile saved as ${file} (${String(after.merged)}) · ${command}`,
    '',
  ];
  return lines.join('\n');
}
