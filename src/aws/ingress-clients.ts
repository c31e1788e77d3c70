import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClientRegistry, resolveSettings, type AwsClientOptions, type AwsClientSettings } from './client-config';

/**
 * The two clients the ingress needs (Lambda to hand off jobs, Secrets Manager for the Slack
 * credentials), made by the same registry as every other client. Importing this instead of
 * `createAwsClients` keeps the other SDK clients out of the ingress bundle, and out of its cold start.
 */
export interface IngressClients {
  readonly settings: AwsClientSettings;
  readonly lambda: LambdaClient;
  readonly secretsManager: SecretsManagerClient;
  destroy(): void;
}

export function createIngressClients(options: AwsClientOptions = {}): IngressClients {
  const registry = new ClientRegistry(resolveSettings(options));
  let lambda: LambdaClient | undefined;
  let secretsManager: SecretsManagerClient | undefined;
  return {
    settings: registry.settings,
    get lambda() {
      return (lambda ??= registry.make('Lambda', (config) => new LambdaClient(config)));
    },
    get secretsManager() {
      return (secretsManager ??= registry.make('SecretsManager', (config) => new SecretsManagerClient(config)));
    },
    destroy: () => registry.destroy(),
  };
}
