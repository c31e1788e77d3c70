import { recordAliasVersion } from '../actions/alias-history';
import { claimWork, markDone, releaseClaim } from '../actions/claims';
import { auditUnplanned, runAction } from '../actions/run';
import type { ActionDeps, ActionRequest, ActionSettings } from '../actions/types';
import { describeError, ErrorCode, GofnError } from '../errors';
import type { Log } from '../log';
import type { AlarmsPort, ChartPort, ControlPorts, RecordStore, Sources, TargetPorts, TargetSet } from '../ports';
import { diagnose, type AlarmContext } from '../runbook/engine';
import { costAcrossTargets, placeOfCost } from '../cost/across-targets';
import { parseCostSelection } from '../cost/selection';
import type { Report } from '../runbook/report';
import type { Runbook } from '../runbook/schema';
import { explainNotFound } from '../runbook/suggest';
import { fleetAcrossTargets, resolveFunction, serviceView, singleTarget, targetNamed } from '../runbook/targets';
import { parseFunctionRef, qualifiedName, type TargetRef } from '../targets';
import { parseDuration, windowsEndingAt } from '../runbook/window';
import { createAccessCheck, HIDE_ERRORS_TAG, type AccessSettings } from './access';
import {
  buttonValue,
  claimFor,
  clickRefusal,
  describeTokenProblem,
  verifyActionToken,
  type ActionClaim,
  type TokenKeys,
} from './action-token';
import { understandAlarm, type AlarmTarget, type UnderstoodAlarm } from './alarm-message';
import { createAlarmWorker, mapComposite } from './alarm-worker';
import { functionWidget } from './chart';
import { USAGE } from './command';
import type { ActionJob, CostJob, FallbackJob, Job, RefusalJob, StatusJob } from './jobs';
import { keepUpdatedMessage, recallMessage, rememberMessage, withActionDone } from './messages';
import type { SlackOut } from './out';
import { plainMessage } from './render/alarm';
import { costMessage } from './render/cost';
import { fleetMessage, serviceMessage } from './render/fleet';
import { actionPhrase, confirmFallbackMessage } from './render/modals';
import { withoutErrorText } from './render/redact';
import { reportMessage, type RequestedBy, type SlackMessage } from './render/report';
import { cannotPostInChannel, explainSlackFailure } from './slack-problems';
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
  /** How long after an alarm cleared a new ALARM reuses its thread. Default 15 min. */
  alarmCooldownMs?: number;
  /** Who may run /gofn (guests, other organisations, allowlists). Default: members of this organisation. */
  access?: AccessSettings;
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
  /**
   * The invocation's Lambda request ID. Lambda's retry of a failed asynchronous invocation has
   * the same one, so it takes over the claims the failed attempt left at once (see claims.ts).
   */
  requestId?: string;
}

