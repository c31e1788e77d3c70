import {
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import type { CallOptions, FunctionCostConfig, ProvisionedConfig } from '../ports';
import { functionQualifierFromArn } from './arn';
import { callAws } from './call';
import type { AwsClients } from './clients';

/** Pagination guard: 2,000 pages of 50 is 100,000 functions. */
const maxPages = 2000;

/**
 * Every function's configuration ($LATEST), 50 a page (ListFunctions' most): the memory size,
 * architecture, log group and tracing mode a cost depends on, without a request per function.
 */
export async function* listFunctionConfigs(
  clients: AwsClients,
  opts?: CallOptions,
): AsyncIterable<FunctionCostConfig[]> {
  let marker: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await callAws(
      { service: 'Lambda', operation: 'ListFunctions', subject: 'the functions of the region' },
      opts,
      clients.settings.callTimeoutMs,
      (abortSignal) => clients.lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 50 }), { abortSignal }),
    );
    yield (out.Functions ?? []).flatMap((fn) => {
      const config = costConfigOf(fn);
      return config ? [config] : [];
    });
    marker = out.NextMarker;
    if (!marker) return;
  }
}

export function costConfigOf(fn: FunctionConfiguration): FunctionCostConfig | undefined {
  if (!fn.FunctionName || !fn.FunctionArn) return undefined;
  return {
    name: fn.FunctionName,
    arn: fn.FunctionArn,
    // Lambda's default when the list is absent (functions created before Graviton) is x86_64.
    architecture: fn.Architectures?.includes('arm64') ? 'arm64' : 'x86_64',
    memoryMb: fn.MemorySize ?? 128,
    timeoutSeconds: fn.Timeout ?? 3,
    logGroup: fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${fn.FunctionName}`,
    tracingMode: fn.TracingConfig?.Mode,
  };
}

/** ListProvisionedConcurrencyConfigs: every alias or version of the function with provisioned concurrency. */
export async function listProvisionedConcurrency(
  clients: AwsClients,
  functionName: string,
  opts?: CallOptions,
): Promise<ProvisionedConfig[]> {
  const configs: ProvisionedConfig[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await callAws(
      { service: 'Lambda', operation: 'ListProvisionedConcurrencyConfigs', subject: `function ${functionName}` },
      opts,
      clients.settings.callTimeoutMs,
      (abortSignal) =>
        clients.lambda.send(
          new ListProvisionedConcurrencyConfigsCommand({ FunctionName: functionName, Marker: marker }),
          {
            abortSignal,
          },
        ),
    );
    for (const item of out.ProvisionedConcurrencyConfigs ?? []) {
      const since = item.LastModified ? new Date(item.LastModified) : undefined;
      configs.push({
        qualifier: functionQualifierFromArn(item.FunctionArn) ?? '?',
        allocated: item.AllocatedProvisionedConcurrentExecutions ?? 0,
        requested: item.RequestedProvisionedConcurrentExecutions ?? 0,
        since: since && !Number.isNaN(since.getTime()) ? since : undefined,
      });
    }
    marker = out.NextMarker;
    if (!marker) break;
  }
  return configs;
}
