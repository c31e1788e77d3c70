import type { FetchFunction } from '@slack/web-api';
import { POST_EVENT_TYPE, PostOnce, type FindPosted, type PostSearch } from '../../src/slack/post-once';
import type { Log } from '../../src/log';

const API = 'https://slack.example/api/';

/** A form body as @slack/web-api sends it: objects JSON-encoded. */
function postBody(key: string, threadTs?: string): string {
  return new URLSearchParams({
    channel: 'C1',
    text: 'orders-api is critical',
    ...(threadTs ? { thread_ts: threadTs } : {}),
    metadata: JSON.stringify({ event_type: POST_EVENT_TYPE, event_payload: { post_key: key } }),
  }).toString();
}

type Step = 'throw' | number;

/** An inner fetch that answers each attempt as scripted: an HTTP status, or a dropped connection. */
function scripted(steps: Step[]) {
  const sent: string[] = [];
  const inner: FetchFunction = async (url) => {
    sent.push(String(url));
    const step = steps.shift() ?? 200;
    if (step === 'throw') throw new TypeError('fetch failed');
    return new Response(JSON.stringify({ ok: step === 200, ts: '1700000000.000100' }), { status: step });
  };
  return { inner, sent };
}

function recordingLog() {
  const warnings: string[] = [];
  const log: Log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: () => undefined,
  };
  return { log, warnings };
}

function searchRecorder(answer: Awaited<ReturnType<FindPosted>> | Error) {
  const searches: PostSearch[] = [];
  const find: FindPosted = async (search) => {
    searches.push(search);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { find, searches };
}

const post = (once: PostOnce, key: string, threadTs?: string) =>
  once.fetch(`${API}chat.postMessage`, { method: 'POST', body: postBody(key, threadTs) });

describe('PostOnce', () => {
  it('sends other methods and first attempts straight through, without searching', async () => {
    // Prepare
    const { inner, sent } = scripted([200, 200]);
    const { find, searches } = searchRecorder(undefined);
    const once = new PostOnce(inner, find, recordingLog().log);

    // Act
    const update = await once.fetch(`${API}chat.update`, { method: 'POST', body: 'channel=C1&ts=1.2' });
    const first = await post(once, 'k1');

    // Assess
    expect([update.status, first.status]).toEqual([200, 200]);
    expect(sent).toEqual([`${API}chat.update`, `${API}chat.postMessage`]);
    expect(searches).toHaveLength(0);
  });

  it('after a dropped connection, answers from the post Slack already has instead of posting again', async () => {
    // Prepare
    const { inner, sent } = scripted(['throw']);
    const { find, searches } = searchRecorder({ ts: '1700000000.000200', text: 'orders-api is critical' });
    const once = new PostOnce(inner, find, recordingLog().log);
    const before = Date.now();

    // Act
    await expect(post(once, 'k1', '1699999999.000001')).rejects.toThrow('fetch failed');
    const retry = await post(once, 'k1', '1699999999.000001');

    // Assess
    expect(sent).toHaveLength(1);
    expect(await retry.json()).toMatchObject({ ok: true, channel: 'C1', ts: '1700000000.000200' });
    expect(searches).toEqual([
      { channel: 'C1', threadTs: '1699999999.000001', key: 'k1', since: expect.any(Number) as number },
    ]);
    expect(searches[0]!.since).toBeGreaterThanOrEqual(before);
  });

  it('posts again when the search finds nothing', async () => {
    // Prepare
    const { inner, sent } = scripted([503, 200]);
    const { find, searches } = searchRecorder(undefined);
    const once = new PostOnce(inner, find, recordingLog().log);

    // Act
    const failed = await post(once, 'k1');
    const retry = await post(once, 'k1');

    // Assess
    expect([failed.status, retry.status]).toEqual([503, 200]);
    expect(sent).toHaveLength(2);
    expect(searches).toHaveLength(1);
  });

  it('posts again, and says so, when the search is refused: a duplicate rather than a loss', async () => {
    // Prepare
    const { inner, sent } = scripted(['throw', 200]);
    const { find } = searchRecorder(new Error('missing_scope'));
    const { log, warnings } = recordingLog();
    const once = new PostOnce(inner, find, log);

    // Act
    await expect(post(once, 'k1')).rejects.toThrow();
    const retry = await post(once, 'k1');

    // Assess
    expect(retry.status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(warnings).toEqual(['could not check whether Slack already has a post; sending it again']);
  });

  it('does not search after a 429: Slack refused that attempt', async () => {
    // Prepare
    const { inner, sent } = scripted([429, 200]);
    const { find, searches } = searchRecorder(undefined);
    const once = new PostOnce(inner, find, recordingLog().log);

    // Act
    await post(once, 'k1');
    await post(once, 'k1');

    // Assess
    expect(sent).toHaveLength(2);
    expect(searches).toHaveLength(0);
  });

  it('searches from the first uncertain attempt, and forgets a key once told', async () => {
    // Prepare
    const { inner } = scripted(['throw', 'throw', 'throw']);
    const { find, searches } = searchRecorder(undefined);
    const once = new PostOnce(inner, find, recordingLog().log);

    // Act
    await expect(post(once, 'k1')).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(post(once, 'k1')).rejects.toThrow();
    await expect(post(once, 'k1')).rejects.toThrow();
    once.forget('k1');
    await post(once, 'k1');

    // Assess: both retries search from the first attempt's time; after forget, no search
    expect(searches).toHaveLength(2);
    expect(searches[1]!.since).toBe(searches[0]!.since);
  });

  it('leaves posts without gofn metadata alone', async () => {
    // Prepare
    const { inner, sent } = scripted(['throw', 200]);
    const { find, searches } = searchRecorder(undefined);
    const once = new PostOnce(inner, find, recordingLog().log);
    const body = new URLSearchParams({ channel: 'C1', text: 'hi' }).toString();

    // Act
    await expect(once.fetch(`${API}chat.postMessage`, { method: 'POST', body })).rejects.toThrow();
    await once.fetch(`${API}chat.postMessage`, { method: 'POST', body });

    // Assess
    expect(sent).toHaveLength(2);
    expect(searches).toHaveLength(0);
  });
});
