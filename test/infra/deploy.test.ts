import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MANIFEST_FILE, OUTPUTS_FILE, type CliDeps, type Runner, main } from '../../infra/deploy/cli';
import { ConfigError, contextArgs, loadConfig, parseConfig } from '../../infra/deploy/config';
import { URL_PLACEHOLDER, renderManifest } from '../../infra/deploy/manifest';
import { REPO_ROOT } from '../../infra/lib/gofn-app';

const FUNCTION_URL = 'https://abcdefghij0123456789klmnopqrstuv.lambda-url.eu-west-1.on.aws/';
const manifestTemplate = fs.readFileSync(path.join(REPO_ROOT, 'slack-app-manifest.yaml'), 'utf8');

describe('gofn.config.json', () => {
  it('accepts the example file as it is', () => {
    const example = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'gofn.config.example.json'), 'utf8')) as unknown;
    expect(parseConfig(example)).toMatchObject({ alarmChannel: 'C0123456789', owners: ['U012AB3CD', 'U045EF6GH'] });
  });

  it('is optional: no file is the defaults', () => {
    expect(loadConfig(path.join(os.tmpdir(), 'gofn-no-such-dir', 'gofn.config.json'))).toEqual({});
  });

  it('says what is wrong with each bad field, one sentence each', () => {
    // Act
    let error: ConfigError | undefined;
    try {
      parseConfig({
        region: 'Ireland',
        alarmChannel: '#incidents',
        admins: ['U012AB3CD', 'maria'],
        sampleWorkloads: 'yes',
        tracesExporter: 'zipkin',
        managedWorkloads: [{ functionArn: 'payments', deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:dlq' }],
        alarmChanel: 'C0123456789',
      });
    } catch (err) {
      error = err as ConfigError;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(7);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        'region: is not an AWS region like eu-west-1',
        'alarmChannel: is not a Slack channel ID like C0123456789 (a #name can be renamed away)',
        'admins[1]: is not a Slack user ID (U…, W…) or user-group ID (S…), like U012AB3CD',
        'sampleWorkloads: must be boolean',
        'tracesExporter: must be one of "xray-daemon", "otlp-xray", "otel-collector"',
        'managedWorkloads[0].functionArn: is not an arn:aws:lambda:… ARN',
        expect.stringMatching(/^unknown field "alarmChanel"; the fields are region, profile, botPrefix, alarmChannel,/),
      ]),
    );
    expect(error!.message).toMatch(/^gofn\.config\.json: 7 problems:\n {2}/);
  });

  it("reports a file that is not JSON with the parser's reason", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gofn-config-'));
    const file = path.join(dir, 'gofn.config.json');
    fs.writeFileSync(file, '{"owners": [U012AB3CD]}');
    try {
      expect(() => loadConfig(file)).toThrow(/gofn\.config\.json: is not JSON: Unexpected token/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('becomes the CDK context the app reads, leaving out what is not set', () => {
    expect(
      contextArgs({
        region: 'eu-west-1',
        alarmChannel: 'C0123456789',
        owners: ['U012AB3CD', 'U045EF6GH'],
        sampleWorkloads: false,
        managedWorkloads: [
          {
            functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:payments',
            deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:payments-dlq',
          },
        ],
      }),
    ).toEqual([
      '-c',
      'alarmChannel=C0123456789',
      '-c',
      'owners=U012AB3CD,U045EF6GH',
      '-c',
      'sampleWorkloads=false',
      '-c',
      'managedWorkloads=[{"functionArn":"arn:aws:lambda:eu-west-1:111122223333:function:payments","deadLetterQueueArn":"arn:aws:sqs:eu-west-1:111122223333:payments-dlq"}]',
    ]);
  });
});

describe('accounts and regions in gofn.config.json', () => {
  const targets = {
    accounts: [
      {
        name: 'prod',
        id: '111122223333',
        roleArn: 'arn:aws:iam::111122223333:role/gofn-member',
        externalId: 'gofn-7f3a',
      },
    ],
    regions: ['us-east-1', 'eu-west-1'],
  };

  it('become the targets context, checked like GOFN_TARGETS', () => {
    // Act
    const args = contextArgs(parseConfig({ targets }));
    let error: ConfigError | undefined;
    try {
      parseConfig({ targets: { ...targets, accounts: [{ ...targets.accounts[0], externalId: undefined }] } });
    } catch (err) {
      error = err as ConfigError;
    }

    // Assess
    expect(args).toEqual(['-c', `targets=${JSON.stringify(targets)}`]);
    expect(error!.problems).toEqual([
      "targets.accounts[0].externalId: required with roleArn: the member stack's role trusts only callers that pass it",
    ]);
  });
});

describe('the Slack app manifest', () => {
  it('points the slash command, interactivity and events at the deployed Function URL', () => {
    // Act
    const manifest = parseYaml(renderManifest(manifestTemplate, FUNCTION_URL)) as {
      features: { slash_commands: { command: string; url: string }[] };
      settings: { interactivity: { request_url: string }; event_subscriptions: { request_url: string } };
    };

    // Assess
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: '/gofn', url: FUNCTION_URL }),
    ]);
    expect(manifest.settings.interactivity.request_url).toBe(FUNCTION_URL);
    expect(manifest.settings.event_subscriptions.request_url).toBe(FUNCTION_URL);
    expect(renderManifest(manifestTemplate, FUNCTION_URL)).not.toContain(URL_PLACEHOLDER);
  });

  it('refuses what is not a Function URL, rather than printing a manifest Slack would reject', () => {
    expect(() => renderManifest(manifestTemplate, 'http://example.com/')).toThrow(/is not a Lambda Function URL/);
  });
});

