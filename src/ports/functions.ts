/** Lambda functions, aliases, versions, event sources and the tagging API. */
import type { CallOptions } from './common';

export interface FunctionInfo {
  name: string;
  /** Unqualified function ARN. */
  arn: string;
  region: string;
  accountId: string | undefined;
  /** The alias that was asked for, for example `live`. */
  alias: string;
  /** The version the alias points to (the primary version when routing is weighted). */
  version: string;
  /** LastModified of that version: when it was published. */
  versionModifiedAt: Date | undefined;
  /**
   * Additional version weights of the alias, read with GetAlias: during a canary `version` is the
   * stable version (most traffic) and this maps the canary version to its share, e.g. {"43": 0.1}.
   * Empty when the alias routes everything to `version`, or when it could not be read (then
   * `routingUnavailable` says why).
   */
  routing: Record<string, number>;
  runtime: string | undefined;
  architectures: string[];
  memoryMb: number | undefined;
  timeoutSeconds: number | undefined;
  /** DeadLetterConfig.TargetArn of async invocations (SQS or SNS ARN). */
  deadLetterTargetArn: string | undefined;
  // Logging and tracing, read from the configuration of the aliased version. Reserved
  // concurrency is not here: GetFunction qualified by an alias leaves it out, so it is read
  // apart (getReservedConcurrency).
  /** LoggingConfig.LogGroup, or Lambda's default `/aws/lambda/<name>`. */
  logGroup: string;
  /** LoggingConfig.LogFormat as Lambda reports it (`Text` or `JSON`); undefined when not reported. */
  logFormat: string | undefined;
  /** LoggingConfig.SystemLogLevel (`DEBUG`, `INFO`, `WARN`; JSON format only); undefined when not reported. */
  systemLogLevel: string | undefined;
  /** TracingConfig.Mode: `Active` or `PassThrough`; undefined when not reported. */
  tracingMode: string | undefined;
  tags: Record<string, string>;

  // Who may move the alias (recent-deploy step, rollback). Undefined means "read fine"; a reason
  // means the data is unknown, which never counts as "no CodeDeploy deployment owns the alias".
  /** Why GetAlias failed, so `routing` is unknown rather than empty. */
  routingUnavailable?: string | undefined;
  /** Why the tags could not be read (GetFunction's TagsError, ListTags denied), so `tags` is unknown rather than empty. */
  tagsUnavailable?: string | undefined;
}

export interface EventSourceInfo {
  uuid: string;
  sourceArn: string;
  /** Service of the source ARN: `sqs`, `kinesis`, `dynamodb`, `kafka` or `other`. */
  service: string;
  state: string;
  /**
   * The alias or version the mapping invokes (its FunctionArn's qualifier), undefined when it
   * invokes the unqualified function.
   */
  qualifier: string | undefined;
}

/** Which event-source mappings to list: those of the function and of each of its qualifiers. */
export interface EventSourceQuery {
  functionName: string;
  /** Unqualified function ARN; the qualified ARNs mappings bound to an alias or version carry are built from it. */
  functionArn: string;
  /** Aliases and versions whose mappings count too, e.g. the alias and the versions it routes to. */
  qualifiers: readonly string[];
}

export interface AccountConcurrency {
  /** ConcurrentExecutions limit of the account in the region. */
  limit: number;
  /** UnreservedConcurrentExecutions: what functions without reserved concurrency share. */
  unreserved: number;
}

export interface FunctionVersionInfo {
  version: string;
  modifiedAt: Date | undefined;
  description: string | undefined;
}

export interface ManagedFunctionRef {
  name: string;
  arn: string;
  tags: Record<string, string>;
}

export interface FunctionsPort {
  /** The function as seen through `alias`. NotFound when the function or alias is missing. */
  getFunction(name: string, alias: string, opts?: CallOptions): Promise<FunctionInfo>;
  /** All function names in the region, for "did you mean" suggestions. */
  listFunctionNames(opts?: CallOptions): Promise<string[]>;
  /**
   * Event-source mappings bound to the function, or to one of `query.qualifiers`, each once.
   * A mapping may invoke an alias or a version rather than the function, and Lambda lists a
   * mapping under the name it was bound to, so every qualifier is asked about.
   */
  listEventSources(query: EventSourceQuery, opts?: CallOptions): Promise<EventSourceInfo[]>;
  /**
   * The OnFailure destination of async invocations for the alias, if any (EventInvokeConfig):
   * an SQS queue, SNS topic, EventBridge bus, S3 bucket or Lambda function ARN.
   */
  getAsyncFailureDestination(functionName: string, alias: string, opts?: CallOptions): Promise<string | undefined>;
  getAccountConcurrency(opts?: CallOptions): Promise<AccountConcurrency>;
  /**
   * ReservedConcurrentExecutions of the function (GetFunctionConcurrency), undefined when Lambda
   * says none is set. A failure rejects: "could not read" is never "none".
   */
  getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined>;
  /** Published versions, newest first (without $LATEST). */
  listVersions(functionName: string, opts?: CallOptions): Promise<FunctionVersionInfo[]>;
  /**
   * Functions tagged `gofn:managed=true`, one page at a time, as the tagging API returns them,
   * so a large fleet can be processed while it is still being listed.
   */
  managedFunctionPages(opts?: CallOptions): AsyncIterable<ManagedFunctionRef[]>;
}