export interface WorkerOptions {
  sources: Sources;
  control: ControlPorts;
  /**
   * The accounts and regions functions are looked for in (src/ports/targets.ts); default: only
   * `sources` and `control`. Functions elsewhere are named `account/region/fn`.
   */
  targets?: TargetSet;
  store: RecordStore;
  chart: ChartPort | undefined;
  /** CloudWatch alarms, to map a composite alarm through its children or its tags. */
  alarms?: AlarmsPort;
  runbook: Runbook;
  slack: SlackOut;
  /** Signs the action buttons of the reports the worker posts (and, during a rotation, checks the previous key). */
  signingSecret: string | TokenKeys;
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
/** Default of `alarmCooldownMs`. */
export const ALARM_COOLDOWN_MS = 15 * 60_000;

/** The time one delivery has: its diagnosis deadline, its claims' lease, and what is left. */
interface Budget {
  deadlineMs(): number;
  leaseSeconds: number | undefined;
  leftMs(): number | undefined;
  holder: string | undefined;
}

/**
 * Runs the slow work the ingress handed off, and the alarm notifications SNS delivers. Each job
 * and each SNS message is claimed first, so a duplicate delivery does nothing.
 */
export function createWorker(options: WorkerOptions) {
  const { sources, store, slack, log, settings } = options;
  const targets = options.targets ?? singleTarget({ sources, control: options.control });
  const now = options.now ?? (() => new Date());
  const keys: TokenKeys =
    typeof options.signingSecret === 'string' ? { current: options.signingSecret } : options.signingSecret;
  const threads = new AlarmThreads(store, () => now().getTime());
  const groupCache = new Map<string, { members: Set<string>; at: number }>();

  const isInGroup = async (groupId: string, userId: string) => {
    const cached = groupCache.get(groupId);
    if (cached && now().getTime() - cached.at < GROUP_CACHE_MS) return cached.members.has(userId);
    const members = new Set(await slack.userGroupMembers(groupId));
    groupCache.set(groupId, { members, at: now().getTime() });
    return members.has(userId);
  };

  const mayLook = createAccessCheck({
    slack,
    isInGroup,
    settings: settings.access ?? {},
    admins: settings.admins,
    log,
    nowMs: () => now().getTime(),
  });

  const margin = settings.postMarginMs ?? POST_MARGIN_MS;
  const budgetOf = (options: RunOptions | undefined): Budget => {
    const remaining = options?.remainingMs;
    const holder = options?.requestId;
    if (remaining === undefined || !Number.isFinite(remaining)) {
      return { deadlineMs: () => settings.deadlineMs, leaseSeconds: undefined, leftMs: () => undefined, holder };
    }
    const endsAt = Date.now() + remaining;
    return {
      deadlineMs: () => Math.max(0, Math.min(settings.deadlineMs, endsAt - margin - Date.now())),
      leaseSeconds: Math.ceil(Math.max(0, remaining) / 1000) + LEASE_SLACK_SECONDS,
      leftMs: () => endsAt - Date.now(),
      holder,
    };
  };

  /** Signs a report's buttons; each names who may press it, checked at the click. */
  const tokenFor = (channel: string, report: Report) => (action: Parameters<typeof claimFor>[0]) =>
    buttonValue(
      keys,
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
      holder: budget.holder,
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

  /** The report on a function named `fn`, `fn@region` or `account/region/fn`, and the ports of where it is. */
  async function diagnoseFor(
    name: string,
    alias: string,
    window: string,
    deadlineMs: number,
    alarm?: AlarmContext,
  ): Promise<{ report: Report; ports: TargetPorts }> {
    const windowMs = parseDuration(window, 'window');
    const found = await resolveFunction(targets, name, alias);
    const { sources: there } = found.ports;
    const diagnosed = await diagnose({
      sources: there,
      runbook: options.runbook,
      functionName: found.functionName,
      functionRef: found.ref,
      alias,
      windowMs,
      deadlineMs,
      now: now(),
      ...(alarm ? { alarm } : {}),
    }).catch((error: unknown) => explainNotFound(error, there, found.functionName, alias));
    const report = targets.configured ? { ...diagnosed, account: found.ports.target.account } : diagnosed;
    if (report.version) {
      await recordAliasVersion(store, report.function, alias, report.version, now()).catch(() => undefined);
    }
    return { report, ports: found.ports };
  }

  /**
   * The report as this channel may see it: without error message text when the channel is
   * shared with another organisation and the function is tagged to keep it out.
   */
  async function fitFor(report: Report, sharedChannel: boolean, there: Sources): Promise<Report> {
    if (!sharedChannel) return report;
    const tags = await there.functions
      .getFunction(report.function, report.alias)
      .then((fn) => fn.tags)
      .catch(() => undefined);
    // A function whose tags cannot be read is treated as marked: leaving text out is the safe side.
    return !tags || tags[HIDE_ERRORS_TAG] === 'true' ? withoutErrorText(report) : report;
  }

  function messageFor(report: Report, channel: string, requestedBy: RequestedBy): SlackMessage {
    return reportMessage(report, { actionValue: tokenFor(channel, report), requestedBy });
  }

  /** Posts a message and keeps it, so its buttons can be replaced after an action ran. */
  async function postKept(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const ts = await slack.post(channel, message, threadTs);
    await rememberMessage(store, channel, ts, message).catch((error: unknown) =>
      log.warn('could not remember the report', { error }),
    );
    return ts;
  }

  /** Attaches the graph to the thread; when it cannot, the thread says why instead. */
  async function attachChart(
    channel: string,
    threadTs: string,
    functionName: string,
    windowMs: number,
    ports: TargetPorts,
  ): Promise<void> {
    // The graph comes from the account and region the function is in.
    const chart = ports.chart ?? options.chart;
    if (!chart) return;
    let png: Uint8Array;
    try {
      png = await chart.metricWidgetImage(functionWidget(functionName, windowsEndingAt(now(), windowMs).window));
    } catch (error) {
      log.warn('could not render the graph', { functionName, error });
      await slack
        .post(
          channel,
          plainMessage(`The graph could not be drawn: CloudWatch said "${describeError(error)}"`),
          threadTs,
        )
        .catch(() => undefined);
      return;
    }
    try {
      await slack.uploadPng(channel, threadTs, png, `${functionName} duration, errors, throttles`);
    } catch (error) {
      log.warn('could not attach the graph', { functionName, error });
      await slack
        .post(
          channel,
          plainMessage(['The graph could not be attached: ', { mrkdwn: explainSlackFailure(error, channel) }]),
          threadTs,
        )
        .catch((again: unknown) => log.warn('could not say so in the thread either', { error: again }));
    }
  }

  async function runStatus(job: StatusJob, budget: Budget): Promise<void> {
    const access = await mayLook(job.user, job.channel);
    if (!access.allowed) {
      await slack.respond(job.responseUrl, {
        text: access.sentence,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: access.sentence } }],
      });
      return;
    }
    let message: SlackMessage;
    let report: Report | undefined;
    let reportPorts: TargetPorts | undefined;
    try {
      if (job.functionName) {
        const diagnosed = await diagnoseFor(job.functionName, job.alias, job.window, budget.deadlineMs());
        reportPorts = diagnosed.ports;
        report = await fitFor(diagnosed.report, access.sharedChannel, diagnosed.ports.sources);
        message = messageFor(report, job.channel, { user: job.user });
      } else {
        const fleet = await fleetAcrossTargets({
          targets,
          runbook: options.runbook,
          windowMs: parseDuration(job.window, 'window'),
          deadlineMs: budget.deadlineMs(),
          now: now(),
          alias: job.alias,
          service: job.service,
        });
        message = job.service ? serviceMessage(serviceView(fleet, job.service)) : fleetMessage(fleet);
      }
    } catch (error) {
      await slack.respond(job.responseUrl, plainMessage(`gofn: ${describeError(error)}`));
      return;
    }
    let ts: string;
    try {
      ts = await postKept(job.channel, message);
    } catch (error) {
      // The report cannot go in the channel: answer through the command instead, and say why.
      await slack.respond(job.responseUrl, message, cannotPostInChannel(error));
      await slack.respond(
        job.responseUrl,
        plainMessage(
          cannotPostInChannel(error)
            ? 'Invite gofn to this channel (`/invite @gofn`) so it can post threads and update its buttons.'
            : ['gofn could not post the report in the channel: ', { mrkdwn: explainSlackFailure(error, job.channel) }],
        ),
      );
      return;
    }
    if (report && reportPorts) {
      await attachChart(job.channel, ts, report.function, parseDuration(job.window, 'window'), reportPorts);
    }
  }

  /** `/gofn cost`: the cost table in the channel, or through the command when it cannot go there. */
  async function runCost(job: CostJob, budget: Budget): Promise<void> {
    const access = await mayLook(job.user, job.channel);
    if (!access.allowed) {
      await slack.respond(job.responseUrl, plainMessage(access.sentence));
      return;
    }
    let messages: SlackMessage[];
    try {
      const selection = parseCostSelection(job.target);
      const home = targets.open(targets.targets[0]!).sources;
      const costs = await costAcrossTargets(targets, selection, { deadlineMs: budget.deadlineMs(), now: now() }).catch(
        (error: unknown) =>
          selection.kind === 'function' && !targets.configured
            ? explainNotFound(error, home, selection.name, 'live')
            : Promise.reject(error),
      );
      // One table per account and region (each its region's prices, its account's bill).
      messages = costs.map((cost) =>
        cost.report
          ? costMessage(
              targets.configured
                ? { ...cost.report, selection: `${cost.report.selection} in ${placeOfCost(cost)}` }
                : cost.report,
            )
          : plainMessage(`gofn: the cost of ${placeOfCost(cost)} could not be read: ${cost.problem}`),
      );
    } catch (error) {
      await slack.respond(job.responseUrl, plainMessage(`gofn: ${describeError(error)}`));
      return;
    }
    for (const message of messages) {
      try {
        await postKept(job.channel, message);
      } catch (error) {
        await slack.respond(job.responseUrl, message, cannotPostInChannel(error));
      }
    }
  }

  /** Says something to the person in the thread; if even that fails, logs it (nowhere else to say it). */
  async function tell(job: { channel: string; user: string }, message: SlackMessage, thread?: string): Promise<void> {
    await slack
      .ephemeral(job.channel, job.user, message, thread)
      .catch((error: unknown) =>
        log.error('could not tell the person', { problem: explainSlackFailure(error, job.channel) }),
      );
  }

  async function runActionJob(job: ActionJob, budget: Budget): Promise<void> {
    const checked = verifyActionToken(keys, job.token, {
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
    // The button names the function as the report did (`account/region/fn` when configured): the
    // action runs through that account's role, in that region.
    let found: Awaited<ReturnType<typeof resolveFunction>>;
    try {
      found = await resolveFunction(targets, claim.fn, claim.alias);
    } catch (error) {
      const outcome = await auditUnplanned(requestFromClaim(claim, job.user, targetNamed(targets, claim.fn)), error, {
        store,
        now,
        log,
      });
      await tell(job, plainMessage(outcome.sentence), thread);
      return;
    }
    const deps: ActionDeps = {
      sources: found.ports.sources,
      control: found.ports.control,
      store,
      settings,
      log,
      isInGroup,
      now,
      leaseSeconds: budget.leaseSeconds,
      holder: budget.holder,
      timeLeftMs: budget.leftMs,
      onProgress: async (sentence) => {
        await slack.post(job.channel, plainMessage(`⏳ ${sentence}`), thread).catch(() => undefined);
      },
    };
    const outcome = await runAction(
      { ...requestFromClaim(claim, job.user, found.ports.target), functionName: found.functionName },
      deps,
    );
    if (outcome.status === 'succeeded') {
      const line = plainMessage([{ user: job.user }, ` ${inZone(outcome.sentence)}`]);
      try {
        await slack.post(job.channel, line, thread);
      } catch (error) {
        // The change was made; the person must hear of it even if the thread cannot.
        await tell(
          job,
          plainMessage([
            `${inZone(outcome.sentence)}. gofn could not say so in the thread: `,
            { mrkdwn: explainSlackFailure(error, job.channel) },
          ]),
          thread,
        );
      }
      if (job.messageTs) {
        const original = await recallMessage(store, job.channel, job.messageTs).catch(() => undefined);
        if (original) {
          const updated = withActionDone(original, claim.kind, `✅ ${line.text}`);
          try {
            await slack.update(job.channel, job.messageTs, updated);
            await keepUpdatedMessage(store, job.channel, job.messageTs, updated).catch((error: unknown) =>
              log.warn('could not keep the updated report', { error }),
            );
          } catch (error) {
            await tell(
              job,
              plainMessage([
                "The report's buttons could not be updated: ",
                { mrkdwn: explainSlackFailure(error, job.channel) },
              ]),
              thread,
            );
          }
        }
      }
      return;
    }
    await tell(job, plainMessage(outcome.sentence), thread);
    if (outcome.status === 'failed') {
      await slack
        .post(
          job.channel,
          plainMessage([
            { user: job.user },
            ` tried to ${actionPhrase(claim.kind, claim.fn)}; it failed: ${outcome.sentence}`,
          ]),
          thread,
        )
        .catch((error: unknown) =>
          tell(
            job,
            plainMessage([
              'gofn could not say in the thread that it failed: ',
              { mrkdwn: explainSlackFailure(error, job.channel) },
            ]),
            thread,
          ),
        );
    }
  }

  /**
   * A click the ingress refused because the button does not name the person: the refusal was
   * shown in a modal; here it is audited like every other attempt.
   */
  async function auditRefusal(job: RefusalJob): Promise<void> {
    const checked = verifyActionToken(keys, job.token, {
      channel: job.channel,
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if ('problem' in checked) {
      log.warn('dropped a refusal whose token does not verify', { problem: checked.problem, user: job.user });
      return;
    }
    const { claim } = checked;
    await auditUnplanned(
      requestFromClaim(claim, job.user, targetNamed(targets, claim.fn)),
      new GofnError(ErrorCode.Forbidden, clickRefusal(claim.fn)),
      { store, now, log },
    );
  }

  /** The confirmation (or refusal) a modal could not show, as an ephemeral message. */
  async function sendFallback(job: FallbackJob): Promise<void> {
    const thread = job.threadTs;
    if (job.problem || !job.token) {
      await slack.ephemeral(
        job.channel,
        job.user,
        plainMessage(job.problem ?? describeTokenProblem('malformed')),
        thread,
      );
      return;
    }
    const checked = verifyActionToken(keys, job.token, {
      channel: job.channel,
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if ('problem' in checked) {
      await slack.ephemeral(job.channel, job.user, plainMessage(describeTokenProblem(checked.problem)), thread);
      return;
    }
    await slack.ephemeral(job.channel, job.user, confirmFallbackMessage(checked.claim, job.token, job.user), thread);
  }

  const alarmWorker = createAlarmWorker({
    threads,
    slack,
    log,
    now,
    cooldownMs: settings.alarmCooldownMs ?? ALARM_COOLDOWN_MS,
    report: async (alarm, target, channel, rootTs) => {
      let ports: TargetPorts | undefined;
      try {
        const diagnosed = await diagnoseFor(
          alarmFunctionRef(alarm, target.functionName),
          target.alias ?? 'live',
          '1h',
          currentBudget.deadlineMs(),
          // The parsed alarm is the report's context: its name, condition, reason, time and metric.
          alarm,
        );
        ports = diagnosed.ports;
        const report = await fitFor(diagnosed.report, await channelShared(channel), diagnosed.ports.sources);
        await postKept(channel, messageFor(report, channel, { alarm: alarm.name }), rootTs);
      } catch (error) {
        await slack
          .post(
            channel,
            plainMessage(`gofn could not diagnose ${target.functionName}: ${describeError(error)}`),
            rootTs,
          )
          .catch((again: unknown) =>
            log.error('could not post in the alarm thread', { problem: explainSlackFailure(again, channel) }),
          );
      }
      if (ports) await attachChart(channel, rootTs, target.functionName, 3_600_000, ports);
    },
  });
  let currentBudget: Budget = budgetOf(undefined);

  const sharedChannels = new Map<string, boolean>();
  async function channelShared(channel: string): Promise<boolean> {
    const known = sharedChannels.get(channel);
    if (known !== undefined) return known;
    const shared = await slack
      .channelInfo(channel)
      .then((c) => c.isExtShared)
      .catch(() => true);
    sharedChannels.set(channel, shared);
    return shared;
  }

  /**
   * The function an alarm is about, in the account and region of the alarm (its ARN) when that is
   * a configured one; else by name, looked for wherever it may be.
   */
  function alarmFunctionRef(alarm: UnderstoodAlarm, functionName: string): string {
    const [, , , region, accountId] = alarm.arn?.split(':') ?? [];
    const where = targets.targets.find((t) => t.accountId === accountId && t.region === region);
    return where && targets.configured ? qualifiedName(where, functionName) : functionName;
  }

  /** The function an alarm is about, following a composite alarm's children; undefined when gofn cannot tell. */
  async function targetOf(
    alarm: UnderstoodAlarm,
  ): Promise<{ alarm: UnderstoodAlarm; target: AlarmTarget | undefined }> {
    if (alarm.target || alarm.kind !== 'composite') return { alarm, target: alarm.target };
    const mapped = await mapComposite(alarm, { threads, alarms: options.alarms, log });
    if ('target' in mapped) {
      return {
        alarm: { ...alarm, target: mapped.target, functionName: mapped.target.functionName, unmapped: undefined },
        target: mapped.target,
      };
    }
    return { alarm: { ...alarm, unmapped: mapped.unmapped }, target: undefined };
  }

  return {
    async runJob(job: Job, options?: RunOptions): Promise<void> {
      const budget = budgetOf(options);
      await exactlyOnce(`job#${job.kind}#${job.id}`, budget, async () => {
        if (job.kind === 'status') await runStatus(job, budget);
        else if (job.kind === 'cost') await runCost(job, budget);
        else if (job.kind === 'action') await runActionJob(job, budget);
        else if (job.kind === 'refusal') await auditRefusal(job);
        else if (job.kind === 'fallback') await sendFallback(job);
        else
          await slack.ephemeral(job.channel, job.user, {
            text: USAGE,
            blocks: [{ type: 'section', text: { type: 'mrkdwn', text: USAGE } }],
          });
      });
    },

    /**
     * Never throws for a message gofn does not understand: it is logged and dropped. An alarm
     * gofn cannot map to a function still opens its thread, saying what it is and why.
     */
    async handleAlarm(sns: SnsAlarm, options?: RunOptions): Promise<void> {
      const budget = budgetOf(options);
      const understood = understandAlarm(sns.message);
      if ('problem' in understood) {
        log.warn('dropped an SNS message', { messageId: sns.messageId, problem: understood.problem });
        return;
      }
      if (understood.alarm.state === 'INSUFFICIENT_DATA') return;
      if (!settings.alarmChannel) {
        log.error('an alarm arrived but ALARM_CHANNEL is not set', { alarm: understood.alarm.name });
        return;
      }
      const { alarm, target } = await targetOf(understood.alarm);
      if (target) {
        const alias = target.alias ?? 'live';
        const managed = await resolveFunction(targets, alarmFunctionRef(alarm, target.functionName), alias)
          .then((found) => found.ports.sources.functions.getFunction(found.functionName, alias))
          .then((fn) => fn.tags['gofn:managed'] === 'true')
          .catch(() => false);
        if (!managed) {
          log.info('dropped an alarm for a function gofn does not manage', {
            alarm: alarm.name,
            functionName: target.functionName,
          });
          return;
        }
      } else {
        log.warn('an alarm gofn cannot map to a function opens its thread anyway', {
          alarm: alarm.name,
          why: alarm.unmapped,
        });
      }
      const channel = settings.alarmChannel;
      await exactlyOnce(`sns#${sns.messageId}`, budget, async () => {
        currentBudget = budget;
        await alarmWorker.handle(alarm, target, channel);
      });
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

/** Errors a delivery hands back to Lambda for its retry: no time left, or Slack would not take a thread's root. */
export function isHandedBack(error: unknown): boolean {
  return error instanceof GofnError && (error.code === ErrorCode.Timeout || error.code === ErrorCode.Upstream);
}

/** Action sentences tell times in UTC ("verified 15:07:12"); in Slack, readers are in many time zones. */
function inZone(sentence: string): string {
  return sentence.replace(/\(verified (\d\d:\d\d:\d\d)\)/, '(verified $1 UTC)');
}

/** `orders-api` of `prod/eu-west-1/orders-api`; the text itself when it is not a function reference. */
function nameOf(text: string): string {
  try {
    return parseFunctionRef(text).name;
  } catch {
    return text;
  }
}

function requestFromClaim(claim: ActionClaim, user: string, target: TargetRef | undefined): ActionRequest {
  const p = claim.params;
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  const num = (v: unknown) => (v === undefined || v === 'none' ? undefined : Number(v));
  // 'none' on a button: no reservation to keep, or no cap on the mapping.
  const cap = (v: unknown) => (v === undefined ? undefined : v === 'none' ? null : Number(v));
  const onSource =
    claim.kind === 'set-source-concurrency' || claim.kind === 'disable-source' || claim.kind === 'enable-source';
  return {
    kind: claim.kind,
    // The partition of audit records is the function's name, whatever account and region it is in.
    functionName: nameOf(claim.fn),
    alias: claim.alias,
    expected: onSource
      ? {
          mapping: str(p.mapping),
          ...(claim.kind === 'set-source-concurrency'
            ? { sourceConcurrencyFrom: cap(p.from), sourceConcurrencyTo: cap(p.to) }
            : {}),
        }
      : {
          fromVersion: str(p.fromVersion),
          toVersion: str(p.toVersion),
          concurrencyFrom: num(p.from),
          concurrencyTo: num(p.to),
          ...(claim.kind === 'lower-concurrency' && p.to === 'none' ? { removeConcurrency: true } : {}),
          queue: str(p.queue),
          version: str(p.version),
          seconds: num(p.seconds),
        },
    actor: { via: 'slack', id: user },
    requestId: claim.id,
    target,
  };
}
