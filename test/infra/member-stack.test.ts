import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BotStack } from '../../infra/lib/bot-stack';
import { buildGofnApp } from '../../infra/lib/gofn-app';
import { MemberStack } from '../../infra/lib/member-stack';
import { type FakeBuild, allStatements, asArray, fakeBuildOutputs, newApp } from './fixtures';

let build: FakeBuild;
beforeAll(() => {
  build = fakeBuildOutputs();
});
afterAll(() => build.cleanup());

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function memberTemplate(): Template {
  const app = newApp();
  const stack = new MemberStack(app, 'Member');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return Template.fromStack(stack);
}

describe('the member stack (one per managed account, as a StackSet)', () => {
  let template: Template;
  beforeAll(() => {
    template = memberTemplate();
  });

  it("has no unacknowledged finding from cdk-nag's AwsSolutions pack", () => {
    const app = newApp();
    new MemberStack(app, 'Member');
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it("lets only gofn's worker role assume its role, and only with the external ID", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'gofn-member',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'TrustedRoleArn' } },
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
          },
        ],
      },
    });
    template.hasParameter('TrustedRoleArn', { Type: 'String', AllowedPattern: Match.stringLikeRegexp('iam') });
    template.hasParameter('ExternalId', { Type: 'String', NoEcho: true, MinLength: 2, MaxLength: 1224 });
    template.hasOutput('RoleArn', Match.anyValue());
  });

  it('deploys without CDK bootstrap or assets, as a StackSet instance must', () => {
    const json = template.toJSON() as { Parameters: Record<string, unknown>; Rules?: unknown };
    expect(Object.keys(json.Parameters).sort()).toEqual(['ExternalId', 'TrustedRoleArn']);
    expect(json.Rules).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|AssetParameters|BootstrapVersion/);
  });

  it('changes only what is tagged gofn:managed=true, and reads functions only when tagged', () => {
    const statements = allStatements(template) as Statement[];
    const tagged = { StringEquals: { 'aws:ResourceTag/gofn:managed': 'true' } };
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    for (const sid of ['ActOnManagedFunctions', 'ReplayManagedQueues', 'ReadManagedFunctions']) {
      expect(bySid(sid).Condition).toEqual(tagged);
    }
    // Everything that writes is in those two statements, or has no resource type at all.
    const writes = statements.filter((s) =>
      asArray(s.Action).some((a) =>
        /:(UpdateAlias|PutFunctionConcurrency|InvokeFunction|SendMessage|DeleteMessage|ReceiveMessage|StartMessageMoveTask|StopDeployment)$/.test(
          a,
        ),
      ),
    );
    expect(writes.map((s) => s.Sid).sort()).toEqual([
      'ActOnManagedFunctions',
      'ReplayManagedQueues',
      'StopDeployments',
    ]);
  });

  it('reads and acts in every region of the account: no region is written into the template', () => {
    const resources = JSON.stringify((allStatements(template) as Statement[]).map((s) => s.Resource));
    expect(resources).toContain(':lambda:*:');
    expect(resources).not.toContain('AWS::Region');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/\b[a-z]{2}-[a-z]+-\d\b/);
  });
});

describe('the bot stack with accounts and regions', () => {
  const targets = {
    accounts: [
      {
        name: 'prod',
        id: '111122223333',
        roleArn: 'arn:aws:iam::111122223333:role/gofn-member',
        externalId: 'gofn-7f3a',
      },
      { name: 'tools', id: '444455556666' },
    ],
    regions: ['us-east-1', 'eu-west-1'],
  };

  it('gives the worker its targets and the right to assume exactly those roles', () => {
    // Prepare
    const stack = new BotStack(newApp(), 'Bot', { lambdaDist: build.lambdaDist, targets });

    // Act
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-worker',
      Environment: { Variables: Match.objectLike({ GOFN_TARGETS: JSON.stringify(targets) }) },
    });
    const assume = (allStatements(template) as Statement[]).filter((s) => asArray(s.Action).includes('sts:AssumeRole'));
    expect(assume).toEqual([
      { Sid: 'AssumeMemberRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: targets.accounts[0]!.roleArn },
    ]);
    template.hasOutput('WorkerRoleArn', Match.anyValue());
  });

  it('assumes nothing without targets, and refuses targets the worker environment cannot hold', () => {
    // Prepare
    const plain = Template.fromStack(new BotStack(newApp(), 'Bot', { lambdaDist: build.lambdaDist }));
    const many = {
      accounts: Array.from({ length: 40 }, (_, i) => ({
        name: `account-${i}`,
        id: String(100000000000 + i),
        roleArn: `arn:aws:iam::${100000000000 + i}:role/gofn-member`,
        externalId: 'x'.repeat(20),
      })),
      regions: ['us-east-1'],
    };

    // Act
    const tooMany = () => new BotStack(newApp(), 'Bot', { lambdaDist: build.lambdaDist, targets: many });

    // Assess
    const identityStatements = allStatements(plain) as Statement[];
    expect(identityStatements.filter((st) => asArray(st.Action).includes('sts:AssumeRole'))).toEqual([]);
    expect(tooMany).toThrow(/targets: \d+ characters of JSON; the worker's environment holds at most 3000/);
  });

  it('takes the targets from context, validated like GOFN_TARGETS, and adds the member stack on request', () => {
    // Prepare
    const context = { workloadsDist: build.workloadsDist, lambdaDist: build.lambdaDist, sampleWorkloads: 'false' };

    // Act
    const withTargets = buildGofnApp(newApp({ ...context, targets: JSON.stringify(targets), memberStack: 'true' }));
    const plain = buildGofnApp(newApp(context));
    const bad = () => buildGofnApp(newApp({ ...context, targets: JSON.stringify({ ...targets, regions: ['moon'] }) }));

    // Assess
    expect(withTargets.member).toBeInstanceOf(MemberStack);
    expect(plain.member).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(withTargets.bot).toJSON())).toContain('AssumeMemberRoles');
    expect(bad).toThrow('context targets regions[0]: expected an AWS region like eu-west-1.');
  });
});
