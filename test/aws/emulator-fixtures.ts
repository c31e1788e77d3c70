/** Resources the emulator tests set up that none of gofn's SDK clients can create. */

export const emulatorAccount = '123456789012';
export const emulatorRegion = 'us-east-1';
export const lambdaRoleArn = `arn:aws:iam::${emulatorAccount}:role/gofn-test-lambda`;

/**
 * The execution role CreateFunction insists on. IAM is not among the installed SDK clients; the
 * emulator takes an unsigned query request.
 */
export async function createLambdaRole(endpoint: string): Promise<void> {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: 'gofn-test-lambda',
    AssumeRolePolicyDocument: trust,
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${emulatorRegion}/iam/aws4_request, SignedHeaders=host, Signature=x`,
    },
  });
  if (!response.ok) throw new Error(`CreateRole failed: ${response.status} ${await response.text()}`);
}
