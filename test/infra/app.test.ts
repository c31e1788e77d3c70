import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, buildGofnApp, type GofnStacks } from '../../infra/lib/gofn-app';
import { HELLO_ROUTE_KEY } from '../../infra/lib/workloads-stack';
import { type FakeBuild, allStatements, asArray, fakeBuildOutputs, newApp, onlyResource } from './fixtures';

let build: FakeBuild;
beforeAll(() => {
  build = fakeBuildOutputs();
});
afterAll(() => build.cleanup());

function gofnApp(context: Record<string, unknown> = {}): { app: App; stacks: GofnStacks } {
  const app = newApp({ workloadsDist: build.workloadsDist, lambdaDist: build.lambdaDist, ...context });
  return { app, stacks: buildGofnApp(app) };
}

/** `<construct path> <rule>` for every acknowledged cdk-nag finding, with its reason. */
function acknowledgements(app: App): Map<string, string> {
  const found = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${construct.node.path} ${id.replace(/^annotation::/i, '')}`, reason);
      }
    }
  }
  return found;
}

describe('the gofn app (bot + sample workloads)', () => {
  let app: App;
  let stacks: GofnStacks;
  let bot: Template;
  let workloads: Template;
  beforeAll(() => {
    ({ app, stacks } = gofnApp({ owners: 'U012AB3CD,U045EF6GH', alarmChannel: 'C0123456789' }));
    // Synthesizing runs the AwsSolutions pack registered by buildGofnApp: a finding would throw here.
    bot = Template.fromStack(stacks.bot);
    workloads = Template.fromStack(stacks.workloads!);
  });

  it("has no unacknowledged finding from cdk-nag's AwsSolutions pack in any stack", () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual(
      [],
    );
  });

  it('acknowledges only these findings, each with its reason', () => {
    const acks = acknowledgements(app);
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(30);
    const xray = (path: string) => `${path} AwsSolutions-IAM5[Resource::*]`;
    const codeDeployPolicy =
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]';
    expect([...acks.keys()].sort()).toEqual(
      [
        xray('GofnWorkloads/Hello/Basics/Role'),
        xray('GofnWorkloads/OrdersWorker/Basics/Role'),
        xray('GofnBot/WorkerBasics/Role'),
        xray('GofnBot/IngressBasics/Role'),
        'GofnWorkloads/Hello/DeadLetterQueue AwsSolutions-SQS3',
        'GofnWorkloads/Hello/HttpApi AwsSolutions-APIG4',
        `GofnWorkloads/Hello/Deployment/ServiceRole ${codeDeployPolicy}`,
        `GofnWorkloads/OrdersWorker/Deployment/ServiceRole ${codeDeployPolicy}`,
        'GofnBot/SlackCredentials AwsSolutions-SMG4',
        'GofnBot/Ingress AwsSolutions-L1',
        'GofnBot/Worker AwsSolutions-L1',
        'GofnBot/WorkerDeadLetterQueue AwsSolutions-SQS3',
        'GofnBot/ReadFleetPolicy AwsSolutions-IAM5[Resource::*]',
        'GofnBot/ReadFleetPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/*]',
        'GofnBot/ReadFleetPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*]',
        'GofnBot/ReadFleetPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codedeploy:<AWS::Region>:<AWS::AccountId>:deploymentgroup:*]',
        'GofnBot/ReadFleetPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:*]',
        'GofnBot/ReadFleetPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*]',
        'GofnBot/ActOnManagedPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*]',
        'GofnBot/ActOnManagedPolicy AwsSolutions-IAM5[Resource::*]',
        'GofnBot/ActOnManagedPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
        // Profiling: each function uploads under its own prefix; the bot reads and merges under profiles/.
        'GofnWorkloads/Profiles/Bucket AwsSolutions-S1',
        'GofnWorkloads/Hello/Basics/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<ProfilesBucket469E1538>/profiles/gofn-sample-hello/*]',
        'GofnWorkloads/OrdersWorker/Basics/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<ProfilesBucket469E1538>/profiles/gofn-sample-orders-worker/*]',
        'GofnBot/ActOnManagedPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::gofn-profiles-<AWS::AccountId>-<AWS::Region>/profiles/*]',
      ].sort(),
    );
  });

  it('writes the acknowledgements and their reasons into the templates', () => {
    expect(JSON.stringify(bot.toJSON())).toContain('"rules_to_suppress"');
  });

  it("sends every workload alarm to the bot's alarm topic", () => {
    const topicName = Object.values(bot.findResources('AWS::SNS::Topic'))
      .map((t) => t.Properties.TopicName as string)
      .find((n) => n.endsWith('-alarms') && !n.endsWith('-bot-alarms'));
    const expectedArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':sns:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${topicName}`,
        ],
      ],
    };
    const alarms = Object.values(workloads.findResources('AWS::CloudWatch::Alarm'));
    // Per function: errors, throttles, p99 duration, DLQ depth, and the deployed version's error rate and p99.
    expect(alarms).toHaveLength(12);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([expectedArn]);
      expect(alarm.Properties.OKActions).toEqual([expectedArn]);
    }
  });

  it("lets the bot act on exactly the sample workloads' queues and functions", () => {
    const statements = allStatements(bot);
    const resourcesOf = (sid: string) => asArray(statements.find((s) => s.Sid === sid)?.Resource);
    expect(resourcesOf('DrainManagedDeadLetterQueues')).toHaveLength(2);
    expect(resourcesOf('RefillManagedSourceQueues')).toHaveLength(1);
    expect(resourcesOf('ReplayIntoManagedFunctions')).toHaveLength(4);
  });

  it('serves GET /hello/{id} exactly as the event the Go handler is tested with', () => {
    // Prepare: the API Gateway payload 2.0 event workloads/internal/hello/route_test.go feeds the handler.
    const event = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'workloads/internal/hello/testdata/get-hello-route.json'), 'utf8'),
    ) as { version: string; routeKey: string; rawPath: string; requestContext: { routeKey: string; stage: string } };

    // Assess
    expect(
      Object.values(workloads.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey),
    ).toEqual([event.routeKey]);
    expect(event.requestContext.routeKey).toBe(event.routeKey);
    expect(event.routeKey).toBe(HELLO_ROUTE_KEY);
    workloads.hasResourceProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: event.version });
    workloads.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: event.requestContext.stage });
    // The URL the stack prints is one the route serves, with the path the event carries.
    const url = JSON.stringify(workloads.toJSON().Outputs.HelloUrl.Value);
    expect(url).toContain(`${event.rawPath.slice(1)}"`);
  });

  it('tags every function of both stacks with service, env and owner', () => {
    for (const template of [bot, workloads]) {
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        const keys = (fn.Properties.Tags as { Key: string }[]).map((t) => t.Key);
        expect(keys).toEqual(expect.arrayContaining(['service', 'env', 'owner']));
      }
    }
  });

  it('gives each stack one rotated customer-managed key', () => {
    for (const template of [bot, workloads]) {
      const [, key] = onlyResource(template, 'AWS::KMS::Key');
      expect(key.Properties?.EnableKeyRotation).toBe(true);
    }
  });

  it('gives every checkov skip in the templates its reason', () => {
    const skips = [bot, workloads].flatMap((t) =>
      Object.values(
        t.toJSON().Resources as Record<
          string,
          { Metadata?: { checkov?: { skip: { id: string; comment: string }[] } } }
        >,
      ).flatMap((r) => r.Metadata?.checkov?.skip ?? []),
    );
    expect(skips.length).toBeGreaterThan(0);
    for (const skip of skips) {
      expect(skip.id).toMatch(/^CKV_AWS_\d+$/);
      expect(skip.comment.length).toBeGreaterThan(40);
    }
  });

  it('deploys the workloads before the bot, which reads their outputs', () => {
    expect(stacks.bot.dependencies.map((s) => s.stackName)).toEqual(['GofnWorkloads']);
  });

  it('tags the sample functions with the owners from context', () => {
    workloads.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-sample-hello',
      Tags: Match.arrayWith([{ Key: 'gofn:owners', Value: 'U012AB3CD U045EF6GH' }]),
    });
  });

  it('gives each sample function its table, with the one DynamoDB action it uses', () => {
    const dynamo = allStatements(workloads).filter((s) => String(s.Action).startsWith('dynamodb:'));
    expect(dynamo.map((s) => s.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    workloads.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-sample-hello',
      Environment: { Variables: Match.objectLike({ ITEMS_TABLE: { Ref: Match.anyValue() } }) },
    });
    workloads.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-sample-orders-worker',
      Environment: { Variables: Match.objectLike({ ORDERS_TABLE: { Ref: Match.anyValue() } }) },
    });
  });
});

describe('the gofn app from context', () => {
  it('deploys the bot alone when sampleWorkloads is false', () => {
    const { app, stacks } = gofnApp({ sampleWorkloads: 'false' });
    expect(stacks.workloads).toBeUndefined();
    expect(app.node.children.filter((c) => Stack.isStack(c)).map((c) => c.node.id)).toEqual(['GofnBot']);
  });

  it('grants the bot the workloads listed in the managedWorkloads context', () => {
    const dlq = 'arn:aws:sqs:eu-west-1:111122223333:payments-dlq';
    const { stacks } = gofnApp({
      sampleWorkloads: false,
      managedWorkloads: JSON.stringify([
        {
          functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:payments',
          deadLetterQueueArn: dlq,
          deploymentGroupArn: 'arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:payments/live',
        },
      ]),
    });
    const statements = allStatements(Template.fromStack(stacks.bot));
    expect(statements.find((s) => s.Sid === 'DrainManagedDeadLetterQueues')?.Resource).toEqual(dlq);
  });
});
