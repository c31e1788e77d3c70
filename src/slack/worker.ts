import { recordAliasVersion } from '../actions/alias-history';
import { claimWork, markDone, releaseClaim } from '../actions/claims';
import { auditUnplanned, runAction } from '../actions/run';
import type { ActionDeps, ActionRequest, ActionSettings } from '../actions/types';
import { describeError, ErrorCode, GofnError } from '../errors';
import type { Log } from '../log';
import type { ChartPort, ControlPorts, RecordStore, Sources } from '../ports';
import { diagnose } from '../runbook/engine';
import { fleetOverview } from '../runbook/fleet';
import type { Report } from '../runbook/report';
import type { Runbook } from '../runbook/schema';
import { explainNotFound } from '../runbook/suggest';
import { parseDuration, windowsEndingAt } from '../runbook/window';
import {
  claimFor,
  clickRefusal,
  describeTokenProblem,
  signActionToken,
  verifyActionToken,
  type ActionClaim,
} from './action-token';
import { understandAlarm, type UnderstoodAlarm } from './alarm-message';
import { functionWidget } from './chart';
import { USAGE } from './command';
import type { ActionJob, Job, RefusalJob, StatusJob } from './jobs';
import { recallMessage, rememberMessage, withActionDone } from './messages';
import { cannotPostInChannel, type SlackOut } from './out';
import { alarmResolvedMessage, alarmRootMessage, plainMessage } from './render/alarm';
import { fleetMessage } from './render/fleet';
import { reportMessage, type SlackMessage } from './render/report';
import { AlarmThreads } from './threads';

export interface WorkerSettings extends ActionSettings {
  /** Channel ID where alarm threads open. */
  alarmChannel: string | undefined;
  /** Deadline of one diagnosis. */
  deadlineMs: number;
  /** How long action buttons stay valid. */
  actionTtlSeconds: number;
  /** Time kept back from a diagnosis to post its report before the invocation ends. Default 3 000 ms. */
  postMarginMs?: number;
}

/** How long this invocation may run; the Lambda handler passes `context.getRemainingTimeInMillis()`. */
export interface RunOptions {
  /**
   * Milliseconds left when the work was handed over. The diagnosis deadline shrinks to fit with
   * the posting margin to spare; with less than the margin left, the work is not started and its
   * claim is given back for the platform's retry. A claim lasts no longer than this, so a
   * redelivery after the invocation died takes the work over. Absent: no limit but the settings.
   */
  remainingMs?: number;
}

export interface WorkerOptions {
  sources: Sources;
  control: ControlPorts;
  store: RecordStore;
  chart: ChartPort | undefined;
  runbook: Runbook;
  slack: SlackOut;
  /** Signs the action buttons of the reports the worker posts. */
  signingSecret: string;
  settings: WorkerSettings;
  log: Log;
  now?: () => Date;
}

export interface SnsAlarm {
  messageId: string;
  message: string;
}

const JOB_LEASE_SECONDS = 5 * 60;
const JOB_KEEP_SECONDS = 86_400;
const GROUP_CACHE_MS = 60_000;
/** Added to the remaining time for a claim's lease: clocks of two invocations may differ a little. */
const LEASE_SLACK_SECONDS = 10;
/** Default of `postMarginMs`: posting a report and its graph takes well under this. */
export const POST_MARGIN_MS = 3000;

/** The time one delivery has: its diagnosis deadline, its claims' lease, and what is left. */
interface Budget {
  deadlineMs(): number;
  leaseSeconds: number | undefined;
  leftMs(): number | undefined;
}

/**
 * Runs the slow work the ingress handed off, and the alarm notifications SNS delivers. Each job
 * and each SNS message is claimed first, so a duplicate delivery does nothing.
 */
