import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** `npm run dev` (node dist/handlers/dev.js) started without what local development needs. */
const run = promisify(execFile);
const devRunner = path.resolve(__dirname, '..', '..', 'dist', 'handlers', 'dev.js');

async function startDev(env: Record<string, string>) {
  try {
    await run(process.execPath, [devRunner], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

beforeAll(() => {
  if (!existsSync(devRunner)) throw new Error('the handlers are not built; run `npm run build` (npm test does it)');
});

describe('npm run dev without its Slack credentials', () => {
  it('names the development variables that are missing, not the production secret', async () => {
    // Act
    const { code, stderr } = await startDev({ SLACK_APP_TOKEN: 'xapp-1-test' });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'gofn dev: npm run dev needs SLACK_APP_TOKEN (xapp-…), SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET; ' +
        'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET are not set. The README\'s "Slack" section says where to find each.\n',
    );
  });
});
