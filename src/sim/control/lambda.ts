import { ErrorCode, GofnError, isGofnError } from '../../errors';
import type { AliasState, CallOptions, LambdaControlPort, MappingChange, MappingState } from '../../ports';
import type { SimulatedFleet } from '../fleet';
import { randomUuid, seededRandom } from '../random';
import { faultOf } from '../sources/requests';
import type { RequestSimulator } from '../sources/requests';

/** LambdaControlPort over the simulated fleet: alias moves, reserved concurrency, async invokes. */
export class SimulatedLambdaControl implements LambdaControlPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getAlias(functionName: string, alias: string, opts?: CallOptions): Promise<AliasState> {
    await this.send('GetAlias', functionName, opts);
    return this.aliasState(functionName, alias);
  }

  async updateAlias(
    functionName: string,
    alias: string,
    version: string,
    expectedRevisionId: string | undefined,
    opts?: CallOptions,
  ): Promise<AliasState> {
    await this.send('UpdateAlias', functionName, opts);
    const current = this.aliasState(functionName, alias);
    if (expectedRevisionId !== undefined && expectedRevisionId !== current.revisionId) {
      throw new GofnError(
        ErrorCode.Conflict,
        `The alias changed since you looked: ${alias} of ${functionName} was modified by someone else.`,
      );
    }
    this.fleet.setAlias(functionName, alias, version);
    return this.aliasState(functionName, alias);
  }

  async getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined> {
    await this.send('GetFunctionConcurrency', functionName, opts);
    return this.fleet.requireFunction(functionName).reservedConcurrency;
  }

  async putReservedConcurrency(functionName: string, value: number, opts?: CallOptions): Promise<number> {
    await this.send('PutFunctionConcurrency', functionName, opts);
    try {
      this.fleet.setReservedConcurrency(functionName, value);
    } catch (error) {
      // Lambda answers InvalidParameterValueException, which the AWS adapter reports as Upstream.
      if (isGofnError(error, ErrorCode.Conflict) || isGofnError(error, ErrorCode.InvalidInput)) {
        throw new GofnError(
          ErrorCode.Upstream,
          `Lambda PutFunctionConcurrency on ${functionName} failed: ${error.message}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    return value;
  }

  async deleteReservedConcurrency(functionName: string, opts?: CallOptions): Promise<void> {
    await this.send('DeleteFunctionConcurrency', functionName, opts);
    this.fleet.setReservedConcurrency(functionName, undefined);
  }

  async getEventSourceMapping(uuid: string, opts?: CallOptions): Promise<MappingState> {
    const fn = this.findMappingFunction(uuid);
    await this.requests.send(
      'Lambda',
      'GetEventSourceMapping',
      opts,
      fn && faultOf(fn, 'functions', `mapping ${uuid}`),
    );
    return mappingState(this.fleet, uuid);
  }

  async updateEventSourceMapping(uuid: string, change: MappingChange, opts?: CallOptions): Promise<MappingState> {
    const fn = this.findMappingFunction(uuid);
    await this.requests.send(
      'Lambda',
      'UpdateEventSourceMapping',
      opts,
      fn && faultOf(fn, 'functions', `mapping ${uuid}`),
    );
    try {
      this.fleet.updateMapping(uuid, change);
    } catch (error) {
      // Lambda answers InvalidParameterValueException, which the AWS adapter reports as Upstream.
      if (isGofnError(error, ErrorCode.InvalidInput)) {
        throw new GofnError(ErrorCode.Upstream, `Lambda UpdateEventSourceMapping on ${uuid} failed: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
    return mappingState(this.fleet, uuid);
  }

  private findMappingFunction(uuid: string) {
    try {
      return this.fleet.requireMapping(uuid).fn;
    } catch {
      return undefined;
    }
  }

  async invokeAsync(functionName: string, qualifier: string, payload: string, opts?: CallOptions): Promise<void> {
    await this.send('Invoke', functionName, opts);
    this.aliasState(functionName, qualifier);
    this.fleet.recordAsyncInvocation({ functionName, qualifier, payload });
  }

  private send(operation: string, functionName: string, opts: CallOptions | undefined): Promise<void> {
    const fault = faultOf(this.fleet.findFunction(functionName), 'functions', `function ${functionName}`);
    return this.requests.send('Lambda', operation, opts, fault);
  }

  private aliasState(functionName: string, aliasName: string): AliasState {
    const fn = this.fleet.requireFunction(functionName);
    const alias = fn.aliases.get(aliasName);
    if (!alias) throw new GofnError(ErrorCode.NotFound, `Function ${functionName} has no alias "${aliasName}".`);
    return {
      functionName,
      alias: alias.name,
      version: alias.version,
      routing: { ...alias.routing },
      // Lambda's RevisionId is a UUID that changes with every update.
      revisionId: randomUuid(seededRandom(functionName, aliasName, 'revision', alias.revision)),
    };
  }
}

function mappingState(fleet: SimulatedFleet, uuid: string): MappingState {
  const { fn, mapping } = fleet.requireMapping(uuid);
  return {
    uuid,
    sourceArn: mapping.queueArn,
    state: mapping.state,
    stateTransitionReason: mapping.stateTransitionReason,
    maximumConcurrency: mapping.maximumConcurrency,
    functionArn: mapping.qualifier ? `${fn.arn}:${mapping.qualifier}` : fn.arn,
  };
}
