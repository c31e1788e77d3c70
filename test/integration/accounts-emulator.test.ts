import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import type { TargetsConfig } from '../../src/targets';
import { createGofnTable, createLambdaRole, createTestFunction } from '../aws/emulator-fixtures';
import { accessDeniedXml } from '../fixtures/aws/sts-assume-role';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * Two accounts and two regions on the AWS emulator, through the built CLI and only the standard
 * SDK environment plus GOFN_TARGETS. The emulator keeps each account's resources apart and
 * answers AssumeRole for any role with credentials of the role's account (it checks neither the
 * trust policy nor the external ID), so gofn's requests really land in the account whose role it
 * assumed. Refusing a role is the one thing it cannot do: an STS front in this test answers
 * AccessDenied, as STS does (AssumeRole, STS API Reference), for the staging account's role and
 * passes every other request on to the emulator.
 */
const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'bin', 'gofn.js');
const minute = 60_000;
const now = Math.floor(Date.now() / minute) * minute;
const minutesAgo = (m: number) => new Date(now - m * minute + 10_000);

const prod = { name: 'prod', id: '111111111111', externalId: 'gofn-ext-prod' };
const staging = { name: 'staging', id: '222222222222', externalId: 'gofn-ext-staging' };
const roleOf = (id: string) => `arn:aws:iam::${id}:role/gofn-member`;
const regions = ['us-east-1', 'eu-west-1'];
const config: TargetsConfig = {
  accounts: [
    { ...prod, roleArn: roleOf(prod.id) },
    { ...staging, roleArn: roleOf(staging.id) },
  ],
  regions,
};

let emulator: Emulator;
let front: Server;
let frontUrl: string;
let dir: string;
const assumed: { roleArn: string; externalId: string | undefined }[] = [];
/** Clients of the prod account, per region, as the test sets the world up. */
const prodClients = new Map<string, AwsClients>();

/**
 * STS in front of the emulator: records each AssumeRole, refuses the staging role like STS
 * refuses a caller its trust policy does not allow (HTTP 403, an ErrorResponse document), and
 * forwards the rest.
 */
async function startStsFront(target: string): Promise<void> {
  front = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      const roleArn = form.get('RoleArn');
      if (form.get('Action') === 'AssumeRole' && roleArn) {
        assumed.push({ roleArn, externalId: form.get('ExternalId') ?? undefined });
        if (roleArn === roleOf(staging.id)) {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(accessDeniedXml('arn:aws:sts::123456789012:assumed-role/gofn-worker/gofn-worker', roleArn));
          return;
        }
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
}

/**
 * Clients with credentials of an account's role, straight from the emulator, to set that account
 * up; the first time for an account, its Lambda execution role too (IAM is global).
 */
const withRole = new Set<string>();
async function accountClients(accountId: string, region: string): Promise<AwsClients> {
  const sts = new STSClient({ region: 'us-east-1', endpoint: emulator.endpoint });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleOf(accountId), RoleSessionName: 'setup' }));
  sts.destroy();
  const c = out.Credentials!;
  const credentials = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  if (!withRole.has(accountId)) await createLambdaRole(emulator.endpoint, credentials.accessKeyId);
  withRole.add(accountId);
  return createAwsClients({ region, maxAttempts: 1, credentials: async () => credentials });
}

