import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GoWorkload } from '../../infra/lib/go-workload';
import { ProfileBucket } from '../../infra/lib/profiling';
import { grantFleetAccess } from '../../infra/lib/worker-permissions';
import { type FakeBuild, fakeBuildOutputs, newApp } from './fixtures';

let build: FakeBuild;
beforeAll(() => {
  build = fakeBuildOutputs();
});
afterAll(() => build.cleanup());

function synth(): Template {
  // Prepare
  const stack = new Stack(newApp(), 'Test');
  const profiles = new ProfileBucket(stack, 'Profiles');
  new GoWorkload(stack, 'Orders', {
    functionName: 'orders-api',
    bootstrapDir: path.join(build.workloadsDist, 'hello'),
    alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111122223333:gofn-alarms'),
    owner: 'payments',
    owners: ['U012AB3CD'],
    env: 'prod',
    profileBucket: profiles.bucket,
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  });
  // Act
  return Template.fromStack(stack);
}

describe('profiling in the GoWorkload construct', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it('keeps profiles in an encrypted, private, TLS-only bucket that forgets them after a week', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 7,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates the function’s flag, off, and tells the function and gofn where it and the bucket are', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/gofn/profile/orders-api',
      Value: 'off',
      Type: 'String',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GOFN_PROFILE_PARAMETER: { Ref: Match.anyValue() },
          GOFN_PROFILE_BUCKET: { Ref: Match.anyValue() },
        }),
      },
      Tags: Match.arrayWith([
        { Key: 'gofn:profile', Value: { Ref: Match.anyValue() } },
        { Key: 'gofn:profile-bucket', Value: { Ref: Match.anyValue() } },
      ]),
    });
  });

  it('lets the function read only its flag and write only under its own prefix', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[],
    );
    const flag = statements.find((s) => s.Sid === 'ReadProfileFlag')!;
    const upload = statements.find((s) => s.Sid === 'UploadProfiles')!;
    expect(flag.Action).toBe('ssm:GetParameter');
    expect(JSON.stringify(flag.Resource)).toContain(':parameter/gofn/profile/orders-api"');
    expect(upload.Action).toBe('s3:PutObject');
    expect(JSON.stringify(upload.Resource)).toMatch(/"\/profiles\/orders-api\/\*"\]/);
  });
});

describe('the bot’s profiling grants', () => {
  it('turn the listed functions’ flags on and off, and read and merge under profiles/ of the account’s bucket', () => {
    // Prepare
    const stack = new Stack(newApp(), 'Bot');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grantFleetAccess(stack, role, [
      {
        functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-api',
        deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders-api-dlq',
        deploymentGroupArn: 'arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:orders-api/live',
        profileParameterArn: 'arn:aws:ssm:eu-west-1:111122223333:parameter/gofn/profile/orders-api',
      },
    ]);

    // Act
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[],
    );
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

    // Assess
    expect(bySid('ProfileManagedFunctions')).toMatchObject({
      Action: ['ssm:GetParameter', 'ssm:PutParameter'],
      Resource: 'arn:aws:ssm:eu-west-1:111122223333:parameter/gofn/profile/orders-api',
    });
    expect(bySid('ListProfiles')?.Action).toBe('s3:ListBucket');
    expect(bySid('ReadAndMergeProfiles')?.Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(bySid('ReadAndMergeProfiles')?.Resource)).toContain(':s3:::gofn-profiles-');
    expect(JSON.stringify(bySid('ReadAndMergeProfiles')?.Resource)).toMatch(/\/profiles\/\*"\]\]\}$/);
  });
});
