import { createAwsClients, type AwsClients } from '../../src/aws/clients';

/**
 * Clients for tests that stub `send` with aws-sdk-client-mock: nothing reaches the network, so
 * the region only has to be valid and credentials are never resolved.
 */
export function mockedClients(): AwsClients {
  return createAwsClients({ region: 'us-east-1', maxAttempts: 1, callTimeoutMs: 2_000 });
}

/** A promise's rejection, or a failure when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

export const minute = 60_000;
export const hour = 60 * minute;
