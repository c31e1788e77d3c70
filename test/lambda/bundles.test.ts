import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { signedEvent, slashCommandBody, SIGNING_SECRET } from '../support/slack-requests';

/**
 * The Lambda bundles as deployed (scripts/bundle-lambdas.mjs, with Bolt's unused receivers
 * stubbed out): each loads in a fresh Node process and answers a request, so a stub that
 * something does use, or a module the bundle lost, fails here rather than in Lambda.
 */
const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
let outdir: string;

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'gofn-bundles-'));
  await run(process.execPath, [path.join(root, 'scripts', 'bundle-lambdas.mjs'), '--outdir', outdir], { cwd: root });
}, 120_000);

async function invoke(bundle: string, event: unknown, env: Record<string, string>): Promise<unknown> {
  const script = `
    const { handler } = require(${JSON.stringify(path.join(outdir, bundle, 'index.js'))});
    handler(JSON.parse(process.argv[1]), {}).then((r) => process.stdout.write(JSON.stringify(r ?? null)), (e) => { process.stderr.write(String(e)); process.exit(1); });
  `;
  const { stdout } = await run(process.execPath, ['-e', script, JSON.stringify(event)], {
    // The directory Lambda runs the bundle from holds nothing but what the bundle script wrote.
    cwd: path.join(outdir, bundle),
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      LOG_LEVEL: 'ERROR',
      ...env,
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

const slackEnv = {
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_BOT_TOKEN: 'xoxb-test',
  WORKER_FUNCTION_NAME: 'gofn-worker',
};

describe('Lambda bundles', () => {
  it('the ingress bundle answers /gofn help with the usage', async () => {
    // Act
    const response = (await invoke('ingress', signedEvent(slashCommandBody('help')), slackEnv)) as {
      statusCode: number;
      body: string;
    };

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).text).toContain('/gofn status &lt;function&gt; [window] [alias=NAME]');
  });

  it('the ingress bundle refuses a bad signature with 401', async () => {
    // Act
    const response = (await invoke(
      'ingress',
      signedEvent(slashCommandBody('help'), { secret: 'wrong' }),
      slackEnv,
    )) as { statusCode: number };

    // Assess
    expect(response.statusCode).toBe(401);
  });

  it('the worker bundle loads its runbook and drops an event it does not understand', async () => {
    // Act
    const result = await invoke('worker', { hello: 'world' }, { ...slackEnv, TABLE_NAME: 'gofn' });

    // Assess
    expect(result).toBeNull();
  });
});
