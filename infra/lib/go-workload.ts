import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LIVE_ALIAS, TAG, ownersTagValue } from './conventions';
import { FunctionBasics, functionAlarm } from './function-basics';
import { INSIGHTS_QUERIES } from './insights-queries';
import type { ManagedWorkloadRef } from './managed-workloads';
import { FUNCTION_CHECKOV_SKIPS, checkovSkip, suppress } from './nag';
import { enableProfiling, type ProfilingRef } from './profiling';

/**
 * Alarms that may roll a CodeDeploy deployment back. The canary ones watch the version being
 * deployed through the alias (dimensions FunctionName, Resource `<function>:live` and
 * ExecutedVersion); the others watch the whole function.
 */
export type RollbackSignal = 'canaryErrorRate' | 'canaryP99Duration' | 'errors' | 'throttles' | 'p99Duration';

export interface GoWorkloadAlarmProps {
  /** Length of one datapoint. @default Duration.minutes(1) */
  readonly period?: Duration;
  /** Datapoints each alarm looks at. @default 3 */
  readonly evaluationPeriods?: number;
  /** How many of them must breach ("2 of 3 minutes"). @default 2 */
  readonly datapointsToAlarm?: number;
  /** Alarm when Errors (sum per period) exceed this. @default 5 */
  readonly errors?: number;
  /** Alarm when Throttles (sum per period) exceed this. @default 0 */
  readonly throttles?: number;
  /** Alarm when p99 Duration exceeds this (the function's, and the new version's during a deploy). @default 80% of the function timeout */
  readonly p99Duration?: Duration;
  /**
   * Alarm when more than this percentage of the invocations of the version being deployed
   * fail. A rate, so a canary taking 10% of the traffic trips it as surely as full traffic
   * would. @default 5
   */
  readonly canaryErrorRatePercent?: number;
  /**
   * The error rate counts only in periods with at least this many invocations of the new
   * version, so one failure in two requests does not roll a deployment back. @default 5
   */
  readonly canaryMinInvocations?: number;
  /** Alarm when visible DLQ messages exceed this (one datapoint is enough). @default 0 */
  readonly dlqDepth?: number;
  /**
   * Alarms that make CodeDeploy roll a deployment back. DLQ depth cannot be one: messages left
   * from an older incident would fail every later deployment.
   * @default ['canaryErrorRate', 'canaryP99Duration', 'throttles']
   */
  readonly rollbackOn?: readonly RollbackSignal[];
}

/** The function consumes an SQS queue that this construct creates, with a redrive to the DLQ. */
export interface SqsTrigger {
  readonly kind: 'sqs';
  /** @default 10 */
  readonly batchSize?: number;
  /** @default - no batching window: invoke as soon as messages are available */
  readonly maxBatchingWindow?: Duration;
  /** Receives before a message moves to the DLQ. @default 3 */
  readonly maxReceiveCount?: number;
}

/** The function serves one route of an HTTP API (payload format 2.0), through the `live` alias. */
export interface HttpTrigger {
  readonly kind: 'http';
  /**
   * The route, as API Gateway writes route keys: `GET /hello/{id}`. The handler gets the path
   * variables in `pathParameters`; the `$default` route would give it none.
   */
  readonly routeKey: string;
  /** @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttle?: apigw.ThrottleSettings;
  /** @default - no authorizer: the function authenticates requests itself */
  readonly authorizer?: apigw.IHttpRouteAuthorizer;
}

export type GoWorkloadTrigger = SqsTrigger | HttpTrigger;

/**
 * Where the functions' spans go. The X-Ray SDKs and daemon are out of support after
 * 2027-02-25; AWS's way forward for Lambda is OpenTelemetry over OTLP, straight to X-Ray's
 * OTLP endpoint or through a collector layer. Lambda's own segments need active tracing in
 * every case.
 */
export type WorkloadTraces =
  /** Subsegments over UDP to the X-Ray daemon Lambda runs with active tracing. No layer, no extra permission. */
  | { readonly exporter: 'xray-daemon' }
  /**
   * OTLP/HTTP straight to `https://xray.<region>.amazonaws.com/v1/traces`, signed with the
   * function's role (`xray:PutSpans`). Needs CloudWatch Transaction Search switched on for the
   * account (docs/deploy.md).
   */
  | { readonly exporter: 'otlp-xray' }
  /** OTLP/HTTP to a collector layer's extension on localhost:4318 (ADOT's, for example); its configuration decides where spans go. */
  | { readonly exporter: 'otel-collector'; readonly layer: lambda.ILayerVersion };