/** A checkout with the files the CLI reads, and a runner that records commands and fakes CDK's outputs file. */
function fakeCheckout(config?: unknown) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gofn-deploy-'));
  fs.writeFileSync(path.join(root, 'slack-app-manifest.yaml'), manifestTemplate);
  if (config !== undefined) fs.writeFileSync(path.join(root, 'gofn.config.json'), JSON.stringify(config));
  const commands: { command: string; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv }[] = [];
  let failOn: string | undefined;
  const runner: Runner = {
    run: (command, args, options) => {
      commands.push({ command, args, cwd: path.relative(root, options.cwd) || '.', env: options.env });
      if (failOn && args.includes(failOn)) return Promise.resolve(1);
      const outputsAt = args.indexOf('--outputs-file');
      if (outputsAt >= 0) {
        fs.mkdirSync(path.join(root, 'infra', 'cdk.out'), { recursive: true });
        fs.writeFileSync(
          path.join(options.cwd, args[outputsAt + 1]!),
          JSON.stringify({
            GofnBot: { FunctionUrl: FUNCTION_URL, SlackSecretName: 'gofn/slack', TableName: 'GofnBot-Table-1X2Y3Z' },
          }),
        );
      }
      return Promise.resolve(0);
    },
  };
  let stdout = '';
  let stderr = '';
  const deps: CliDeps = {
    runner,
    repoRoot: root,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { PATH: '/usr/bin' },
  };
  return {
    root,
    deps,
    commands,
    failOn: (arg: string) => (failOn = arg),
    out: () => stdout,
    err: () => stderr,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

const line = (c: { command: string; args: readonly string[] }) => [c.command, ...c.args].join(' ');

describe('npm run deploy', () => {
  it('builds, bootstraps, deploys both stacks with the config as context, and prints the filled-in manifest', async () => {
    // Prepare
    const checkout = fakeCheckout({ region: 'eu-west-1', profile: 'ops', alarmChannel: 'C0123456789' });
    try {
      // Act
      const status = await main(['deploy'], checkout.deps);

      // Assess
      expect(status).toBe(0);
      expect(checkout.commands.map(line)).toEqual([
        'sh workloads/scripts/build.sh',
        'node scripts/bundle-lambdas.mjs',
        'npx cdk bootstrap --no-notices --profile ops -c alarmChannel=C0123456789',
        'npx cdk deploy --all --outputs-file cdk.out/outputs.json --no-notices --profile ops -c alarmChannel=C0123456789',
      ]);
      expect(checkout.commands.slice(2).every((c) => c.cwd === 'infra' && c.env.AWS_REGION === 'eu-west-1')).toBe(true);
      // stdout is the manifest alone, ready to paste (or to redirect into a file).
      const manifest = parseYaml(checkout.out()) as { features: { slash_commands: { url: string }[] } };
      expect(manifest.features.slash_commands[0]!.url).toBe(FUNCTION_URL);
      expect(fs.readFileSync(path.join(checkout.root, MANIFEST_FILE), 'utf8')).toBe(checkout.out());
      expect(checkout.err()).toContain('aws secretsmanager put-secret-value --secret-id gofn/slack');
    } finally {
      checkout.cleanup();
    }
  });

  it('deploys without asking about IAM changes only with --yes', async () => {
    const checkout = fakeCheckout();
    try {
      await main(['deploy', '--yes'], checkout.deps);
      expect(line(checkout.commands.at(-1)!)).toContain('--require-approval never');
    } finally {
      checkout.cleanup();
    }
  });

  it('stops at the first failing step, naming it, and prints no manifest', async () => {
    const checkout = fakeCheckout();
    checkout.failOn('bootstrap');
    try {
      const status = await main(['deploy'], checkout.deps);
      expect(status).toBe(1);
      expect(checkout.err()).toMatch(/gofn: bootstrap CDK in the account and region \(once\) failed \(exit status 1\)/);
      expect(checkout.commands.map((c) => c.args[1])).not.toContain('deploy');
      expect(checkout.out()).toBe('');
      expect(fs.existsSync(path.join(checkout.root, OUTPUTS_FILE))).toBe(false);
    } finally {
      checkout.cleanup();
    }
  });

  it('refuses a bad config before building anything', async () => {
    const checkout = fakeCheckout({ owners: ['maria'] });
    try {
      const status = await main(['deploy'], checkout.deps);
      expect(status).toBe(2);
      expect(checkout.err()).toContain(
        'gofn: gofn.config.json: owners[0]: is not a Slack user ID (U…, W…) or user-group ID (S…), like U012AB3CD',
      );
      expect(checkout.commands).toEqual([]);
    } finally {
      checkout.cleanup();
    }
  });
});

describe('npm run synth and destroy', () => {
  it('synthesizes with no config file and no credentials: build and cdk synth only', async () => {
    const checkout = fakeCheckout();
    try {
      expect(await main(['synth'], checkout.deps)).toBe(0);
      expect(checkout.commands.map(line)).toEqual([
        'sh workloads/scripts/build.sh',
        'node scripts/bundle-lambdas.mjs',
        'npx cdk synth --quiet --no-notices',
      ]);
      expect(checkout.err()).toContain('no gofn.config.json; using the defaults');
    } finally {
      checkout.cleanup();
    }
  });

  it('destroys the stacks and says the audit table was kept', async () => {
    const checkout = fakeCheckout();
    fs.mkdirSync(path.join(checkout.root, 'infra', 'cdk.out'), { recursive: true });
    fs.writeFileSync(
      path.join(checkout.root, OUTPUTS_FILE),
      JSON.stringify({ GofnBot: { TableName: 'GofnBot-Table-1X2Y3Z' } }),
    );
    try {
      expect(await main(['destroy'], checkout.deps)).toBe(0);
      expect(checkout.commands.map(line)).toEqual(['npx cdk destroy --all --no-notices']);
      expect(checkout.err()).toMatch(/Kept: gofn's DynamoDB table GofnBot-Table-1X2Y3Z \(the audit trail/);
    } finally {
      checkout.cleanup();
    }
  });

  it('deletes the audit table only when asked: the bot stack is redeployed to let it go, then deleted', async () => {
    const checkout = fakeCheckout();
    try {
      expect(await main(['destroy', '--yes', '--delete-audit-table'], checkout.deps)).toBe(0);
      expect(checkout.commands.slice(2).map(line)).toEqual([
        'npx cdk deploy GofnBot --exclusively --require-approval never --no-notices -c retainAuditTable=false',
        'npx cdk destroy --all --force --no-notices',
      ]);
    } finally {
      checkout.cleanup();
    }
  });

  it('answers an unknown command or option with the usage', async () => {
    const checkout = fakeCheckout();
    try {
      expect(await main(['deploy', '--force'], checkout.deps)).toBe(2);
      expect(checkout.err()).toMatch(/unknown option --force\nusage: npm run synth/);
      expect(await main(['synth', '--delete-audit-table'], checkout.deps)).toBe(2);
      expect(checkout.commands).toEqual([]);
    } finally {
      checkout.cleanup();
    }
  });
});
