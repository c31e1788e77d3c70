import type { Config } from '../config';
import type { WorkerSettings } from '../slack/worker';

/** Messages per second a DLQ replay moves from Slack: SQS handles far more; this spares the consumer. */
const REPLAY_RATE_PER_SECOND = 50;

/** The worker's settings from the validated environment, the same for Lambda and `npm run dev`. */
export function workerSettings(config: Config): WorkerSettings {
  return {
    alarmChannel: config.ALARM_CHANNEL,
    deadlineMs: config.GOFN_DEADLINE_MS,
    actionTtlSeconds: config.GOFN_ACTION_TTL_SECONDS,
    maxConcurrency: config.GOFN_MAX_CONCURRENCY,
    replayRatePerSecond: REPLAY_RATE_PER_SECOND,
    admins: config.GOFN_ADMINS,
    alarmCooldownMs: config.GOFN_ALARM_COOLDOWN_MINUTES * 60_000,
    access: {
      allowGuests: config.GOFN_ALLOW_GUESTS,
      allowExternal: config.GOFN_ALLOW_EXTERNAL,
      allowedChannels: config.GOFN_ALLOWED_CHANNELS,
      allowedGroups: config.GOFN_ALLOWED_GROUPS,
    },
  };
}
