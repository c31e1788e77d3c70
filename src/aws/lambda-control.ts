import {
  DeleteFunctionConcurrencyCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  UpdateAliasCommand,
  type AliasConfiguration,
} from '@aws-sdk/client-lambda';
import { ErrorCode, GofnError } from '../errors';
import type { AliasState, CallOptions, LambdaControlPort, MappingChange, MappingState } from '../ports';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';
import { readReservedConcurrency } from './lambda-reserved-concurrency';

/** Lambda answers 202 Accepted once an `Event` invocation is queued; anything else was not. */
const eventAccepted = 202;

/**
 * LambdaControlPort over the Lambda API: the alias moves, concurrency changes and async invokes
 * the actions make. Each method is one request; reading back to verify is the action's job.
 */
export class LambdaControl implements LambdaControlPort {
  constructor(private readonly clients: AwsClients) {}

  async getAlias(functionName: string, alias: string, opts?: CallOptions): Promise<AliasState> {
    const out = await this.call(
      { service: 'Lambda', operation: 'GetAlias', subject: `function ${functionName}:${alias}` },
      opts,
      (abortSignal) =>
        this.clients.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }), { abortSignal }),
    );
    return toAliasState(functionName, alias, out);
  }

  async updateAlias(
    functionName: string,
    alias: string,
    version: string,
    expectedRevisionId: string | undefined,
    opts?: CallOptions,
  ): Promise<AliasState> {
    try {
      const out = await this.call(
        { service: 'Lambda', operation: 'UpdateAlias', subject: `function ${functionName}:${alias}` },
        opts,
        (abortSignal) =>
          this.clients.lambda.send(
            new UpdateAliasCommand({
              FunctionName: functionName,
              Name: alias,
              FunctionVersion: version,
              // An empty weight map removes the canary's routing; leaving RoutingConfig out keeps it.
              RoutingConfig: { AdditionalVersionWeights: {} },
              RevisionId: expectedRevisionId,
            }),
            { abortSignal },
          ),
      );
      return toAliasState(functionName, alias, out);
    } catch (error) {
      // Lambda's answer (HTTP 412) to a RevisionId that no longer matches.
      if (awsErrorName(error) === 'PreconditionFailedException') {
        throw new GofnError(
          ErrorCode.Conflict,
          `The alias changed since you looked: ${alias} of ${functionName} was modified by someone else.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined> {
    return readReservedConcurrency(this.clients, functionName, opts);
  }

  async putReservedConcurrency(functionName: string, value: number, opts?: CallOptions): Promise<number> {
    const out = await this.call(
      { service: 'Lambda', operation: 'PutFunctionConcurrency', subject: `function ${functionName}` },
      opts,
      (abortSignal) =>
        this.clients.lambda.send(
          new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: value }),
          { abortSignal },
        ),
    );
    return out.ReservedConcurrentExecutions ?? value;
  }

  async deleteReservedConcurrency(functionName: string, opts?: CallOptions): Promise<void> {
    await this.call(
      { service: 'Lambda', operation: 'DeleteFunctionConcurrency', subject: `function ${functionName}` },
      opts,
      (abortSignal) =>
        this.clients.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }), { abortSignal }),
    );
  }

  async getEventSourceMapping(uuid: string, opts?: CallOptions): Promise<MappingState> {
    const out = await this.call(
      { service: 'Lambda', operation: 'GetEventSourceMapping', subject: `event-source mapping ${uuid}` },
      opts,
      (abortSignal) => this.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }), { abortSignal }),
    );
    return toMappingState(uuid, out);
  }

  async updateEventSourceMapping(uuid: string, change: MappingChange, opts?: CallOptions): Promise<MappingState> {
    const out = await this.call(
      { service: 'Lambda', operation: 'UpdateEventSourceMapping', subject: `event-source mapping ${uuid}` },
      opts,
      (abortSignal) =>
        this.clients.lambda.send(
          new UpdateEventSourceMappingCommand({
            UUID: uuid,
            ...(change.enabled !== undefined ? { Enabled: change.enabled } : {}),
            // An empty ScalingConfig removes the cap (UpdateEventSourceMapping, ScalingConfig).
            ...(change.maximumConcurrency !== undefined
              ? {
                  ScalingConfig:
                    change.maximumConcurrency === null ? {} : { MaximumConcurrency: change.maximumConcurrency },
                }
              : {}),
          }),
          { abortSignal },
        ),
    );
    return toMappingState(uuid, out);
  }

  async invokeAsync(functionName: string, qualifier: string, payload: string, opts?: CallOptions): Promise<void> {
    const subject = `function ${functionName}:${qualifier}`;
    const out = await this.call({ service: 'Lambda', operation: 'Invoke', subject }, opts, (abortSignal) =>
      this.clients.lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          Qualifier: qualifier,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(payload),
        }),
        { abortSignal },
      ),
    );
    if (out.StatusCode !== eventAccepted) {
      throw new GofnError(
        ErrorCode.Upstream,
        `Lambda Invoke for ${subject} was not accepted (status ${out.StatusCode ?? 'missing'}, expected ${eventAccepted}).`,
      );
    }
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

function toAliasState(functionName: string, alias: string, config: AliasConfiguration): AliasState {
  return {
    functionName,
    alias: config.Name ?? alias,
    version: config.FunctionVersion ?? '',
    routing: { ...(config.RoutingConfig?.AdditionalVersionWeights ?? {}) },
    revisionId: config.RevisionId,
  };
}

function toMappingState(uuid: string, out: EventSourceMappingConfiguration): MappingState {
  return {
    uuid: out.UUID ?? uuid,
    sourceArn: out.EventSourceArn ?? '',
    state: out.State ?? 'Unknown',
    stateTransitionReason: out.StateTransitionReason || undefined,
    maximumConcurrency: out.ScalingConfig?.MaximumConcurrency,
    functionArn: out.FunctionArn,
  };
}
