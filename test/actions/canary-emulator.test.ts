import {
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import { GetAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { listAudit } from '../../src/actions/audit';
import { runAction } from '../../src/actions/run';
import type { ActionDeps, ActionRequest } from '../../src/actions/types';
import { createAwsClients, createAwsSources, createControlPorts, type AwsClients } from '../../src/aws/index';
import { CallLedger, countCalls } from '../../src/calls';
import { silentLog } from '../../src/log';
import { createGofnTable, createLambdaRole, createTestFunction, emulatorAccount } from '../aws/emulator-fixtures';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * Rolling back a canary against the AWS emulator, which stores an alias's RoutingConfig as Lambda
 * does: FunctionVersion is the stable version, AdditionalVersionWeights the canary's share. The
 * whole action runs (plan, execute, read back, audit) over the AWS adapters. The emulator has no
 * deployment targets and no StopDeployment; the mock tests cover what AWS answers there.
 */

let emulator: Emulator;
let clients: AwsClients;
let runId = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  clients = createAwsClients({ maxAttempts: 1 });
  await createLambdaRole(emulator.endpoint);
});
afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

/** A function with versions 1, 2 and 3 whose alias `live` keeps v2 and sends 10% to v3. */
async function canaryFunction(tags: Record<string, string> = {}): Promise<string> {
  const fn = `pricing-api-${++runId}`;
  await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true', ...tags }, versions: 3, alias: 'live' });
  await clients.lambda.send(
    new UpdateAliasCommand({
      FunctionName: fn,
      Name: 'live',
      FunctionVersion: '2',
      RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } },
    }),
  );
  return fn;
}

async function deps(): Promise<ActionDeps> {
  return {
    sources: createAwsSources({ clients }),
    control: createControlPorts(clients),
    store: await createGofnTable(clients, `gofn-canary-${++runId}`),
    settings: { maxConcurrency: 500, replayRatePerSecond: 100, admins: [] },
    log: silentLog,
  };
}

function rollback(functionName: string, expected: ActionRequest['expected'] = {}): ActionRequest {
  return {
    kind: 'rollback',
    functionName,
    alias: 'live',
    expected,
    actor: { via: 'cli', id: 'maria@laptop' },
    requestId: `rollback-${++runId}`,
  };
}

describe('rolling back a canary on the emulator', () => {
  it('keeps the stable version and clears the weights: never below the stable version', async () => {
    // Prepare
    const fn = await canaryFunction();
    const actionDeps = await deps();
    const ledger = new CallLedger();

    // Act
    const outcome = await countCalls(ledger, () => runAction(rollback(fn, { fromVersion: '3' }), actionDeps));

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan).toMatchObject({ method: 'update-alias', fromVersion: '3', toVersion: '2' });
    const alias = await clients.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
    expect(alias.FunctionVersion).toBe('2');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(outcome.sentence).toMatch(/^rolled pricing-api-\d+ back: live v3 \(canary, 10%\) → v2 \(verified /);
    expect(ledger.snapshot()).toMatchObject({ 'Lambda:UpdateAlias': 1 });
    expect((await listAudit(actionDeps.store, fn)).map((a) => a.status)).toEqual(['succeeded']);
  });

  it('reads the canary through the diagnosis adapter too: GetAlias beside GetFunction', async () => {
    // Prepare
    const fn = await canaryFunction();
    const ledger = new CallLedger();

    // Act
    const info = await countCalls(ledger, () => createAwsSources({ clients }).functions.getFunction(fn, 'live'));

    // Assess
    expect(info).toMatchObject({ version: '2', routing: { '3': 0.1 } });
    expect(ledger.snapshot()).toEqual({ 'Lambda:GetAlias': 1, 'Lambda:GetFunction': 1 });
  });

  it('leaves the alias to CodeDeploy while a deployment of its group is in flight', async () => {
    // Prepare: the emulator keeps a deployment in Created, which is still moving traffic for CodeDeploy.
    const application = `pricing-${++runId}`;
    const fn = await canaryFunction({ 'gofn:deployment-group': `${application}/live` });
    await clients.codeDeploy.send(
      new CreateApplicationCommand({ applicationName: application, computePlatform: 'Lambda' }),
    );
    await clients.codeDeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: application,
        deploymentGroupName: 'live',
        serviceRoleArn: `arn:aws:iam::${emulatorAccount}:role/codedeploy`,
        deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      }),
    );
    const created = await clients.codeDeploy.send(
      new CreateDeploymentCommand({
        applicationName: application,
        deploymentGroupName: 'live',
        revision: { revisionType: 'S3', s3Location: { bucket: 'artifacts', key: 'appspec.yml', bundleType: 'YAML' } },
      }),
    );
    const ledger = new CallLedger();

    // Act
    const outcome = await countCalls(ledger, async () => runAction(rollback(fn, { fromVersion: '3' }), await deps()));

    // Assess: planned as StopDeployment, which the emulator lacks; the alias is never touched by hand.
    expect(outcome.plan).toMatchObject({ method: 'stop-deployment', deploymentId: created.deploymentId });
    expect(outcome.status).toBe('failed');
    expect(ledger.snapshot()['Lambda:UpdateAlias']).toBeUndefined();
    const alias = await clients.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
    expect(alias).toMatchObject({ FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } } });
  });
});
