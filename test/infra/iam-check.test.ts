import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../infra/lib/gofn-app';

/**
 * tools/iam_check.py, the parliament check infra/test.sh runs over the synthesized templates:
 * it must fail on the mistakes AWS answers with AccessDenied, and resolve CloudFormation
 * intrinsics well enough to check real templates. Runs the venv's Python (scripts/setup.sh all).
 */

const python = path.join(REPO_ROOT, '.venv', 'bin', 'python');

function check(...templates: Record<string, unknown>[]): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gofn-iam-'));
  try {
    const files = templates.map((t, i) => {
      const file = path.join(dir, `Stack${i}.template.json`);
      fs.writeFileSync(file, JSON.stringify(t));
      return file;
    });
    const run = spawnSync(python, [path.join(REPO_ROOT, 'tools', 'iam_check.py'), ...files], { encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const policy = (...statements: Record<string, unknown>[]) => ({
  Resources: {
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyDocument: { Version: '2012-10-17', Statement: statements } },
    },
  },
});

describe('the IAM check of the templates', () => {
  it('fails StopDeployment scoped to a deployment group: it has no resource type, so AWS denies it', () => {
    // Act
    const { status, output } = check(
      policy({
        Sid: 'StopManagedDeployments',
        Effect: 'Allow',
        Action: 'codedeploy:StopDeployment',
        Resource: 'arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:orders/live',
      }),
    );

    // Assess
    expect(status).toBe(1);
    expect(output).toMatch(/RESOURCE_MISMATCH in .* Policy StopManagedDeployments: .*codedeploy:StopDeployment/);
  });

  it('fails an action that does not exist and a read wildcard on every resource', () => {
    const { status, output } = check(
      policy(
        { Sid: 'Typo', Effect: 'Allow', Action: 'lambda:GetFunctions', Resource: '*' },
        { Sid: 'AllGets', Effect: 'Allow', Action: 'lambda:Get*', Resource: '*' },
      ),
    );
    expect(status).toBe(1);
    expect(output).toMatch(/UNKNOWN_ACTION in .* Typo/);
    expect(output).toMatch(/RESOURCE_STAR in .* AllGets/);
  });

  it("passes statements that AWS accepts, resolving Fn::GetAtt and another stack's outputs to ARNs", () => {
    // Prepare: a queue in one stack, granted in the other through a weak cross-stack reference.
    const producer = {
      Resources: { Dlq: { Type: 'AWS::SQS::Queue', Properties: {} } },
      Outputs: { PublishDlqArn: { Value: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
    };
    const consumer = policy(
      {
        Sid: 'Drain',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        Resource: { 'Fn::GetStackOutput': { StackName: 'Stack0', OutputName: 'PublishDlqArn' } },
      },
      { Sid: 'Stop', Effect: 'Allow', Action: 'codedeploy:StopDeployment', Resource: '*' },
      {
        Sid: 'Alias',
        Effect: 'Allow',
        Action: 'lambda:UpdateAlias',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':lambda:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':function:*',
            ],
          ],
        },
        Condition: { StringEquals: { 'aws:ResourceTag/gofn:managed': 'true' } },
      },
    );

    // Act
    const { status, output } = check(producer, consumer);

    // Assess
    expect(output).toContain('iam-check: 3 statements in 2 templates checked with parliament; 0 findings');
    expect(status).toBe(0);
  });

  it('reads "*" in a key policy as the key itself, and accepts the default key policy with its reason', () => {
    const { status, output } = check({
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            KeyPolicy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: {
                    AWS: {
                      'Fn::Join': [
                        '',
                        ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
                      ],
                    },
                  },
                  Action: 'kms:*',
                  Resource: '*',
                },
                {
                  Sid: 'Alarms',
                  Effect: 'Allow',
                  Principal: { Service: 'cloudwatch.amazonaws.com' },
                  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                  Resource: '*',
                },
              ],
            },
          },
        },
      },
    });
    expect(output).toMatch(/accepted RESOURCE_MISMATCH in .* Key #0 .*the default key policy/);
    expect(output).toContain('2 statements in 1 templates checked with parliament; 0 findings, 1 accepted');
    expect(status).toBe(0);
  });
});
