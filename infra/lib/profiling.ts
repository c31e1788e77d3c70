import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { checkovSkip, suppress } from './nag';

/** Where the workloads put profiles, and the tags gofn reads to find a function's flag and bucket. */
export const PROFILE_PREFIX = 'profiles';
export const PROFILE_TAGS = { parameter: 'gofn:profile', bucket: 'gofn:profile-bucket' } as const;

/**
 * One profiles bucket per account and region, by name, so the bot's policy can name it in
 * another stack without a reference back to the workloads.
 */
export const PROFILES_BUCKET_NAME = `gofn-profiles-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export interface ProfileBucketProps {
  /** How long profiles are kept. @default Duration.days(7) */
  readonly expiration?: Duration;
  /** @default RemovalPolicy.RETAIN: a stack deleted while profiles remain keeps them until they expire */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket the Go workloads upload CPU and heap profiles to (`gofn profile`): encrypted, never
 * public, TLS only, and emptied by a lifecycle rule, since a profile is worth an incident's
 * length. Profiles hold function names and stack frames, no request data.
 */
export class ProfileBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ProfileBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: PROFILES_BUCKET_NAME,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpireProfiles',
          expiration: props.expiration ?? Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const noAccessLogs =
      'Short-lived diagnostic profiles that expire within days, written by the functions and read by gofn; who turned profiling on is in gofn’s audit record';
    suppress(this.bucket, 'AwsSolutions-S1', noAccessLogs);
    checkovSkip(this.bucket, 'CKV_AWS_18', noAccessLogs);
    checkovSkip(
      this.bucket,
      'CKV_AWS_21',
      'Each profile is written once under a key of its own (function, version, instance, time, session) and expires within days: there is no earlier version to keep',
    );
  }
}

/** What the bot needs to profile a function: its flag parameter (the bucket is PROFILES_BUCKET_NAME). */
export interface ProfilingRef {
  readonly profileParameterArn: string;
}

/**
 * Lets gofn profile `fn` without a redeploy: the flag parameter it reads (holding `off`), the
 * environment the workloads' profiling package reads, tags naming both for gofn, and exactly
 * the grants the function needs: GetParameter on its own flag, PutObject under its own prefix.
 */
export function enableProfiling(
  scope: Construct,
  fn: lambda.Function,
  functionName: string,
  bucket: s3.IBucket,
): ProfilingRef {
  const name = `gofn/profile/${functionName}`;
  const parameter = new ssm.StringParameter(scope, 'ProfileFlag', {
    parameterName: `/${name}`,
    stringValue: 'off',
    description: `gofn: when ${functionName}'s warm instances record CPU profiles (docs/profiling.md)`,
    tier: ssm.ParameterTier.STANDARD,
  });
  // Both ARNs spelled out, so the policies name the parameter and the prefix they allow.
  const stack = Stack.of(scope);
  const parameterArn = stack.formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: name,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  const objects = `arn:${Aws.PARTITION}:s3:::${bucket.bucketName}/${PROFILE_PREFIX}/${functionName}/*`;
  fn.addEnvironment('GOFN_PROFILE_PARAMETER', parameter.parameterName);
  fn.addEnvironment('GOFN_PROFILE_BUCKET', bucket.bucketName);
  fn.addToRolePolicy(
    new iam.PolicyStatement({ sid: 'ReadProfileFlag', actions: ['ssm:GetParameter'], resources: [parameterArn] }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({ sid: 'UploadProfiles', actions: ['s3:PutObject'], resources: [objects] }),
  );
  if (fn.role) {
    suppress(
      fn.role,
      'AwsSolutions-IAM5',
      'The function writes its profiles only under profiles/<function>/ of the profiles bucket; object names carry the version, instance and time',
      [
        `Resource::arn:<AWS::Partition>:s3:::<${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}>/${PROFILE_PREFIX}/${functionName}/*`,
      ],
    );
  }
  Tags.of(fn).add(PROFILE_TAGS.parameter, parameter.parameterName);
  Tags.of(fn).add(PROFILE_TAGS.bucket, bucket.bucketName);
  return { profileParameterArn: parameterArn };
}
