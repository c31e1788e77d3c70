import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, ConfigError, type GofnConfig, contextArgs, loadConfig } from './config';
import { renderManifest } from './manifest';

/**
 * `npm run synth | deploy | destroy`: the whole path from a clone to a deployed bot, reading
 * gofn.config.json. Every step is a command this prints before running it, so a failure says
 * which one and can be rerun by hand.
 *
 *   synth                          build, synthesize both stacks offline (no credentials)
 *   deploy [--yes]                 build, bootstrap CDK if needed, deploy, print the Slack manifest
 *   destroy [--yes] [--delete-audit-table]
 *                                  delete the stacks; the audit table stays unless asked
 */

export interface Runner {
  /** Runs a command with inherited stdio; resolves its exit status. */
  run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number>;
}

export interface CliDeps {
  runner: Runner;
  repoRoot: string;
  /** The manifest and nothing else, so `npm run deploy > manifest.yaml` works. */
  stdout: (text: string) => void;
  /** Progress and next steps. */
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const OUTPUTS_FILE = path.join('infra', 'cdk.out', 'outputs.json');
export const MANIFEST_FILE = path.join('infra', 'cdk.out', 'slack-app-manifest.yaml');
const BOT_STACK = 'GofnBot';

const USAGE = `usage: npm run synth
       npm run deploy [-- --yes]
       npm run destroy [-- --yes] [--delete-audit-table]
Settings come from ${CONFIG_FILE} (see gofn.config.example.json and docs/deploy.md).`;

class StepFailed extends Error {}

export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest);
  const known = new Set(['--yes', '--delete-audit-table', '--config']);
  const configAt = rest.indexOf('--config');
  const configFile = path.resolve(deps.repoRoot, configAt >= 0 ? (rest[configAt + 1] ?? '') : CONFIG_FILE);
  const unknown = rest.filter((a, i) => !known.has(a) && !(configAt >= 0 && i === configAt + 1));
  if (!command || !['synth', 'deploy', 'destroy'].includes(command) || unknown.length > 0) {
    deps.stderr(`${unknown.length > 0 ? `gofn: unknown option ${unknown.join(' ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (flags.has('--delete-audit-table') && command !== 'destroy') {
    deps.stderr(`gofn: --delete-audit-table only goes with destroy\n${USAGE}\n`);
    return 2;
  }

  let config: GofnConfig;
  try {
    config = loadConfig(configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      deps.stderr(
        `gofn: ${path.relative(deps.repoRoot, err.file) || err.file}: ${err.problems.length === 1 ? err.problems[0] : ''}${err.problems.length > 1 ? `\n  ${err.problems.join('\n  ')}` : ''}\n`,
      );
      return 2;
    }
    throw err;
  }
  deps.stderr(
    fs.existsSync(configFile)
      ? `gofn: settings from ${path.relative(deps.repoRoot, configFile)}\n`
      : `gofn: no ${path.relative(deps.repoRoot, configFile)}; using the defaults (see docs/deploy.md)\n`,
  );

  const steps = new Steps(deps, config);
  try {
    if (command === 'synth') await synth(steps, deps);
    if (command === 'deploy') await deploy(steps, deps, flags.has('--yes'));
    if (command === 'destroy') await destroy(steps, deps, flags.has('--yes'), flags.has('--delete-audit-table'));
    return 0;
  } catch (err) {
    if (err instanceof StepFailed) {
      deps.stderr(`gofn: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** Runs the build and CDK commands from the repository root, with the config's region and profile. */
class Steps {
  private readonly env: NodeJS.ProcessEnv;
  readonly context: string[];

  constructor(
    private readonly deps: CliDeps,
    private readonly config: GofnConfig,
  ) {
    this.env = {
      ...deps.env,
      CDK_DISABLE_CLI_TELEMETRY: '1',
      ...(config.region ? { AWS_REGION: config.region, AWS_DEFAULT_REGION: config.region } : {}),
    };
    this.context = contextArgs(config);
  }

  async run(what: string, command: string, args: readonly string[], cwd = '.'): Promise<void> {
    this.deps.stderr(`\n▸ ${what}: ${[command, ...args].join(' ')}\n`);
    const status = await this.deps.runner.run(command, args, {
      cwd: path.resolve(this.deps.repoRoot, cwd),
      env: this.env,
    });
    if (status !== 0) throw new StepFailed(`${what} failed (exit status ${status}); the command is above`);
  }

  /** What the stacks deploy. (Node packages: `npm run` installed them through scripts/setup.sh.) */
  async build(): Promise<void> {
    await this.run('Go workloads (linux/arm64, reproducible)', 'sh', ['workloads/scripts/build.sh']);
    await this.run("the bot's Lambda bundles", 'node', ['scripts/bundle-lambdas.mjs']);
  }

  /** `npx cdk <args>` in infra/, with the profile and the context from the config. */
  async cdk(what: string, args: readonly string[], extraContext: readonly string[] = []): Promise<void> {
    const profile = this.config.profile ? ['--profile', this.config.profile] : [];
    await this.run(
      what,
      'npx',
      ['cdk', ...args, '--no-notices', ...profile, ...this.context, ...extraContext],
      'infra',
    );
  }
}

async function synth(steps: Steps, deps: CliDeps): Promise<void> {
  await steps.build();
  await steps.cdk('synthesize both stacks (offline)', ['synth', '--quiet']);
  const out = path.join(deps.repoRoot, 'infra', 'cdk.out');
  const templates = fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.endsWith('.template.json')) : [];
  deps.stderr(`\ngofn: synthesized ${templates.map((t) => `infra/cdk.out/${t}`).join(', ')}\n`);
}

async function deploy(steps: Steps, deps: CliDeps, yes: boolean): Promise<void> {
  await steps.build();
  // A no-op when the account and region are bootstrapped already.
  await steps.cdk('bootstrap CDK in the account and region (once)', ['bootstrap']);
  const outputs = path.join(deps.repoRoot, OUTPUTS_FILE);
  fs.rmSync(outputs, { force: true });
  await steps.cdk('deploy both stacks', [
    'deploy',
    '--all',
    '--outputs-file',
    path.relative(path.join(deps.repoRoot, 'infra'), outputs),
    // CDK asks before widening IAM permissions; --yes is for scripts without a terminal.
    ...(yes ? ['--require-approval', 'never'] : []),
  ]);

  const bot = readOutputs(outputs)[BOT_STACK];
  const url = bot?.FunctionUrl;
  if (!url) throw new StepFailed(`the deploy finished but ${OUTPUTS_FILE} has no ${BOT_STACK} FunctionUrl`);
  const manifest = renderManifest(fs.readFileSync(path.join(deps.repoRoot, 'slack-app-manifest.yaml'), 'utf8'), url);
  fs.mkdirSync(path.dirname(path.join(deps.repoRoot, MANIFEST_FILE)), { recursive: true });
  fs.writeFileSync(path.join(deps.repoRoot, MANIFEST_FILE), manifest);

  deps.stderr(`\ngofn: deployed. The Slack app manifest (also in ${MANIFEST_FILE}):\n\n`);
  deps.stdout(manifest);
  const secret = bot.SlackSecretName ?? 'gofn/slack';
  deps.stderr(
    [
      '',
      'Next:',
      '  1. Create the Slack app: https://api.slack.com/apps → Create New App → From an app manifest,',
      '     paste the manifest above, then Install to Workspace.',
      `  2. Put its signing secret (Basic Information) and bot token (OAuth & Permissions) in ${secret}:`,
      `     aws secretsmanager put-secret-value --secret-id ${secret} \\`,
      `       --secret-string '{"signingSecret":"<signing secret>","botToken":"xoxb-<bot token>"}'`,
      '  3. In Slack: /gofn status gofn-sample-hello',
      '',
    ].join('\n'),
  );
}

async function destroy(steps: Steps, deps: CliDeps, yes: boolean, deleteAuditTable: boolean): Promise<void> {
  const table = readOutputs(path.join(deps.repoRoot, OUTPUTS_FILE))[BOT_STACK]?.TableName;
  if (deleteAuditTable) {
    // CloudFormation deletes only what the template says it may: update the removal policy of
    // the table (and its key) first, then delete.
    await steps.build();
    await steps.cdk(
      'let the stack deletion take the audit table with it',
      ['deploy', BOT_STACK, '--exclusively', '--require-approval', 'never'],
      ['-c', 'retainAuditTable=false'],
    );
  }
  await steps.cdk('delete both stacks', ['destroy', '--all', ...(yes ? ['--force'] : [])]);
  deps.stderr(
    deleteAuditTable
      ? '\ngofn: deleted both stacks, the audit table and its key (the key is deleted after 30 days).\n'
      : [
          '',
          `gofn: deleted both stacks. Kept: gofn's DynamoDB table${table ? ` ${table}` : ''} (the audit trail of every action) and the key`,
          '      that encrypts it. To delete them too, delete the stacks with `npm run destroy -- --delete-audit-table`;',
          `      once the stack is gone: aws dynamodb delete-table --table-name ${table ?? '<table>'}, then schedule the key's deletion.`,
          '',
        ].join('\n'),
  );
}

type StackOutputs = Record<string, Record<string, string> | undefined>;

function readOutputs(file: string): StackOutputs {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StackOutputs;
  } catch {
    return {};
  }
}

/** The real runner: inherited stdio, so CDK's prompts and progress reach the person. */
export const spawnRunner: Runner = {
  run: (command, args, options) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    }),
};

/** The entry point of infra/deploy/run.mjs: the real runner, this repository, the process's streams. */
export function run(argv: readonly string[]): void {
  main(argv, {
    runner: spawnRunner,
    repoRoot: path.resolve(__dirname, '..', '..'),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`gofn: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
