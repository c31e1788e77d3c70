import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import type { CallOptions } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';

/** The function's reserved concurrency (GetFunctionConcurrency); undefined when it has none. */
export async function readReservedConcurrency(
  clients: AwsClients,
  functionName: string,
  opts: CallOptions | undefined,
): Promise<number | undefined> {
  const out = await callAws(
    { service: 'Lambda', operation: 'GetFunctionConcurrency', subject: `function ${functionName}` },
    opts,
    clients.settings.callTimeoutMs,
    (abortSignal) =>
      clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }), { abortSignal }),
  );
  // Lambda answers `{}` for a function without a reservation; 0 is a reservation (of nothing).
  return out.ReservedConcurrentExecutions;
}
