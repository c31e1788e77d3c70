import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CallOptions } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';

/**
 * One output of a deployed CloudFormation stack (DescribeStacks, `Stacks[0].Outputs[]` of
 * `{OutputKey, OutputValue}`), undefined when the stack has no such output. A stack that does not
 * exist is a ValidationError ("Stack with id X does not exist"), which reaches the caller as a
 * GofnError like every other failed call.
 */
export async function stackOutput(
  clients: AwsClients,
  stackName: string,
  outputKey: string,
  opts?: CallOptions,
): Promise<string | undefined> {
  const out = await callAws(
    { service: 'CloudFormation', operation: 'DescribeStacks', subject: `stack ${stackName}` },
    opts,
    clients.settings.callTimeoutMs,
    (abortSignal) => clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }), { abortSignal }),
  );
  const outputs = out.Stacks?.[0]?.Outputs ?? [];
  return outputs.find((o) => o.OutputKey === outputKey)?.OutputValue ?? undefined;
}