async function gofn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...emulator.env,
    AWS_ENDPOINT_URL_STS: frontUrl,
    GOFN_TARGETS_FILE: path.join(dir, 'targets.json'),
    NO_COLOR: '1',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  if (!existsSync(path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built; run `npm run build` (npm test does it)');
  }
  emulator = await startEmulator();
  await startStsFront(emulator.endpoint);
  dir = mkdtempSync(path.join(tmpdir(), 'gofn-accounts-'));
  writeFileSync(path.join(dir, 'targets.json'), JSON.stringify(config));

  // prod: orders (active-active in both regions, errors in eu-west-1) and catalog-api in us-east-1.
  for (const region of regions) {
    const clients = await accountClients(prod.id, region);
    prodClients.set(region, clients);
    const role = `arn:aws:iam::${prod.id}:role/gofn-test-lambda`;
    const tags = { 'gofn:managed': 'true', service: 'orders' };
    await createTestFunction(clients, 'orders-api', { tags, versions: 2, alias: 'live', role });
    if (region === 'us-east-1') {
      await createTestFunction(clients, 'catalog-api', {
        tags: { 'gofn:managed': 'true' },
        versions: 1,
        alias: 'live',
        role,
      });
    }
    // Requests through the alias (FunctionName + Resource), as Lambda publishes them and the fleet reads them.
    const errors = region === 'eu-west-1' ? 60 : 0;
    const dimensions = [
      { Name: 'FunctionName', Value: 'orders-api' },
      { Name: 'Resource', Value: 'orders-api:live' },
    ];
    await clients.cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Lambda',
        MetricData: [10, 20, 30].flatMap((m) => [
          { MetricName: 'Invocations', Dimensions: dimensions, Timestamp: minutesAgo(m), Value: 400, Unit: 'Count' },
          { MetricName: 'Errors', Dimensions: dimensions, Timestamp: minutesAgo(m), Value: errors, Unit: 'Count' },
        ]),
      }),
    );
  }
  // staging has a managed function too; gofn cannot reach it.
  const stagingClients = await accountClients(staging.id, 'us-east-1');
  await createTestFunction(stagingClients, 'orders-api', {
    tags: { 'gofn:managed': 'true', service: 'orders' },
    role: `arn:aws:iam::${staging.id}:role/gofn-test-lambda`,
  });
  stagingClients.destroy();
  // gofn's own table, in the emulator's default account: where the CLI's credentials are.
  const home = createAwsClients({ maxAttempts: 1 });
  await createGofnTable(home, 'gofn-accounts-test');
  home.destroy();
}, 60_000);

afterAll(async () => {
  for (const clients of prodClients.values()) clients.destroy();
  await new Promise<void>((resolve) => front?.close(() => resolve()));
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  assumed.length = 0;
});

interface FleetJson {
  functions: {
    function: string;
    account: string;
    region: string;
    status: string;
    invocations: number;
    errors: number;
  }[];
  targets: { account: string; region: string; functions: number; problem: string | null }[];
  awsCalls: Record<string, number>;
}

