import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { CallOptions, ProfileFlagPort } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';

/**
 * ProfileFlagPort over Parameter Store: the parameter each profiled function reads (through a
 * cache of about 30 s) to know whether to record. A String parameter, overwritten in place.
 */
export class SsmProfileFlags implements ProfileFlagPort {
  constructor(private readonly clients: AwsClients) {}

  async read(parameter: string, opts?: CallOptions): Promise<string | undefined> {
    try {
      const out = await callAws(
        { service: 'SSM', operation: 'GetParameter', subject: `parameter ${parameter}` },
        opts,
        this.clients.settings.callTimeoutMs,
        (abortSignal) => this.clients.ssm.send(new GetParameterCommand({ Name: parameter }), { abortSignal }),
      );
      return out.Parameter?.Value;
    } catch (error) {
      // GetParameter's answer for a name that does not exist: HTTP 400, ParameterNotFound.
      if (awsErrorName(error) === 'ParameterNotFound') return undefined;
      throw error;
    }
  }

  async write(parameter: string, value: string, opts?: CallOptions): Promise<void> {
    await callAws(
      { service: 'SSM', operation: 'PutParameter', subject: `parameter ${parameter}` },
      opts,
      this.clients.settings.callTimeoutMs,
      (abortSignal) =>
        this.clients.ssm.send(
          new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: true }),
          {
            abortSignal,
          },
        ),
    );
  }
}