/** Levels a function's application logs may be filtered at (Lambda's advanced logging controls). */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface GoWorkloadProps {
  /** Function name: what people type after `/gofn status`, and the prefix of every alarm name. */
  readonly functionName: string;
  /** Directory holding the reproducible `bootstrap` built for linux/arm64. Only that file is deployed. */
  readonly bootstrapDir: string;
  /** gofn's alarm topic: every alarm sends ALARM and OK here. */
  readonly alarmTopic: sns.ITopic;
  /** The stack's customer-managed key: the DLQ and the log group are encrypted with it. */
  readonly encryptionKey: kms.IKey;
  /** `owner` tag: the team that owns the function. */
  readonly owner: string;
  /** `gofn:owners` tag: Slack user or group IDs who may run gofn actions. Empty: no tag, nobody may. */
  readonly owners: readonly string[];
  /** `env` tag, for example `prod`. */
  readonly env: string;
  /** `service` tag. @default functionName */
  readonly service?: string;
  /** @default - none */
  readonly description?: string;
  /** @default - invoked directly; failed async invocations go to the DLQ */
  readonly trigger?: GoWorkloadTrigger;
  /** @default 256 */
  readonly memorySize?: number;
  /** GOMEMLIMIT as a share of memorySize, leaving the rest to the runtime and non-heap memory. @default 0.9 */
  readonly goMemLimitRatio?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Must not contain the variables the construct sets (GOMEMLIMIT, LOG_LEVEL, OTEL_*). @default {} */
  readonly environment?: Record<string, string>;
  /** @default 10 */
  readonly reservedConcurrency?: number;
  /**
   * With `ACTIVE`, Lambda records each invocation in X-Ray, passes the trace on to the function
   * and runs an X-Ray daemon next to it. Without it gofn's downstream-latency and error-trace
   * checks have nothing to read.
   * @default lambda.Tracing.ACTIVE
   */
  readonly tracing?: lambda.Tracing;
  /** Where the functions send their spans. @default { exporter: 'xray-daemon' } */
  readonly traces?: WorkloadTraces;
  /**
   * Share of the traces the function starts itself that are recorded (OTEL_TRACES_SAMPLER
   * parentbased_traceidratio). Under Lambda the parent is always Lambda's own decision, X-Ray's
   * default rule (the first request each second and 5% of the rest); this applies when there is
   * none. @default 0.05
   */
  readonly traceSampleRatio?: number;
  /**
   * Lowest level of the function's own log lines that reaches CloudWatch. Lambda filters the JSON
   * lines by their `level` (application log level), and the function reads LOG_LEVEL so it does
   * not write what would be dropped. @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** How CodeDeploy shifts traffic to a new version. @default LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES */
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;
  /** @default - see GoWorkloadAlarmProps */
  readonly alarms?: GoWorkloadAlarmProps;
  /**
   * A bucket (see ProfileBucket) for `gofn profile`: the function gets a flag parameter and the
   * grants to read it and upload its profiles there (infra/lib/profiling.ts).
   * @default - no profiling
   */
  readonly profileBucket?: s3.IBucket;
}

export type GoWorkloadAlarms = Record<RollbackSignal | 'dlqDepth', cloudwatch.Alarm>;

/** A route key API Gateway accepts for a Lambda proxy route: one method and a path. */
const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/[A-Za-z0-9._~{}+/-]*)$/;

/**
 * A Go function on Lambda the way gofn expects to find it: arm64 on provided.al2023, alias
 * `live` moved by CodeDeploy and rolled back by its alarms, a DLQ, alarms wired to gofn, tags
 * that let gofn find and act on it, and the Logs Insights queries the runbook points to.
 */
export class GoWorkload extends Construct {
  readonly function: lambda.Function;
  readonly alias: lambda.Alias;
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly sourceQueue?: sqs.Queue;
  readonly httpApi?: apigw.HttpApi;
  /** URL of the HTTP API's `$default` stage, for an HTTP workload. */
  readonly url?: string;
  readonly alarms: GoWorkloadAlarms;
  readonly logGroup: logs.LogGroup;
  /** The flag parameter and bucket, when the function can be profiled. */
  readonly profiling?: ProfilingRef;

