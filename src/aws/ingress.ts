/**
 * What the ingress Lambda imports from the AWS layer, and nothing more: its bundle size and
 * cold start are part of Slack's 3-second budget.
 */
export { createIngressClients, type IngressClients } from './ingress-clients';
export { LambdaJobQueue } from './lambda-job-queue';
export { slackSecretsFromSecretsManager } from './slack-secrets';
