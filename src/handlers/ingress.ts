// Placeholder so the Lambda bundle and the CDK stacks can be built before the real handler
// lands; the issue work replaces this file.
export async function handler(): Promise<{ statusCode: number }> {
  return { statusCode: 501 };
}
