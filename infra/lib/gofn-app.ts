import * as path from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseTargetsText } from '../../src/targets';
import { BotStack } from './bot-stack';
import { MemberStack } from './member-stack';
import { DEFAULT_BOT_PREFIX, alarmTopicName } from './conventions';
import { parseManagedWorkloads } from './managed-workloads';
import { WorkloadsStack } from './workloads-stack';

/** The repository root: build outputs are found relative to it, whatever the working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface GofnStacks {
  readonly bot: BotStack;
  readonly workloads?: WorkloadsStack;
  readonly member?: MemberStack;
}

/**
 * Adds gofn's stacks to an app, configured from context (`-c key=value` or cdk.json), and runs
 * cdk-nag's AwsSolutions pack over all of them. Context keys, all optional:
 *
 * - `alarmChannel`: ID of the Slack channel for alarm threads. Default: none, no alarm threads.
 * - `admins`: Slack user or group IDs allowed to act on every managed function. Default: nobody.
 * - `owners`: Slack IDs allowed to act on the sample workloads. Default: nobody.
 * - `sampleWorkloads`: `false` deploys the bot alone. Default `true`.
 * - `managedWorkloads`: JSON array of ManagedWorkloadRef for workloads deployed elsewhere.
 * - `tracesExporter`: where the sample functions send spans: `xray-daemon` (default), `otlp-xray`
 *   (X-Ray's OTLP endpoint; needs Transaction Search) or `otel-collector`.
 * - `otelCollectorLayerArn`: the OpenTelemetry collector layer for `otel-collector`.
 * - `envTag`, `ownerTag`: the bot's `env` and `owner` tags. Default `prod` and `platform`.
 * - `retainAuditTable`: `false` lets the next deletion of the bot stack delete its table.
 * - `botPrefix`: prefix of the bot's fixed resource names. Default `gofn`.
 * - `workloadsDist`, `lambdaDist`: build outputs. Default `workloads/dist` and `dist/lambda`.
 * - `targets`: JSON of the accounts and regions gofn manages (src/targets.ts); the worker gets it
 *   as GOFN_TARGETS and may assume each account's role. Default: its own account and region.
 * - `memberStack`: `true` adds GofnMember, the stack each managed account deploys (as a
 *   StackSet) with the role gofn assumes. Left out of `npm run deploy`, which deploys `--all`
 *   into the bot's own account. Default `false`.
 *
 * Stacks are environment-agnostic, so synthesis needs no credentials and does no lookups;
 * `cdk deploy` targets the account and region of the CLI's credentials.
 */
export function buildGofnApp(app: App): GofnStacks {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null ? undefined : String(value);
  };
  const fromRoot = (dir: string) => path.resolve(REPO_ROOT, dir);
  // Lists come from `-c key="U1 U2"` or `-c key=U1,U2`.
  const ids = (key: string) => (context(key) ?? '').split(/[\s,]+/).filter(Boolean);
  const botPrefix = context('botPrefix') ?? DEFAULT_BOT_PREFIX;

  const workloads =
    context('sampleWorkloads') === 'false'
      ? undefined
      : new WorkloadsStack(app, 'GofnWorkloads', {
          description: 'gofn sample workloads: two managed Go functions on Lambda',
          alarmTopicName: alarmTopicName(botPrefix),
          workloadsDist: fromRoot(context('workloadsDist') ?? 'workloads/dist'),
          owners: ids('owners'),
          tracesExporter: tracesExporter(context('tracesExporter')),
          otelCollectorLayerArn: context('otelCollectorLayerArn'),
        });

  const bot = new BotStack(app, 'GofnBot', {
    description: 'gofn: incident-runbook Slack app for Go functions on Lambda',
    namePrefix: botPrefix,
    lambdaDist: fromRoot(context('lambdaDist') ?? 'dist/lambda'),
    alarmChannel: context('alarmChannel'),
    admins: ids('admins'),
    envTag: context('envTag'),
    ownerTag: context('ownerTag'),
    retainAuditTable: context('retainAuditTable') !== 'false',
    managedWorkloads: [
      ...(workloads?.refs ?? []),
      ...parseManagedWorkloads(app.node.tryGetContext('managedWorkloads')),
    ],
    targets: targetsOfContext(app.node.tryGetContext('targets')),
  });

  const member =
    context('memberStack') === 'true'
      ? new MemberStack(app, 'GofnMember', {
          description: 'gofn member account: the role gofn assumes to diagnose and act (deploy as a StackSet)',
        })
      : undefined;

  // Findings fail synthesis; acknowledged ones are written into the templates' Metadata with
  // their reasons, so a reviewer of the template sees why each was accepted.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { bot, workloads, member };
}

/** The `targets` context: JSON text (`-c targets=…`) or an object (cdk.json), validated as GOFN_TARGETS is. */
function targetsOfContext(value: unknown): ReturnType<typeof parseTargetsText> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return parseTargetsText(typeof value === 'string' ? value : JSON.stringify(value), 'context targets');
}

const TRACES_EXPORTERS = ['xray-daemon', 'otlp-xray', 'otel-collector'] as const;

function tracesExporter(value: string | undefined): (typeof TRACES_EXPORTERS)[number] | undefined {
  if (value === undefined) return undefined;
  const known = TRACES_EXPORTERS.find((e) => e === value);
  if (!known)
    throw new Error(`context tracesExporter ${JSON.stringify(value)} is not one of ${TRACES_EXPORTERS.join(', ')}`);
  return known;
}