  constructor(scope: Construct, id: string, props: GoWorkloadProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    const { functionName, trigger } = props;

    const basics = new FunctionBasics(this, 'Basics', {
      functionName,
      logRetention: settings.logRetention,
      encryptionKey: props.encryptionKey,
    });
    this.logGroup = basics.logGroup;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // The longest SQS allows: messages wait here until someone replays them.
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (trigger?.kind === 'sqs') {
      this.sourceQueue = newQueue(this, 'Queue', {
        // AWS's guidance for Lambda consumers: six times the timeout plus the batching window,
        // so a message is not redelivered while a retried batch is still running.
        visibilityTimeout: Duration.seconds(
          6 * settings.timeout.toSeconds() + (trigger.maxBatchingWindow?.toSeconds() ?? 0),
        ),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: trigger.maxReceiveCount ?? 3 },
      });
      checkovSkip(
        this.sourceQueue,
        'CKV_AWS_27',
        'Encrypted at rest with an SQS-managed key (SqsManagedSseEnabled), so producers need no KMS permission; the DLQ uses the stack key',
      );
    } else {
      // Lambda sends failed asynchronous invocations here (DeadLetterConfig), not a redrive
      // policy, so cdk-nag cannot tell this queue is a DLQ.
      suppress(this.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the DLQ of the function');
    }

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: props.description,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.ARM_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(settings.bootstrapDir, { exclude: ['*', '!bootstrap'] }),
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      environment: {
        ...settings.environment,
        GOMEMLIMIT: goMemLimit(settings.memorySize, settings.goMemLimitRatio),
        LOG_LEVEL: settings.logLevel,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(settings.traceSampleRatio),
        ...tracesEnvironment(settings.traces, Stack.of(this)),
      },
      tracing: settings.tracing,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      role: basics.role,
      logGroup: basics.logGroup,
      // JSON: the functions' lines are JSON objects already, Lambda filters them by level, and
      // its own lines become records too (platform.report carries record.metrics.initDurationMs,
      // which gofn's cold-start check and the saved queries read). System level INFO keeps
      // platform.report; WARN would drop it.
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[settings.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      layers: settings.traces.exporter === 'otel-collector' ? [settings.traces.layer] : undefined,
      // Invocations from an event source mapping are synchronous; their failures go through the
      // queue's redrive policy instead.
      deadLetterQueueEnabled: trigger?.kind !== 'sqs',
      deadLetterQueue: trigger?.kind === 'sqs' ? undefined : this.deadLetterQueue,
      currentVersionOptions: {
        // CloudFormation would delete the previous version on every deploy; keep it so a
        // rollback (gofn's or CodeDeploy's) has somewhere to go.
        removalPolicy: RemovalPolicy.RETAIN,
      },
    });

    for (const [check, reason] of FUNCTION_CHECKOV_SKIPS) checkovSkip(this.function, check, reason);
    if (trigger?.kind === 'sqs') {
      checkovSkip(
        this.function,
        'CKV_AWS_116',
        "An SQS consumer: Lambda invokes it synchronously, and failed messages reach the DLQ through the source queue's redrive policy",
      );
    }

