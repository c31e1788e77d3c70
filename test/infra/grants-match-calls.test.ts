import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { BotStack } from '../../infra/lib/bot-stack';
import { MemberStack } from '../../infra/lib/member-stack';
import { type FakeBuild, allStatements, asArray, fakeBuildOutputs, newApp } from './fixtures';

/**
 * Every AWS call the adapters in src/aws make is allowed to the bot's roles. The grants were
 * narrowed to exact actions, so a new SDK command without its grant would be AccessDenied on the
 * first real deploy, and nothing but this test would say so before then.
 */
const AWS_DIR = path.resolve(__dirname, '..', '..', 'src', 'aws');

/** IAM service prefix of each SDK package (Service Authorization Reference). */
const PREFIX: Record<string, string> = {
  'client-cloudformation': 'cloudformation',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudwatch-logs': 'logs',
  'client-codedeploy': 'codedeploy',
  'client-compute-optimizer': 'compute-optimizer',
  'client-cost-explorer': 'ce',
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-lambda': 'lambda',
  'client-resource-groups-tagging-api': 'tag',
  'client-s3': 's3',
  'client-secrets-manager': 'secretsmanager',
  'client-sqs': 'sqs',
  'client-ssm': 'ssm',
  'client-sts': 'sts',
  'client-xray': 'xray',
};

/** Commands whose IAM action is not their own name (Service Authorization Reference). */
const ACTION_OF: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  's3:ListObjectsV2': 's3:ListBucket',
};

/** Calls only the terminal makes, with the person's own credentials: the bot never sends them. */
const CLI_ONLY = new Set(['cloudformation:DescribeStacks']);

/**
 * Calls gofn makes in its own account only (its table, its Slack secret, assuming the member
 * roles, handing jobs to the worker), never through a member account's role.
 */
const HOME_ONLY = /^(dynamodb|secretsmanager|sts|cloudformation):/;

/** The IAM actions of the `new XCommand(...)` calls in src/aws, by the package each command comes from. */
function actionsCalledInSrcAws(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(AWS_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(AWS_DIR, file), 'utf8');
    for (const imported of text.matchAll(/import \{([^}]+)\} from '@aws-sdk\/([a-z0-9-]+)'/g)) {
      const prefix = PREFIX[imported[2]!];
      for (const name of imported[1]!.split(',').map((n) => n.trim().replace(/^type /, ''))) {
        if (!name.endsWith('Command') || !text.includes(`new ${name}(`)) continue;
        if (!prefix) throw new Error(`${file} calls ${name} from @aws-sdk/${imported[2]}: add its IAM prefix here`);
        const action = `${prefix}:${name.replace(/Command$/, '')}`;
        found.set(ACTION_OF[action] ?? action, `${file} ${name}`);
      }
    }
  }
  return found;
}

let build: FakeBuild;
beforeAll(() => {
  build = fakeBuildOutputs();
});
afterAll(() => build.cleanup());

describe('the bot stack grants what src/aws calls', () => {
  it('allows every action an adapter sends, to the ingress or the worker', () => {
    // Prepare
    const stack = new BotStack(newApp(), 'Bot', {
      lambdaDist: build.lambdaDist,
      alarmChannel: 'C0123456789',
      managedWorkloads: [
        {
          functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-worker',
          deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders-dlq',
          sourceQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders',
          profileParameterArn: 'arn:aws:ssm:eu-west-1:111122223333:parameter/gofn/profile/orders-worker',
        },
      ],
      targets: {
        accounts: [
          { name: 'prod', id: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/gofn-member', externalId: 'x1' },
        ],
        regions: ['eu-west-1'],
      },
    });
    const allowed = new Set(
      allStatements(Template.fromStack(stack))
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => asArray(s.Action as string | string[])),
    );

    // Act
    const called = actionsCalledInSrcAws();

    // Assess
    expect(called.size).toBeGreaterThan(30);
    const missing = [...called]
      .filter(([action]) => !allowed.has(action) && !CLI_ONLY.has(action))
      .map(([a, where]) => `${a} (${where})`);
    expect(missing).toEqual([]);
  });
});

describe('the member stack grants what src/aws calls in a managed account', () => {
  it("allows every action an adapter sends through a member account's role", () => {
    // Prepare
    const allowed = new Set(
      allStatements(Template.fromStack(new MemberStack(newApp(), 'Member')))
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => asArray(s.Action as string | string[])),
    );

    // Act
    const called = [...actionsCalledInSrcAws()].filter(([action]) => !HOME_ONLY.test(action));

    // Assess
    expect(called.length).toBeGreaterThan(25);
    expect(called.filter(([action]) => !allowed.has(action)).map(([a, where]) => `${a} (${where})`)).toEqual([]);
    // And nothing beyond: the member role is no wider than what gofn calls.
    const calledActions = new Set(called.map(([action]) => action));
    expect([...allowed].filter((action) => !calledActions.has(action) && !action.startsWith('kms:'))).toEqual([]);
  });
});