describe('two accounts and two regions on the emulator, one account refusing gofn', () => {
  it('lists the fleet of each account and region; the refusing account is named, the others answer', async () => {
    // Act
    const result = await gofn('status', '--json');

    // Assess
    expect(result.stderr).toBe('');
    const fleet = JSON.parse(result.stdout) as FleetJson;
    expect(fleet.functions.map((f) => `${f.account}/${f.region}/${f.function}`).sort()).toEqual([
      'prod/eu-west-1/orders-api',
      'prod/us-east-1/catalog-api',
      'prod/us-east-1/orders-api',
    ]);
    const eu = fleet.functions.find((f) => f.region === 'eu-west-1')!;
    expect([eu.invocations, eu.errors]).toEqual([1200, 180]);
    expect(fleet.targets.map((t) => [t.account, t.region, t.functions])).toEqual([
      ['prod', 'us-east-1', 2],
      ['prod', 'eu-west-1', 1],
      ['staging', 'us-east-1', 0],
      ['staging', 'eu-west-1', 0],
    ]);
    for (const t of fleet.targets.filter((x) => x.account === 'staging')) {
      expect(t.problem).toMatch(
        /^gofn could not assume arn:aws:iam::222222222222:role\/gofn-member \(account staging\): STS AssumeRole was denied: User: .* is not authorized to perform: sts:AssumeRole/,
      );
    }
    // One AssumeRole per account, with its external ID, whatever the number of regions and requests.
    expect(assumed).toHaveLength(2);
    expect(assumed).toEqual(
      expect.arrayContaining([
        { roleArn: roleOf(prod.id), externalId: prod.externalId },
        { roleArn: roleOf(staging.id), externalId: staging.externalId },
      ]),
    );
    expect(fleet.awsCalls['STS:AssumeRole']).toBe(2);
    // Exit code 2: a critical function (eu-west-1's errors, 15%); the unreachable account does not fail it.
    expect(result.code).toBe(2);
  });

  it('prices each account and region through its role; the refusing account is named and not added up', async () => {
    // Act
    const result = await gofn('cost', 'service=orders', '--no-billed', '--memory-days', '0', '--json');

    // Assess
    const out = JSON.parse(result.stdout) as {
      targets: {
        account: string;
        region: string;
        report: { functions: { function: string }[]; total: { month: number } } | null;
        problem: string | null;
      }[];
      month: number;
    };
    expect(out.targets.map((t) => [t.account, t.region, t.report?.functions.map((f) => f.function) ?? null])).toEqual([
      ['prod', 'us-east-1', ['orders-api']],
      ['prod', 'eu-west-1', ['orders-api']],
      ['staging', 'us-east-1', null],
      ['staging', 'eu-west-1', null],
    ]);
    for (const t of out.targets.filter((x) => x.account === 'staging')) {
      expect(t.problem).toMatch(
        /^gofn could not assume arn:aws:iam::222222222222:role\/gofn-member \(account staging\)/,
      );
    }
    const priced = out.targets.reduce((sum, t) => sum + (t.report?.total.month ?? 0), 0);
    expect(out.month).toBeCloseTo(priced, 9);
    // Some accounts and regions could not be read: a script must not take the sum for the whole.
    expect(result.code).toBe(3);
  });

  it('shows where each function is in the terminal, and what could not be listed', async () => {
    // Act
    const fleet = await gofn('status');
    const service = await gofn('status', 'service=orders');

    // Assess
    const lines = fleet.stdout.split('\n');
    expect(lines[0]).toMatch(/^fleet {2}prod, staging · us-east-1, eu-west-1 · last 1h .* · 3 managed functions$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}✖ prod\/eu-west-1 +orders-api +1,200 inv +180 err \(15%\)/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}\? staging\/us-east-1 {2}its functions are unknown: gofn could not assume/),
    );
    const rows = service.stdout.split('\n').filter((l) => /^ {2}\S /.test(l));
    expect(rows.map((l) => l.slice(4, 22).trim())).toEqual([
      'prod/us-east-1',
      'prod/eu-west-1',
      'staging/us-east-1',
      'staging/eu-west-1',
    ]);
    expect(rows[1]).toMatch(/1 function +1,200 inv +180 err \(15%\)/);
    expect(rows[2]).toMatch(/unknown: gofn could not assume/);
  });

  it('diagnoses account/region/fn in that account and region', async () => {
    // Act
    const result = await gofn('status', 'prod/eu-west-1/orders-api', '--json');

    // Assess
    const report = JSON.parse(result.stdout) as {
      function: string;
      account: string;
      accountId: string;
      region: string;
    };
    expect([report.function, report.account, report.accountId, report.region]).toEqual([
      'orders-api',
      'prod',
      prod.id,
      'eu-west-1',
    ]);
  });

  it('finds a bare name where it is, and asks which one when it is in two regions', async () => {
    // Act
    const catalog = await gofn('status', 'catalog-api', '--json');
    const orders = await gofn('status', 'orders-api');

    // Assess
    const report = JSON.parse(catalog.stdout) as { account: string; region: string };
    expect([report.account, report.region]).toEqual(['prod', 'us-east-1']);
    expect(orders.code).toBe(3);
    expect(orders.stderr).toBe(
      'gofn: orders-api is in 2 places: prod/us-east-1/orders-api, prod/eu-west-1/orders-api. Name one, like prod/us-east-1/orders-api.\n',
    );
  });

  it('shows service=orders as one row per account and region, the refusing account unknown', async () => {
    // Act
    const result = await gofn('status', 'service=orders', '--json');

    // Assess
    const view = JSON.parse(result.stdout) as {
      rows: { account: string; region: string; status: string; errors: number; reason: string | null }[];
    };
    expect(view.rows.map((r) => [r.account, r.region, r.status])).toEqual([
      ['prod', 'us-east-1', 'ok'],
      ['prod', 'eu-west-1', 'critical'],
      ['staging', 'us-east-1', 'unknown'],
      ['staging', 'eu-west-1', 'unknown'],
    ]);
    expect(view.rows[2]!.reason).toMatch(/could not assume/);
  });

  it("rolls back through the function's account role, in its region only, and audits where", async () => {
    // Act
    const result = await gofn(
      'rollback',
      'prod/eu-west-1/orders-api',
      '--to',
      '1',
      '--yes',
      '--table',
      'gofn-accounts-test',
    );
    const audit = await gofn('audit', 'prod/eu-west-1/orders-api', '--table', 'gofn-accounts-test', '--json');

    // Assess
    expect(result.stderr).toMatch(/Plan: orders-api: /);
    expect(result.code).toBe(0);
    const alias = async (region: string) =>
      (await prodClients.get(region)!.lambda.send(new GetAliasCommand({ FunctionName: 'orders-api', Name: 'live' })))
        .FunctionVersion;
    expect(await alias('eu-west-1')).toBe('1');
    expect(await alias('us-east-1')).toBe('2');
    const records = (JSON.parse(audit.stdout) as { records: Record<string, unknown>[] }).records;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      functionName: 'orders-api',
      kind: 'rollback',
      status: 'succeeded',
      account: 'prod',
      accountId: prod.id,
      region: 'eu-west-1',
    });
  });
});
