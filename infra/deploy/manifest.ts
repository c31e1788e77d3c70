/**
 * The Slack app manifest with the bot's Function URL filled in, ready to paste into "Create an
 * app → From an app manifest". slack-app-manifest.yaml keeps a placeholder where each request
 * URL goes; this fills every one of them, so the slash command, interactivity and events all
 * reach the same ingress.
 */

export const URL_PLACEHOLDER = 'https://YOUR-FUNCTION-URL/';

/** A Lambda Function URL as CloudFormation outputs it: https://<id>.lambda-url.<region>.on.aws/ */
const FUNCTION_URL = /^https:\/\/[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws\/$/;

export function renderManifest(template: string, functionUrl: string): string {
  if (!FUNCTION_URL.test(functionUrl)) {
    throw new Error(
      `${JSON.stringify(functionUrl)} is not a Lambda Function URL (https://<id>.lambda-url.<region>.on.aws/)`,
    );
  }
  if (!template.includes(URL_PLACEHOLDER)) {
    throw new Error(`the manifest has no ${URL_PLACEHOLDER} placeholder to fill in`);
  }
  // The template's header tells people to replace the placeholder by hand; this copy is done.
  const body = template.replace(/^(#.*\n)+/, '');
  return (
    `# gofn's Slack app manifest, request URLs filled in with ${functionUrl}\n` +
    `# Paste it at https://api.slack.com/apps → Create New App → From an app manifest.\n` +
    body.split(URL_PLACEHOLDER).join(functionUrl)
  );
}