export function createWorker(options: WorkerOptions) {
  const { sources, store, slack, log, settings } = options;
  const now = options.now ?? (() => new Date());
  const threads = new AlarmThreads(store, () => now().getTime());
  const groupCache = new Map<string, { members: Set<string>; at: number }>();

  const isInGroup = async (groupId: string, userId: string) => {
    const cached = groupCache.get(groupId);
    if (cached && now().getTime() - cached.at < GROUP_CACHE_MS) return cached.members.has(userId);
    const members = new Set(await slack.userGroupMembers(groupId));
    groupCache.set(groupId, { members, at: now().getTime() });
    return members.has(userId);
  };

  const margin = settings.postMarginMs ?? POST_MARGIN_MS;
  const budgetOf = (options: RunOptions | undefined): Budget => {
    const remaining = options?.remainingMs;
    if (remaining === undefined || !Number.isFinite(remaining)) {
      return { deadlineMs: () => settings.deadlineMs, leaseSeconds: undefined, leftMs: () => undefined };
    }
    const endsAt = Date.now() + remaining;
    return {
      deadlineMs: () => Math.max(0, Math.min(settings.deadlineMs, endsAt - margin - Date.now())),
      leaseSeconds: Math.ceil(Math.max(0, remaining) / 1000) + LEASE_SLACK_SECONDS,
      leftMs: () => endsAt - Date.now(),
    };
  };

  /** Signs a report's buttons; each names who may press it, checked at the click. */
  const tokenFor = (channel: string, report: Report) => (action: Parameters<typeof claimFor>[0]) =>
    signActionToken(
      options.signingSecret,
      claimFor(action, channel, Math.floor(now().getTime() / 1000), settings.actionTtlSeconds, [
        ...settings.admins,
        ...report.owners,
      ]),
    );

  async function exactlyOnce(key: string, budget: Budget, work: () => Promise<void>): Promise<void> {
    const claimed = await claimWork(store, key, {
      leaseSeconds: budget.leaseSeconds ?? JOB_LEASE_SECONDS,
      keepSeconds: JOB_KEEP_SECONDS,
      nowMs: now().getTime(),
    });
    if (claimed.outcome !== 'claimed' || !claimed.claim) {
      log.info('skipped a duplicate delivery', { key, outcome: claimed.outcome });
      return;
    }
    try {
      const left = budget.leftMs();
      if (left !== undefined && left < margin) {
        log.warn('too little time left to start; the work goes back for the retry', { key, leftMs: left });
        throw new GofnError(
          ErrorCode.Timeout,
          `Only ${Math.max(0, left)} ms were left to run ${key}; it was not started.`,
        );
      }
      await work();
    } catch (error) {
      // Give the claim back so the platform's retry can run it; whatever was posted already was
      // posted by the steps that completed, and those steps are ordered so a retry repeats none.
      await releaseClaim(store, claimed.claim).catch(() => undefined);
      throw error;
    }
    // The work is done even if saying so fails: the claim is kept (its lease still holds off
    // duplicates) and nothing is thrown, so no retry posts the same report a second time.
    await markDone(store, claimed.claim).catch((error: unknown) =>
      log.warn('the work was done but could not be marked done', { key, error }),
    );
  }

  async function diagnoseFor(functionName: string, alias: string, window: string, deadlineMs: number): Promise<Report> {
    const windowMs = parseDuration(window, 'window');
    const report = await diagnose({
      sources,
      runbook: options.runbook,
      functionName,
      alias,
      windowMs,
      deadlineMs,
      now: now(),
    }).catch((error: unknown) => explainNotFound(error, sources, functionName, alias));
    if (report.version) {
      await recordAliasVersion(store, report.function, alias, report.version, now()).catch(() => undefined);
    }
    return report;
  }

  /** Posts a message and keeps it, so its buttons can be replaced after an action ran. */
  async function postKept(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const ts = await slack.post(channel, message, threadTs);
    await rememberMessage(store, channel, ts, message).catch((error: unknown) =>
      log.warn('could not remember the report', { error }),
    );
    return ts;
  }

  async function attachChart(channel: string, threadTs: string, functionName: string, windowMs: number): Promise<void> {
    if (!options.chart) return;
    try {
      const png = await options.chart.metricWidgetImage(
        functionWidget(functionName, windowsEndingAt(now(), windowMs).window),
      );
      await slack.uploadPng(channel, threadTs, png, `${functionName} duration, errors, throttles`);
    } catch (error) {
      log.warn('could not attach the graph', { functionName, error });
    }
  }

  async function runStatus(job: StatusJob, budget: Budget): Promise<void> {
    let message: SlackMessage;
    let report: Report | undefined;
    try {
      if (job.functionName) {
        report = await diagnoseFor(job.functionName, job.alias, job.window, budget.deadlineMs());
        message = reportMessage(report, { actionValue: tokenFor(job.channel, report) });
      } else {
        const fleet = await fleetOverview({
          sources,
          runbook: options.runbook,
          windowMs: parseDuration(job.window, 'window'),
          deadlineMs: budget.deadlineMs(),
          now: now(),
        });
        message = fleetMessage(fleet);
      }
    } catch (error) {
      await slack.respond(job.responseUrl, plainMessage(`gofn: ${describeError(error)}`));
      return;
    }
    try {
      const ts = await postKept(job.channel, message);
      if (report) await attachChart(job.channel, ts, report.function, parseDuration(job.window, 'window'));
    } catch (error) {
      if (!cannotPostInChannel(error)) throw error;
      // The bot is not in this channel: answer through the command instead, visible to everyone.
      await slack.respond(job.responseUrl, message, true);
      await slack.respond(
        job.responseUrl,
        plainMessage('Invite gofn to this channel (`/invite @gofn`) so it can post threads and update its buttons.'),
      );
    }
  }

  async function runActionJob(job: ActionJob, budget: Budget): Promise<void> {
    const checked = verifyActionToken(options.signingSecret, job.token, {
      channel: job.channel,
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if ('problem' in checked) {
      log.warn('refused an action token in the worker', { problem: checked.problem, user: job.user });
      await slack.ephemeral(job.channel, job.user, plainMessage(describeTokenProblem(checked.problem)));
      return;
    }
    const claim = checked.claim;
    const thread = job.threadTs ?? job.messageTs;
    const deps: ActionDeps = {
      sources,
      control: options.control,
      store,
      settings,
      log,
      isInGroup,
      now,
      leaseSeconds: budget.leaseSeconds,
      timeLeftMs: budget.leftMs,
      onProgress: async (sentence) => {
        await slack.post(job.channel, plainMessage(`⏳ ${sentence}`), thread).catch(() => undefined);
      },
    };
    const outcome = await runAction(requestFromClaim(claim, job.user), deps);
    if (outcome.status === 'succeeded') {
      const line = `<@${job.user}> ${outcome.sentence}`;
      await slack.post(job.channel, plainMessage(line), thread);
      if (job.messageTs) {
        const original = await recallMessage(store, job.channel, job.messageTs).catch(() => undefined);
        if (original)
          await slack.update(job.channel, job.messageTs, withActionDone(original, claim.kind, `✅ ${line}`));
      }
      return;
    }
    await slack.ephemeral(job.channel, job.user, plainMessage(outcome.sentence), thread);
    if (outcome.status === 'failed') {
      await slack.post(
        job.channel,
        plainMessage(
          `<@${job.user}> tried to ${claim.kind.replace('-', ' ')} ${claim.fn}; it failed: ${outcome.sentence}`,
        ),
        thread,
      );
    }
  }

  /**
   * A click the ingress refused because the button does not name the person: the refusal was
   * shown in a modal; here it is audited like every other attempt.
   */
  async function auditRefusal(job: RefusalJob): Promise<void> {
    const checked = verifyActionToken(options.signingSecret, job.token, {
      channel: job.channel,
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if ('problem' in checked) {
      log.warn('dropped a refusal whose token does not verify', { problem: checked.problem, user: job.user });
      return;
    }
    const { claim } = checked;
    await auditUnplanned(
      requestFromClaim(claim, job.user),
      new GofnError(ErrorCode.Forbidden, clickRefusal(claim.fn)),
      { store, now, log },
    );
  }

  async function openAlarm(alarm: UnderstoodAlarm, channel: string, budget: Budget): Promise<void> {
    const opened = await threads.open(alarm.name, {
      functionName: alarm.functionName,
      channel,
      openedAt: alarm.changedAt.toISOString(),
    });
    if (!opened.opened) {
      const episode = await threads.waitForRoot(alarm.name);
      if (episode?.rootTs) {
        await slack.post(
          episode.channel,
          plainMessage(`Still in ALARM: ${alarm.reason || alarm.condition}`),
          episode.rootTs,
        );
      } else if (episode?.state === 'ALARM') {
        // The worker that opened the episode has not posted its root yet (Slack is rate limiting
        // it): hand the repeat back, so the platform's retry replies in the thread.
        log.warn('a repeated ALARM found no thread to reply in yet', { alarm: alarm.name });
        throw new GofnError(ErrorCode.Timeout, `The thread of ${alarm.name} has no root message yet.`);
      } else {
        log.warn('a repeated ALARM found no thread to reply in', { alarm: alarm.name });
      }
      return;
    }
    const rootTs = await slack.post(channel, alarmRootMessage(alarm));
    await threads.setRoot(alarm.name, opened.version, opened.episode, rootTs);
    try {
      const report = await diagnoseFor(alarm.functionName, alarm.alias ?? 'live', '1h', budget.deadlineMs());
      await postKept(channel, reportMessage(report, { actionValue: tokenFor(channel, report) }), rootTs);
    } catch (error) {
      await slack.post(
        channel,
        plainMessage(`gofn could not diagnose ${alarm.functionName}: ${describeError(error)}`),
        rootTs,
      );
    }
    await attachChart(channel, rootTs, alarm.functionName, 3_600_000);
  }

  async function resolveAlarm(alarm: UnderstoodAlarm): Promise<void> {
    const episode = await threads.resolve(alarm.name, alarm.changedAt.toISOString());
    if (!episode?.rootTs) {
      log.info('an OK arrived for an alarm with no open thread', { alarm: alarm.name });
      return;
    }
    const resolved = alarmResolvedMessage(alarm, new Date(episode.openedAt));
    await slack.update(episode.channel, episode.rootTs, resolved);
    await slack.post(
      episode.channel,
      plainMessage(`Resolved: ${resolved.text.replace(/^✅ RESOLVED /, '')}.`),
      episode.rootTs,
    );
  }

  return {
    async runJob(job: Job, options?: RunOptions): Promise<void> {
      const budget = budgetOf(options);
      await exactlyOnce(`job#${job.kind}#${job.id}`, budget, async () => {
        if (job.kind === 'status') await runStatus(job, budget);
        else if (job.kind === 'action') await runActionJob(job, budget);
        else if (job.kind === 'refusal') await auditRefusal(job);
        else
          await slack.ephemeral(job.channel, job.user, {
            text: USAGE,
            blocks: [{ type: 'section', text: { type: 'mrkdwn', text: USAGE } }],
          });
      });
    },

    /** Never throws for a message gofn does not understand: it is logged and dropped. */
    async handleAlarm(sns: SnsAlarm, options?: RunOptions): Promise<void> {
      const budget = budgetOf(options);
      const understood = understandAlarm(sns.message);
      if ('problem' in understood) {
        log.warn('dropped an SNS message', { messageId: sns.messageId, problem: understood.problem });
        return;
      }
      const alarm = understood.alarm;
      if (alarm.state === 'INSUFFICIENT_DATA') return;
      if (!settings.alarmChannel) {
        log.error('an alarm arrived but ALARM_CHANNEL is not set', { alarm: alarm.name });
        return;
      }
      const managed = await sources.functions
        .getFunction(alarm.functionName, alarm.alias ?? 'live')
        .then((fn) => fn.tags['gofn:managed'] === 'true')
        .catch(() => false);
      if (!managed) {
        log.info('dropped an alarm for a function gofn does not manage', {
          alarm: alarm.name,
          functionName: alarm.functionName,
        });
        return;
      }
      const channel = settings.alarmChannel;
      await exactlyOnce(`sns#${sns.messageId}`, budget, () =>
        alarm.state === 'ALARM' ? openAlarm(alarm, channel, budget) : resolveAlarm(alarm),
      );
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

function requestFromClaim(claim: ActionClaim, user: string): ActionRequest {
  const p = claim.params;
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  const num = (v: unknown) => (v === undefined ? undefined : Number(v));
  return {
    kind: claim.kind,
    functionName: claim.fn,
    alias: claim.alias,
    expected: {
      fromVersion: str(p.fromVersion),
      toVersion: str(p.toVersion),
      concurrencyFrom: num(p.from),
      concurrencyTo: num(p.to),
      queue: str(p.queue),
      version: str(p.version),
      seconds: num(p.seconds),
    },
    actor: { via: 'slack', id: user },
    requestId: claim.id,
  };
}
