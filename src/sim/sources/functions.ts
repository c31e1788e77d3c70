import { ErrorCode, GofnError } from '../../errors';
import type {
  AccountConcurrency,
  CallOptions,
  EventSourceInfo,
  EventSourceQuery,
  FunctionInfo,
  FunctionsPort,
  FunctionVersionInfo,
  ManagedFunctionRef,
} from '../../ports';
import type { SimulatedAlias, SimulatedFleet, SimulatedFunction } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** Lambda's pages: ListFunctions and ListVersionsByFunction return 50 items, GetResources 100. */
const LAMBDA_PAGE_SIZE = 50;
const TAGGING_PAGE_SIZE = 100;

export class SimulatedFunctions implements FunctionsPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getFunction(name: string, alias: string, opts?: CallOptions): Promise<FunctionInfo> {
    // GetFunction qualified by the alias and GetAlias for its weights, at once, as the AWS adapter sends them.
    const fault = faultOf(this.fleet.findFunction(name), 'functions', `function ${name}:${alias}`);
    await Promise.all([
      this.requests.send('Lambda', 'GetFunction', opts, fault),
      this.requests.send('Lambda', 'GetAlias', opts, fault),
    ]);
    const found = this.fleet.requireFunction(name);
    const target = this.requireAlias(found, alias);
    const version = found.versions.find((v) => v.version === target.version);
    return {
      name: found.name,
      arn: found.arn,
      region: this.fleet.region,
      accountId: this.fleet.accountId,
      alias,
      version: target.version,
      versionModifiedAt: version ? new Date(version.publishedAt.getTime()) : undefined,
      routing: { ...target.routing },
      runtime: found.runtime,
      architectures: [found.architecture],
      memoryMb: found.memoryMb,
      timeoutSeconds: found.timeoutSeconds,
      deadLetterTargetArn: found.deadLetterArn,
      logGroup: found.logGroup,
      logFormat: found.logFormat,
      systemLogLevel: found.systemLogLevel,
      tracingMode: found.tracingMode,
      tags: { ...found.tags },
    };
  }

  /** GetFunctionConcurrency: the reservation, or undefined when the function has none. */
  async getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined> {
    const fn = this.fleet.findFunction(functionName);
    await this.requests.send(
      'Lambda',
      'GetFunctionConcurrency',
      opts,
      faultOf(fn, 'functions', `function ${functionName}`),
    );
    return this.fleet.requireFunction(functionName).reservedConcurrency;
  }

  async listFunctionNames(opts?: CallOptions): Promise<string[]> {
    const names = this.fleet.functionNames();
    await this.sendPages('Lambda', 'ListFunctions', names.length, LAMBDA_PAGE_SIZE, opts);
    return names;
  }

  async listEventSources(query: EventSourceQuery, opts?: CallOptions): Promise<EventSourceInfo[]> {
    // One ListEventSourceMappings per name asked about, as the AWS adapter sends them; each answers
    // the mappings bound to exactly that name, the function's or a qualified one.
    const fn = this.fleet.findFunction(query.functionName);
    const qualifiers = [undefined, ...new Set(query.qualifiers)];
    await Promise.all(
      qualifiers.map((qualifier) =>
        this.requests.send(
          'Lambda',
          'ListEventSourceMappings',
          opts,
          faultOf(fn, 'functions', `function ${query.functionName}${qualifier ? `:${qualifier}` : ''}`),
        ),
      ),
    );
    return this.fleet
      .requireFunction(query.functionName)
      .eventSources.filter((source) => qualifiers.includes(source.qualifier))
      .map((source) => ({
        uuid: source.uuid,
        sourceArn: source.queueArn,
        service: 'sqs',
        state: source.state,
        qualifier: source.qualifier,
      }));
  }

  async getAsyncFailureDestination(
    functionName: string,
    alias: string,
    opts?: CallOptions,
  ): Promise<string | undefined> {
    const fn = this.fleet.findFunction(functionName);
    await this.requests.send(
      'Lambda',
      'GetFunctionEventInvokeConfig',
      opts,
      faultOf(fn, 'functions', `function ${functionName}`),
    );
    const found = this.fleet.requireFunction(functionName);
    // Lambda answers an alias without EventInvokeConfig with NotFound, which means "none".
    return found.aliases.has(alias) ? found.onFailureArn : undefined;
  }

  async getAccountConcurrency(opts?: CallOptions): Promise<AccountConcurrency> {
    await this.requests.send('Lambda', 'GetAccountSettings', opts);
    return { limit: this.fleet.accountConcurrencyLimit, unreserved: this.fleet.unreservedConcurrency() };
  }

  async listVersions(functionName: string, opts?: CallOptions): Promise<FunctionVersionInfo[]> {
    const fn = this.fleet.findFunction(functionName);
    const pages = Math.ceil(((fn?.versions.length ?? 0) + 1) / LAMBDA_PAGE_SIZE); // $LATEST is listed too
    const fault = faultOf(fn, 'functions', `function ${functionName}`);
    for (let page = 0; page < pages; page++) await this.requests.send('Lambda', 'ListVersionsByFunction', opts, fault);
    return this.fleet
      .requireFunction(functionName)
      .versions.map((v) => ({
        version: v.version,
        modifiedAt: new Date(v.publishedAt.getTime()),
        description: v.description,
      }))
      .reverse();
  }

  async *managedFunctionPages(opts?: CallOptions): AsyncIterable<ManagedFunctionRef[]> {
    const managed = this.fleet
      .functionNames()
      .map((name) => this.fleet.requireFunction(name))
      .filter((fn) => fn.tags['gofn:managed'] === 'true')
      .map((fn) => ({ name: fn.name, arn: fn.arn, tags: { ...fn.tags } }));
    // Nothing tagged is still one request, answered with an empty page that is not passed on.
    for (let offset = 0; offset === 0 || offset < managed.length; offset += TAGGING_PAGE_SIZE) {
      await this.requests.send('ResourceGroupsTaggingAPI', 'GetResources', opts);
      const page = managed.slice(offset, offset + TAGGING_PAGE_SIZE);
      if (page.length > 0) yield page;
    }
  }

  private requireAlias(fn: SimulatedFunction, aliasName: string): SimulatedAlias {
    const alias = fn.aliases.get(aliasName);
    if (alias) return alias;
    const known = [...fn.aliases.keys()].sort().join(', ');
    throw new GofnError(ErrorCode.NotFound, `Function ${fn.name} has no alias "${aliasName}" (its aliases: ${known}).`);
  }

  private async sendPages(service: string, operation: string, items: number, pageSize: number, opts?: CallOptions) {
    const pages = Math.max(1, Math.ceil(items / pageSize));
    for (let page = 0; page < pages; page++) await this.requests.send(service, operation, opts);
  }
}
