import type { FetchFunction } from '@slack/web-api';
import { silentLog } from '../../src/log';
import { SlackOut } from '../../src/slack/out';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

/** A SlackOut whose HTTP client records the URLs it was asked for. */
function counted() {
  const urls: string[] = [];
  const transport: FetchFunction = (url, init) => {
    urls.push(String(url));
    return fetch(url, init);
  };
  const out = new SlackOut({
    botToken: 'xoxb-test',
    clientOptions: { slackApiUrl: slack.apiUrl, fetch: transport },
    log: silentLog,
  });
  return { out, urls };
}

describe('SlackOut', () => {
  it('sends Web API calls and response_url posts through the one HTTP client it was given', async () => {
    // Prepare
    const { out, urls } = counted();
    const responseUrl = slack.responseUrl('T1/1/abc');

    // Act
    await out.post('C1', { text: 'hello', blocks: [] });
    await out.respond(responseUrl, { text: 'diagnosing orders-api…', blocks: [] });

    // Assess
    expect(urls).toEqual([`${slack.apiUrl}chat.postMessage`, responseUrl]);
    expect(slack.responses).toEqual([
      { path: '/response/T1/1/abc', body: { text: 'diagnosing orders-api…', blocks: [], response_type: 'ephemeral' } },
    ]);
  });

  it('refuses a response_url that does not point at Slack, sending nothing', async () => {
    // Prepare
    const { out, urls } = counted();

    // Act
    const sent = out.respond('https://attacker.example/collect', { text: 'report', blocks: [] });

    // Assess
    await expect(sent).rejects.toThrow('The response_url does not point at Slack; nothing was sent.');
    expect(urls).toEqual([]);
  });
});
