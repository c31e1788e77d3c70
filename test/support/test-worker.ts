import { silentLog } from '../../src/log';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { SlackOut } from '../../src/slack/out';
import { createWorker, type Worker, type WorkerOptions, type WorkerSettings } from '../../src/slack/worker';
import { fakeControl } from './fake-control';
import { fakeSources } from './fake-sources';
import { BOT_TOKEN, SIGNING_SECRET } from './slack-requests';

/**
 * Where the worker's Slack calls go: the URL of a fake Slack over HTTP, or an in-memory transport
 * with its base URL.
 */
export type TestSlack = string | { slackApiUrl: string; fetch: typeof fetch };

export interface TestWorkerOverrides extends Partial<Omit<WorkerOptions, 'settings' | 'runbook'>> {
  runbook: Runbook;
  /** Merged over the shared test settings. */
  settings?: Partial<WorkerSettings>;
}

/** Settings of a worker under test: an alarm channel, a 5 s deadline, no admins. */
export const TEST_WORKER_SETTINGS: WorkerSettings = {
  alarmChannel: 'C0ALARMS',
  deadlineMs: 5000,
  actionTtlSeconds: 600,
  maxConcurrency: 1000,
  replayRatePerSecond: 1000,
  admins: [],
};

/**
 * A worker on fake sources and control, an in-memory store and no chart, signing with the test
 * secret and posting to `slack` without retries (a test's faults reach it once). Any option can be
 * replaced; `log` is also the Slack client's.
 */
export function testWorker(slack: TestSlack, overrides: TestWorkerOverrides): Worker {
  const { settings, ...options } = overrides;
  const log = options.log ?? silentLog;
  const transport =
    typeof slack === 'string' ? { slackApiUrl: slack } : { slackApiUrl: slack.slackApiUrl, fetch: slack.fetch };
  return createWorker({
    sources: options.sources ?? fakeSources(),
    control: options.control ?? fakeControl(),
    store: options.store ?? new MemoryRecordStore(),
    chart: undefined,
    slack: new SlackOut({ botToken: BOT_TOKEN, clientOptions: { ...transport, retryConfig: { retries: 0 } }, log }),
    signingSecret: SIGNING_SECRET,
    ...options,
    log,
    settings: { ...TEST_WORKER_SETTINGS, ...settings },
  });
}
