import {
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  type TagsError,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { describeError, ErrorCode, GofnError, isGofnError } from '../errors';
import type {
  AccountConcurrency,
  CallOptions,
  EventSourceInfo,
  EventSourceQuery,
  FunctionInfo,
  FunctionsPort,
  FunctionVersionInfo,
  GoMemLimit,
  ManagedFunctionRef,
} from '../ports';
import { parseGoMemLimit } from '../go-mem-limit';
import { eventSourceService, functionNameFromArn, functionQualifierFromArn, parseArn } from './arn';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { readReservedConcurrency } from './lambda-reserved-concurrency';

/** The tag that puts a function in gofn's fleet. */
export const managedTag = { key: 'gofn:managed', value: 'true' } as const;

/** Pagination guard: a listing that never ends is a bug upstream, not a reason to hang. */
const maxPages = 50;
/**
 * The same guard for the fleet listing, whose pages hold 100 functions: 50 pages would silently
 * cut a fleet off at 5,000 functions. 1,000 pages is 100,000 functions.
 */
const maxTagPages = 1000;

/**
 * FunctionsPort over the Lambda API and the Resource Groups Tagging API.
 *
 * getFunction sends two requests at once: GetFunction qualified by the alias (configuration of the
 * version the alias points to, tags) and GetAlias, the only answer that carries the alias's
 * RoutingConfig, which is how a canary in progress shows. When GetFunction withholds the tags
 * (TagsError: Lambda returns them only to callers explicitly allowed lambda:ListTags) it asks
 * ListTags once; without tags, CodeDeploy ownership is unknown. Qualified, GetFunction leaves out
 * `Concurrency` too (reserved concurrency belongs to the function, not a version):
 * getReservedConcurrency reads it with GetFunctionConcurrency.
 */
export class LambdaFunctions implements FunctionsPort {
  constructor(private readonly clients: AwsClients) {}

  async getFunction(name: string, alias: string, opts?: CallOptions): Promise<FunctionInfo> {
    const subject = `function ${name}:${alias}`;
    const [fn, aliasRead] = await Promise.all([
      this.call({ service: 'Lambda', operation: 'GetFunction', subject }, opts, (abortSignal) =>
        this.clients.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: alias }), { abortSignal }),
      ),
      // $LATEST is no alias: there is no routing to read.
      alias === '$LATEST'
        ? Promise.resolve<{ routing: Record<string, number>; unavailable?: string }>({ routing: {} })
        : this.readRouting(name, alias, opts),
    ]);
    const config = fn.Configuration ?? {};
    const arn = unqualifiedArn(config.FunctionArn) ?? name;
    const parsed = parseArn(arn);
    const tags = fn.TagsError ? await this.readTags(arn, fn.TagsError, opts) : { tags: { ...(fn.Tags ?? {}) } };
    return {
      name: config.FunctionName ?? name,
      arn,
      region: parsed?.region ?? '',
      accountId: parsed?.accountId || undefined,
      alias,
      version: config.Version ?? '',
      versionModifiedAt: parseLambdaDate(config.LastModified),
      routing: aliasRead.routing,
      runtime: config.Runtime,
      architectures: config.Architectures ?? ['x86_64'],
      memoryMb: config.MemorySize,
      timeoutSeconds: config.Timeout,
      deadLetterTargetArn: config.DeadLetterConfig?.TargetArn || undefined,
      ...observability(config, name),
      tags: tags.tags,
      goMemLimit: goMemLimitOf(config),
      ...(aliasRead.unavailable ? { routingUnavailable: aliasRead.unavailable } : {}),
      ...(tags.unavailable ? { tagsUnavailable: tags.unavailable } : {}),
    };
  }

  getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined> {
    return readReservedConcurrency(this.clients, functionName, opts);
  }

  /**
   * The alias's additional version weights. A missing alias fails GetFunction too, with the
   * sentence the caller expects; any other failure leaves the weights unknown, not the diagnosis.
   */
  private async readRouting(
    name: string,
    alias: string,
    opts: CallOptions | undefined,
  ): Promise<{ routing: Record<string, number>; unavailable?: string }> {
    try {
      const out = await this.call(
        { service: 'Lambda', operation: 'GetAlias', subject: `function ${name}:${alias}` },
        opts,
        (abortSignal) =>
          this.clients.lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }), { abortSignal }),
      );
      return { routing: { ...(out.RoutingConfig?.AdditionalVersionWeights ?? {}) } };
    } catch (error) {
      if (isGofnError(error, ErrorCode.Timeout)) throw error;
      return { routing: {}, unavailable: describeError(error) };
    }
  }

  /** ListTags after GetFunction reported a TagsError; if that is refused too, the tags are unknown. */
  private async readTags(
    arn: string,
    tagsError: TagsError,
    opts: CallOptions | undefined,
  ): Promise<{ tags: Record<string, string>; unavailable?: string }> {
    try {
      const out = await this.call(
        { service: 'Lambda', operation: 'ListTags', subject: `function ${functionNameFromArn(arn) ?? arn}` },
        opts,
        (abortSignal) => this.clients.lambda.send(new ListTagsCommand({ Resource: arn }), { abortSignal }),
      );
      return { tags: { ...(out.Tags ?? {}) } };
    } catch (error) {
      if (isGofnError(error, ErrorCode.Timeout)) throw error;
      const why = [tagsError.ErrorCode, tagsError.Message].filter(Boolean).join(': ');
      return { tags: {}, unavailable: `${describeError(error)} (GetFunction: ${why || 'no tags'})` };
    }
  }

  async listFunctionNames(opts?: CallOptions): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await this.call({ service: 'Lambda', operation: 'ListFunctions' }, opts, (abortSignal) =>
        this.clients.lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 50 }), { abortSignal }),
      );
      for (const fn of out.Functions ?? []) if (fn.FunctionName) names.push(fn.FunctionName);
      marker = out.NextMarker;
      if (!marker) break;
    }
    return names.sort();
  }

  async listEventSources(query: EventSourceQuery, opts?: CallOptions): Promise<EventSourceInfo[]> {
    // Lambda files a mapping under the function name it was created with: a mapping bound to the
    // alias (as the managed workloads bind theirs) is asked for by the alias ARN. The queries run
    // together; a mapping that several of them return is kept once.
    const names = [
      query.functionName,
      ...[...new Set(query.qualifiers)].map((qualifier) => `${query.functionArn}:${qualifier}`),
    ];
    const listed = await Promise.all(names.map((name) => this.listEventSourcesOf(name, opts)));
    const byUuid = new Map<string, EventSourceInfo>();
    for (const source of listed.flat()) if (!byUuid.has(source.uuid)) byUuid.set(source.uuid, source);
    return [...byUuid.values()];
  }

  private async listEventSourcesOf(functionName: string, opts?: CallOptions): Promise<EventSourceInfo[]> {
    const sources: EventSourceInfo[] = [];
    let marker: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await this.call(
        { service: 'Lambda', operation: 'ListEventSourceMappings', subject: `function ${functionName}` },
        opts,
        (abortSignal) =>
          this.clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker }), {
            abortSignal,
          }),
      );
      for (const mapping of out.EventSourceMappings ?? []) sources.push(toEventSource(mapping));
      marker = out.NextMarker;
      if (!marker) break;
    }
    return sources;
  }

  async getAsyncFailureDestination(
    functionName: string,
    alias: string,
    opts?: CallOptions,
  ): Promise<string | undefined> {
    try {
      const out = await this.call(
        { service: 'Lambda', operation: 'GetFunctionEventInvokeConfig', subject: `function ${functionName}:${alias}` },
        opts,
        (abortSignal) =>
          this.clients.lambda.send(
            new GetFunctionEventInvokeConfigCommand({ FunctionName: functionName, Qualifier: alias }),
            { abortSignal },
          ),
      );
      return out.DestinationConfig?.OnFailure?.Destination || undefined;
    } catch (error) {
      // Lambda answers ResourceNotFoundException when the alias has no EventInvokeConfig at all.
      if (isGofnError(error, ErrorCode.NotFound)) return undefined;
      throw error;
    }
  }

  async getAccountConcurrency(opts?: CallOptions): Promise<AccountConcurrency> {
    const out = await this.call({ service: 'Lambda', operation: 'GetAccountSettings' }, opts, (abortSignal) =>
      this.clients.lambda.send(new GetAccountSettingsCommand({}), { abortSignal }),
    );
    const limit = out.AccountLimit?.ConcurrentExecutions;
    const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
    if (limit === undefined || unreserved === undefined) {
      throw new GofnError(ErrorCode.Upstream, 'Lambda GetAccountSettings returned no concurrency limits.');
    }
    return { limit, unreserved };
  }

  async listAliases(functionName: string, opts?: CallOptions): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await this.call(
        { service: 'Lambda', operation: 'ListAliases', subject: `function ${functionName}` },
        opts,
        (abortSignal) =>
          this.clients.lambda.send(
            new ListAliasesCommand({ FunctionName: functionName, Marker: marker, MaxItems: 50 }),
            {
              abortSignal,
            },
          ),
      );
      for (const alias of out.Aliases ?? []) if (alias.Name) names.push(alias.Name);
      marker = out.NextMarker;
      if (!marker) break;
    }
    return names.sort();
  }

  async listVersions(functionName: string, opts?: CallOptions): Promise<FunctionVersionInfo[]> {
    const versions: FunctionVersionInfo[] = [];
    let marker: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await this.call(
        { service: 'Lambda', operation: 'ListVersionsByFunction', subject: `function ${functionName}` },
        opts,
        (abortSignal) =>
          this.clients.lambda.send(
            new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker, MaxItems: 50 }),
            { abortSignal },
          ),
      );
      for (const config of out.Versions ?? []) {
        if (config.Version && config.Version !== '$LATEST') versions.push(toVersion(config));
      }
      marker = out.NextMarker;
      if (!marker) break;
    }
    return versions.sort((a, b) => Number(b.version) - Number(a.version));
  }

  async *managedFunctionPages(opts?: CallOptions): AsyncIterable<ManagedFunctionRef[]> {
    let token: string | undefined;
    for (let page = 0; page < maxTagPages; page++) {
      const out = await this.call(
        {
          service: 'ResourceGroupsTaggingAPI',
          operation: 'GetResources',
          subject: 'functions tagged gofn:managed=true',
        },
        opts,
        (abortSignal) =>
          this.clients.tagging.send(
            new GetResourcesCommand({
              TagFilters: [{ Key: managedTag.key, Values: [managedTag.value] }],
              ResourceTypeFilters: ['lambda:function'],
              ResourcesPerPage: 100,
              PaginationToken: token,
            }),
            { abortSignal },
          ),
      );
      const refs: ManagedFunctionRef[] = [];
      for (const mapping of out.ResourceTagMappingList ?? []) {
        const name = mapping.ResourceARN ? functionNameFromArn(mapping.ResourceARN) : undefined;
        if (!name || !mapping.ResourceARN) continue;
        const tags = Object.fromEntries((mapping.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
        refs.push({ name, arn: mapping.ResourceARN, tags });
      }
      if (refs.length > 0) yield refs;
      // The tagging API marks the last page with an empty string, not a missing token.
      token = out.PaginationToken || undefined;
      if (!token) break;
    }
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

/**
 * Where the function logs and how it is traced: LoggingConfig (log group, format, system log
 * level) and TracingConfig. Lambda reports both for every function; a source that leaves them
 * out gets Lambda's defaults for the log group and `undefined` for the rest, which the checks
 * read as "not known" rather than as a default.
 */
function observability(
  config: FunctionConfiguration,
  name: string,
): Pick<FunctionInfo, 'logGroup' | 'logFormat' | 'systemLogLevel' | 'tracingMode'> {
  return {
    logGroup: config.LoggingConfig?.LogGroup || `/aws/lambda/${config.FunctionName ?? name}`,
    logFormat: config.LoggingConfig?.LogFormat || undefined,
    systemLogLevel: config.LoggingConfig?.SystemLogLevel || undefined,
    tracingMode: config.TracingConfig?.Mode || undefined,
  };
}

function toEventSource(mapping: EventSourceMappingConfiguration): EventSourceInfo {
  const selfManagedKafka = mapping.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS;
  return {
    uuid: mapping.UUID ?? '',
    sourceArn: mapping.EventSourceArn ?? '',
    service: selfManagedKafka ? 'kafka' : eventSourceService(mapping.EventSourceArn),
    state: mapping.State ?? 'Unknown',
    qualifier: functionQualifierFromArn(mapping.FunctionArn),
    stateTransitionReason: mapping.StateTransitionReason || undefined,
    lastProcessingResult: mapping.LastProcessingResult || undefined,
    maximumConcurrency: mapping.ScalingConfig?.MaximumConcurrency,
    batchSize: mapping.BatchSize,
  };
}

/**
 * GOMEMLIMIT of the version's environment, parsed on the spot: the other variables, and the
 * value's text, are never kept. Lambda returns Environment.Error instead of the variables when it
 * could not decrypt them (a customer-managed KMS key the caller may not use).
 */
function goMemLimitOf(config: FunctionConfiguration): GoMemLimit {
  const environment = config.Environment;
  if (environment?.Error) {
    const why = [environment.Error.ErrorCode, environment.Error.Message].filter(Boolean).join(': ');
    return { state: 'unreadable', reason: `Lambda could not return the environment (${why || 'no reason given'})` };
  }
  return parseGoMemLimit(environment?.Variables?.GOMEMLIMIT);
}

function toVersion(config: FunctionConfiguration): FunctionVersionInfo {
  return {
    version: config.Version ?? '',
    modifiedAt: parseLambdaDate(config.LastModified),
    description: config.Description || undefined,
  };
}

/** `arn:...:function:orders-api:7` → `arn:...:function:orders-api`. */
function unqualifiedArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}

/** Lambda writes `2024-05-01T12:00:00.000+0000`; the emulator adds nanoseconds. */
export function parseLambdaDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