    this.alias = new lambda.Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });
    // Lambda sends failed async invocations to the encrypted DLQ with the function's own role.
    props.encryptionKey.grant(basics.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    if (settings.traces.exporter === 'otlp-xray') {
      // X-Ray's OTLP endpoint authorizes each export as xray:PutSpans, which has no resource type.
      basics.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ExportSpansOverOtlp', actions: ['xray:PutSpans'], resources: ['*'] }),
      );
    }

    this.alarms = this.createAlarms(props.alarmTopic, settings);
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.alias,
      // Named after the alias it moves. Fixed rather than generated because the function's
      // gofn:deployment-group tag names it, and a reference to the generated name would make the
      // function depend on the group, which depends on the function's alarms.
      deploymentGroupName: LIVE_ALIAS,
      deploymentConfig: settings.deploymentConfig,
      alarms: settings.rollbackOn.map((signal) => this.alarms[signal]),
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    suppress(
      this.deploymentGroup.role,
      'AwsSolutions-IAM4',
      "AWSCodeDeployRoleForLambdaLimited is AWS's minimal policy for CodeDeploy's Lambda deployments; a copy would drift",
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited'],
    );

    if (trigger?.kind === 'sqs' && this.sourceQueue) {
      this.alias.addEventSource(
        new SqsEventSource(this.sourceQueue, {
          batchSize: trigger.batchSize ?? 10,
          maxBatchingWindow: trigger.maxBatchingWindow,
          reportBatchItemFailures: true,
          // Polling faster than the function may run turns into throttles, and each throttled
          // batch counts as a receive towards the DLQ. The minimum SQS allows is 2.
          maxConcurrency: settings.reservedConcurrency >= 2 ? Math.min(settings.reservedConcurrency, 1000) : undefined,
        }),
      );
    }
    if (trigger?.kind === 'http') {
      const api = this.createHttpApi(functionName, trigger, settings.logRetention, props.encryptionKey);
      this.httpApi = api.api;
      this.url = api.url;
    }

    for (const { slug, query } of INSIGHTS_QUERIES) {
      new logs.CfnQueryDefinition(this, `Query-${slug}`, {
        name: `gofn/${functionName}/${slug}`,
        queryString: query,
        logGroupNames: [this.logGroup.logGroupName],
      });
    }

    // Ownership tags on everything, for cost allocation and the console; gofn's own tags on the
    // function only, because gofn lists what it manages by tag and must find functions alone.
    const tags = Tags.of(this);
    tags.add(TAG.service, props.service ?? functionName);
    tags.add(TAG.env, props.env);
    tags.add(TAG.owner, props.owner);
    const fnTags = Tags.of(this.function);
    fnTags.add(TAG.managed, 'true');
    fnTags.add(TAG.deploymentGroup, `${this.deploymentGroup.application.applicationName}/${LIVE_ALIAS}`);
    // The fleet overview cannot afford to find each function's DLQ through Lambda and SQS; it
    // reads the depth of the queue this tag names, from the same batched GetMetricData.
    fnTags.add(TAG.deadLetterQueue, this.deadLetterQueue.queueName);
    if (settings.ownersTag !== undefined) fnTags.add(TAG.owners, settings.ownersTag);
    if (props.profileBucket) {
      this.profiling = enableProfiling(this, this.function, functionName, props.profileBucket);
    }
  }

  /** The resources gofn's actions touch, for the bot's least-privilege policy. */
  get ref(): ManagedWorkloadRef {
    return {
      functionArn: this.function.functionArn,
      deadLetterQueueArn: this.deadLetterQueue.queueArn,
      sourceQueueArn: this.sourceQueue?.queueArn,
      deploymentGroupArn: this.deploymentGroup.deploymentGroupArn,
      ...this.profiling,
    };
  }

  private createAlarms(topic: sns.ITopic, s: Settings): GoWorkloadAlarms {
    const fn = this.function;
    const functionName = s.functionName;
    const window = { evaluationPeriods: s.evaluationPeriods, datapointsToAlarm: s.datapointsToAlarm };
    const every = `${s.datapointsToAlarm} of ${s.evaluationPeriods} periods of ${s.period.toHumanString()}`;
    // Invocations through the alias are counted per version under FunctionName + Resource
    // (`<function>:<alias>`) + ExecutedVersion; the version here is the one this deployment
    // publishes, so during a canary these alarms see only the new version's share of traffic.
    const newVersion = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        statistic,
        period: s.period,
        dimensionsMap: {
          FunctionName: fn.functionName,
          Resource: `${fn.functionName}:${LIVE_ALIAS}`,
          ExecutedVersion: fn.currentVersion.version,
        },
      });
    const errorRate = new cloudwatch.MathExpression({
      // IF(condition, a, b) is metric math's per-datapoint choice: below the minimum the
      // period reads 0, so a lone failure of a barely used version is not a 100% error rate.
      expression: `IF(invocations >= ${s.canaryMinInvocations}, 100 * errors / invocations, 0)`,
      usingMetrics: { errors: newVersion('Errors', 'Sum'), invocations: newVersion('Invocations', 'Sum') },
      period: s.period,
      label: `${functionName} error rate of the deployed version (%)`,
    });
    return {
      canaryErrorRate: functionAlarm(this, 'CanaryErrorRateAlarm', {
        functionName,
        signal: 'canary-error-rate',
        topic,
        ...window,
        metric: errorRate,
        threshold: s.canaryErrorRatePercent,
        description: `${functionName}: more than ${s.canaryErrorRatePercent}% of the deployed version's invocations failed (at least ${s.canaryMinInvocations} invocations a period) in ${every}`,
      }),
      canaryP99Duration: functionAlarm(this, 'CanaryP99DurationAlarm', {
        functionName,
        signal: 'canary-p99-duration',
        topic,
        ...window,
        metric: newVersion('Duration', 'p99'),
        threshold: s.p99Duration.toMilliseconds(),
        description: `${functionName}: p99 duration of the deployed version above ${s.p99Duration.toMilliseconds()} ms in ${every}`,
      }),
      errors: functionAlarm(this, 'ErrorsAlarm', {
        functionName,
        signal: 'errors',
        topic,
        ...window,
        metric: fn.metricErrors({ period: s.period, statistic: 'Sum' }),
        threshold: s.errors,
        description: `${functionName}: more than ${s.errors} errors in ${every}`,
      }),
      throttles: functionAlarm(this, 'ThrottlesAlarm', {
        functionName,
        signal: 'throttles',
        topic,
        ...window,
        metric: fn.metricThrottles({ period: s.period, statistic: 'Sum' }),
        threshold: s.throttles,
        description: `${functionName}: more than ${s.throttles} throttles in ${every}`,
      }),
      p99Duration: functionAlarm(this, 'P99DurationAlarm', {
        functionName,
        signal: 'p99-duration',
        topic,
        ...window,
        metric: fn.metricDuration({ period: s.period, statistic: 'p99' }),
        threshold: s.p99Duration.toMilliseconds(),
        description: `${functionName}: p99 duration above ${s.p99Duration.toMilliseconds()} ms in ${every}`,
      }),
      dlqDepth: functionAlarm(this, 'DlqDepthAlarm', {
        functionName,
        signal: 'dlq-depth',
        topic,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // An SQS metric has no FunctionName dimension; the alarm name ties it to the function.
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: s.period,
          statistic: 'Maximum',
        }),
        threshold: s.dlqDepth,
        description: `${functionName}: more than ${s.dlqDepth} messages wait in its DLQ`,
      }),
    };
  }

  private createHttpApi(
    functionName: string,
    trigger: HttpTrigger,
    logRetention: logs.RetentionDays,
    encryptionKey: kms.IKey,
  ): { api: apigw.HttpApi; url: string } {
    const [, method, routePath] = ROUTE_KEY.exec(trigger.routeKey) ?? [];
    const api = new apigw.HttpApi(this, 'HttpApi', {
      apiName: functionName,
      defaultAuthorizer: trigger.authorizer,
      createDefaultStage: false,
    });
    api.addRoutes({
      path: routePath!,
      methods: [method as apigw.HttpMethod],
      // The integration targets the alias, so API traffic follows CodeDeploy's canary. Payload
      // format 2.0: what the Go handler decodes (events.APIGatewayV2HTTPRequest).
      integration: new HttpLambdaIntegration('Live', this.alias, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logRetention,
      encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: trigger.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    if (!trigger.authorizer) {
      suppress(
        api,
        'AwsSolutions-APIG4',
        'Without an authorizer prop the function authenticates requests itself; the sample is public on purpose',
      );
    }
    return { api, url: stage.url };
  }
}

interface Settings {
  functionName: string;
  ownersTag: string | undefined;
  bootstrapDir: string;
  memorySize: number;
  goMemLimitRatio: number;
  timeout: Duration;
  environment: Record<string, string>;
  reservedConcurrency: number;
  tracing: lambda.Tracing;
  traces: WorkloadTraces;
  traceSampleRatio: number;
  logLevel: LogLevel;
  logRetention: logs.RetentionDays;
  deploymentConfig: codedeploy.ILambdaDeploymentConfig;
  period: Duration;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  errors: number;
  throttles: number;
  p99Duration: Duration;
  canaryErrorRatePercent: number;
  canaryMinInvocations: number;
  dlqDepth: number;
  rollbackOn: readonly RollbackSignal[];
}

/** Applies the defaults and rejects values AWS would reject later, mid-deployment. */
function resolveSettings(props: GoWorkloadProps): Settings {
  const fail = (msg: string): never => {
    throw new Error(`GoWorkload ${props.functionName}: ${msg}`);
  };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName)) fail('functionName must be 1-64 of A-Z a-z 0-9 _ -');
  const bootstrap = path.join(props.bootstrapDir, 'bootstrap');
  if (!fs.existsSync(bootstrap)) {
    fail(`no ${bootstrap}; build the Go workloads first (sh workloads/scripts/build.sh)`);
  }
  const memorySize = props.memorySize ?? 256;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) fail('memorySize must be 128-10240 MB');
  const goMemLimitRatio = props.goMemLimitRatio ?? 0.9;
  if (!(goMemLimitRatio > 0 && goMemLimitRatio <= 1)) fail('goMemLimitRatio must be in (0, 1]');
  const timeout = props.timeout ?? Duration.seconds(10);
  if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) fail('timeout must be 1-900 seconds');
  for (const key of Object.keys(props.environment ?? {})) {
    if (key === 'GOMEMLIMIT' || key === 'LOG_LEVEL' || key.startsWith('OTEL_'))
      fail(`${key} is set by the construct (see goMemLimitRatio, logLevel, traces and traceSampleRatio)`);
  }
  if (props.trigger?.kind === 'http' && !ROUTE_KEY.test(props.trigger.routeKey)) {
    fail(`trigger.routeKey ${JSON.stringify(props.trigger.routeKey)} is not a route key like "GET /hello/{id}"`);
  }
  const traceSampleRatio = props.traceSampleRatio ?? 0.05;
  if (!(traceSampleRatio >= 0 && traceSampleRatio <= 1)) fail('traceSampleRatio must be in [0, 1]');
  const reservedConcurrency = props.reservedConcurrency ?? 10;
  if (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1) fail('reservedConcurrency must be >= 1');
  const a = props.alarms ?? {};
  const evaluationPeriods = a.evaluationPeriods ?? 3;
  const datapointsToAlarm = a.datapointsToAlarm ?? 2;
  if (datapointsToAlarm > evaluationPeriods) fail('alarms.datapointsToAlarm must not exceed evaluationPeriods');
  const canaryErrorRatePercent = a.canaryErrorRatePercent ?? 5;
  if (!(canaryErrorRatePercent >= 0 && canaryErrorRatePercent < 100))
    fail('alarms.canaryErrorRatePercent must be in [0, 100)');
  const canaryMinInvocations = a.canaryMinInvocations ?? 5;
  if (!Number.isInteger(canaryMinInvocations) || canaryMinInvocations < 1)
    fail('alarms.canaryMinInvocations must be a whole number >= 1');
  return {
    functionName: props.functionName,
    // No tag rather than an empty one (which some services reject): nobody may act either way.
    ownersTag: props.owners.length > 0 ? ownersTagValue(props.owners) : undefined,
    bootstrapDir: props.bootstrapDir,
    memorySize,
    goMemLimitRatio,
    timeout,
    environment: props.environment ?? {},
    reservedConcurrency,
    tracing: props.tracing ?? lambda.Tracing.ACTIVE,
    traces: props.traces ?? { exporter: 'xray-daemon' },
    traceSampleRatio,
    logLevel: props.logLevel ?? 'INFO',
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    deploymentConfig: props.deploymentConfig ?? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    period: a.period ?? Duration.minutes(1),
    evaluationPeriods,
    datapointsToAlarm,
    errors: a.errors ?? 5,
    throttles: a.throttles ?? 0,
    p99Duration: a.p99Duration ?? Duration.millis(Math.round(timeout.toMilliseconds() * 0.8)),
    canaryErrorRatePercent,
    canaryMinInvocations,
    dlqDepth: a.dlqDepth ?? 0,
    rollbackOn: a.rollbackOn ?? ['canaryErrorRate', 'canaryP99Duration', 'throttles'],
  };
}

/** GOMEMLIMIT for a memory size in MB, e.g. 256 MB at 0.9 → `230MiB`. */
export function goMemLimit(memorySizeMb: number, ratio: number): string {
  return `${Math.floor(memorySizeMb * ratio)}MiB`;
}

/**
 * The source queue: encrypted at rest with an SQS-managed key (producers need no KMS access)
 * and reachable over TLS only. Its DLQ uses the stack's key.
 */
function newQueue(scope: Construct, id: string, props: sqs.QueueProps): sqs.Queue {
  return new sqs.Queue(scope, id, { ...props, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
}

/**
 * The OpenTelemetry exporter settings the Go functions read (internal/telemetry ExporterFromEnv).
 * With the daemon, none: they find AWS_XRAY_DAEMON_ADDRESS, which Lambda sets with active
 * tracing. One path only, so no call is recorded twice.
 */
function tracesEnvironment(traces: WorkloadTraces, stack: Stack): Record<string, string> {
  switch (traces.exporter) {
    case 'xray-daemon':
      return {};
    case 'otlp-xray':
      return {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `https://xray.${stack.region}.${stack.urlSuffix}/v1/traces`,
      };
    case 'otel-collector':
      return { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' };
  }
}
