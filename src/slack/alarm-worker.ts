import { describeError, ErrorCode, GofnError } from '../errors';
import { formatClock } from '../format';
import type { Log } from '../log';
import type { AlarmsPort } from '../ports';
import { alarmNameOf, lambdaTargetOf, type AlarmTarget, type UnderstoodAlarm } from './alarm-message';
import type { SlackOut } from './out';
import { alarmResolvedMessage, alarmRootMessage, plainMessage } from './render/alarm';
import type { SlackMessage } from './render/report';
import { explainSlackFailure } from './slack-problems';
import type { AlarmThreads, Episode } from './threads';

/**
 * Alarm threads as a workspace sees them: notifications arrive late, twice, out of order, OK
 * before ALARM, and Slack sometimes refuses the root post. Each notification is applied in the
 * order of its StateChangeTime; a root that could not be posted is posted by the next
 * notification of the episode (or Lambda's retry of this one); an alarm that comes back within
 * the cool-down after it cleared reopens its thread instead of starting a new one.
 */
export interface AlarmWorkerDeps {
  threads: AlarmThreads;
  slack: SlackOut;
  log: Log;
  now: () => Date;
  /** Posts the diagnosis of `target` in the thread (report and graph); never throws. */
  report: (alarm: UnderstoodAlarm, target: AlarmTarget, channel: string, rootTs: string) => Promise<void>;
  /** How long after an OK a new ALARM reuses the thread. */
  cooldownMs: number;
  /** How long a worker may take to post a root before the next notification posts it instead. */
  rootLeaseMs?: number;
}

const ROOT_LEASE_MS = 60_000;

type AlarmStep =
  | 'open'
  | 'recover'
  | 'recover-repeat'
  | 'wait'
  | 'repeat'
  | 'report'
  | 'reopen'
  | 'post-resolved'
  | 'stale'
  | 'duplicate';

type OkStep = 'resolve' | 'resolve-recover' | 'resolve-wait' | 'early' | 'stale';

const iso = (d: Date) => d.toISOString();
const ms = (text: string | undefined) => (text ? Date.parse(text) : Number.NaN);

/** The thread's root as it stands: ALARM (maybe flapping) or resolved. */
function rootFor(alarm: UnderstoodAlarm, episode: Episode): SlackMessage {
  if (episode.state === 'OK' && episode.resolvedAt) {
    const opened = episode.openedAt ? new Date(episode.openedAt) : alarm.changedAt;
    return alarmResolvedMessage({ ...alarm, changedAt: new Date(episode.resolvedAt) }, opened);
  }
  const root = alarmRootMessage(alarm);
  if (!episode.reopened) return root;
  const again = ` (back in ALARM ×${episode.reopened + 1} in this thread)`;
  return { ...root, text: `${root.text}${again}` };
}

export function createAlarmWorker(deps: AlarmWorkerDeps) {
  const { threads, slack, log } = deps;
  const leaseMs = deps.rootLeaseMs ?? ROOT_LEASE_MS;
  const nowMs = () => deps.now().getTime();

  /** Posts the root of the episode this worker holds the root lease of; hands the work back on failure. */
  async function postRoot(alarm: UnderstoodAlarm, channel: string, episode?: Episode): Promise<string> {
    try {
      const ts = await slack.post(channel, rootFor(alarm, episode ?? ({ state: 'ALARM' } as Episode)));
      await threads.change(alarm.name, (ep) =>
        ep && !ep.rootTs
          ? { write: { ...ep, rootTs: ts, rootLeaseUntil: undefined }, result: undefined }
          : { result: undefined },
      );
      return ts;
    } catch (error) {
      // Let the next notification (or Lambda's retry of this one) post it.
      await threads
        .change(alarm.name, (ep) =>
          ep && !ep.rootTs ? { write: { ...ep, rootLeaseUntil: 0 }, result: undefined } : { result: undefined },
        )
        .catch(() => undefined);
      log.error('could not post the root of an alarm thread; the notification goes back for a retry', {
        alarm: alarm.name,
        channel,
        problem: explainSlackFailure(error, channel),
      });
      throw new GofnError(
        ErrorCode.Upstream,
        `The thread of ${alarm.name} could not be opened: ${explainSlackFailure(error, channel)}`,
        { cause: error },
      );
    }
  }

  async function diagnoseOnce(
    alarm: UnderstoodAlarm,
    target: AlarmTarget | undefined,
    channel: string,
    rootTs: string,
  ) {
    if (!target) return;
    await deps.report(alarm, target, channel, rootTs);
    await threads
      .change(alarm.name, (ep) =>
        ep && !ep.reported ? { write: { ...ep, reported: true }, result: undefined } : { result: undefined },
      )
      .catch((error: unknown) =>
        log.warn('could not note that the thread has its report', { alarm: alarm.name, error }),
      );
  }

  async function reply(episode: Episode, text: string) {
    if (!episode.rootTs) return;
    await slack.post(episode.channel, plainMessage(text), episode.rootTs);
  }

  async function onAlarm(alarm: UnderstoodAlarm, target: AlarmTarget | undefined, channel: string): Promise<void> {
    const t = alarm.changedAt.getTime();
    const fresh = (): Episode => ({
      state: 'ALARM',
      functionName: target?.functionName ?? '',
      channel,
      rootLeaseUntil: nowMs() + leaseMs,
      openedAt: iso(alarm.changedAt),
      lastChangeAt: iso(alarm.changedAt),
    });
    const step = await threads.change<AlarmStep>(alarm.name, (ep) => {
      if (!ep) return { write: fresh(), result: 'open' };
      const leaseLive = !ep.rootTs && (ep.rootLeaseUntil ?? 0) > nowMs();
      if (ep.state === 'OK') {
        const resolvedAt = ms(ep.resolvedAt);
        if (t <= resolvedAt) {
          // This ALARM is older than the OK already applied: the alarm has cleared since.
          if (ep.rootTs || leaseLive) return { result: 'stale' };
          return {
            write: { ...ep, openedAt: ep.openedAt || iso(alarm.changedAt), rootLeaseUntil: nowMs() + leaseMs },
            result: 'post-resolved',
          };
        }
        if (ep.rootTs && t - resolvedAt <= deps.cooldownMs) {
          return {
            write: {
              ...ep,
              state: 'ALARM',
              resolvedAt: undefined,
              lastChangeAt: iso(alarm.changedAt),
              reopened: (ep.reopened ?? 0) + 1,
              reported: false,
            },
            result: 'reopen',
          };
        }
        return { write: fresh(), result: 'open' };
      }
      const last = ms(ep.lastChangeAt);
      if (t < last) return { result: 'stale' };
      const later = t > last;
      if (!ep.rootTs) {
        if (leaseLive) return { result: 'wait' };
        return {
          write: { ...ep, rootLeaseUntil: nowMs() + leaseMs, lastChangeAt: iso(new Date(Math.max(t, last))) },
          result: later ? 'recover-repeat' : 'recover',
        };
      }
      if (later) return { write: { ...ep, lastChangeAt: iso(alarm.changedAt) }, result: 'repeat' };
      return { result: ep.reported ? 'duplicate' : 'report' };
    });

    switch (step) {
      case 'open':
      case 'recover':
      case 'recover-repeat': {
        const rootTs = await postRoot(alarm, channel);
        const episode = await threads.get(alarm.name);
        if (step !== 'open')
          log.info('posted the root of an alarm thread a notification before could not', { alarm: alarm.name });
        if (!episode?.reported) await diagnoseOnce(alarm, target, channel, rootTs);
        if (step === 'recover-repeat' && episode)
          await reply({ ...episode, rootTs }, `Still in ALARM: ${alarm.reason || alarm.condition}`);
        return;
      }
      case 'wait': {
        const episode = await threads.waitForRoot(alarm.name);
        if (!episode?.rootTs) {
          // The worker that opened the episode has not posted its root yet (Slack is slow or
          // rate limiting it): hand this one back, so Lambda's retry replies in the thread.
          log.warn('a repeated ALARM found no thread to reply in yet', { alarm: alarm.name });
          throw new GofnError(ErrorCode.Timeout, `The thread of ${alarm.name} has no root message yet.`);
        }
        if (t > ms(episode.openedAt)) await reply(episode, `Still in ALARM: ${alarm.reason || alarm.condition}`);
        return;
      }
      case 'repeat': {
        const episode = await threads.get(alarm.name);
        if (episode) await reply(episode, `Still in ALARM: ${alarm.reason || alarm.condition}`);
        return;
      }
      case 'report': {
        const episode = await threads.get(alarm.name);
        if (episode?.rootTs) await diagnoseOnce(alarm, target, episode.channel, episode.rootTs);
        return;
      }
      case 'reopen': {
        const episode = (await threads.get(alarm.name))!;
        await slack.update(episode.channel, episode.rootTs!, rootFor(alarm, episode));
        await reply(
          episode,
          `🔴 Back in ALARM at ${formatClock(alarm.changedAt)} UTC, within ${Math.round(deps.cooldownMs / 60_000)} min of clearing: this thread goes on instead of a new one.`,
        );
        await diagnoseOnce(alarm, target, episode.channel, episode.rootTs!);
        return;
      }
      case 'post-resolved': {
        const resolved = await threads.get(alarm.name);
        const rootTs = await postRoot(alarm, channel, resolved);
        const episode = await threads.get(alarm.name);
        await reply(
          { ...(episode ?? ({ channel } as Episode)), rootTs },
          `The ALARM of ${formatClock(alarm.changedAt)} UTC reached gofn after the alarm had cleared${episode?.resolvedAt ? ` at ${formatClock(new Date(episode.resolvedAt))} UTC` : ''}; nothing to diagnose now.`,
        );
        return;
      }
      default:
        log.info('an ALARM notification was older than what the thread already shows', { alarm: alarm.name, step });
    }
  }

  async function onOk(alarm: UnderstoodAlarm, target: AlarmTarget | undefined, channel: string): Promise<void> {
    const t = alarm.changedAt.getTime();
    const step = await threads.change<OkStep>(alarm.name, (ep) => {
      if (!ep) {
        // OK before its ALARM: kept, so the late ALARM knows the alarm cleared already.
        return {
          write: {
            state: 'OK',
            functionName: target?.functionName ?? '',
            channel,
            openedAt: '',
            resolvedAt: iso(alarm.changedAt),
            lastChangeAt: iso(alarm.changedAt),
          },
          result: 'early',
        };
      }
      if (t <= ms(ep.lastChangeAt) || ep.state === 'OK') return { result: 'stale' };
      const resolved: Episode = {
        ...ep,
        state: 'OK',
        resolvedAt: iso(alarm.changedAt),
        lastChangeAt: iso(alarm.changedAt),
      };
      if (ep.rootTs) return { write: resolved, result: 'resolve' };
      if ((ep.rootLeaseUntil ?? 0) > nowMs()) return { write: resolved, result: 'resolve-wait' };
      return { write: { ...resolved, rootLeaseUntil: nowMs() + leaseMs }, result: 'resolve-recover' };
    });

    if (step === 'early' || step === 'stale') {
      log.info('an OK arrived for an alarm with no open thread', { alarm: alarm.name, step });
      return;
    }
    let episode = await threads.get(alarm.name);
    if (step === 'resolve-recover') {
      await postRoot(alarm, channel, episode);
      episode = await threads.get(alarm.name);
    } else if (step === 'resolve-wait') {
      episode = await threads.waitForRoot(alarm.name);
      if (!episode?.rootTs)
        throw new GofnError(ErrorCode.Timeout, `The thread of ${alarm.name} has no root message yet.`);
    }
    if (!episode?.rootTs) return;
    const opened = episode.openedAt ? new Date(episode.openedAt) : alarm.changedAt;
    const resolved = alarmResolvedMessage(alarm, opened);
    if (step !== 'resolve-recover') await slack.update(episode.channel, episode.rootTs, resolved);
    await reply(episode, `Resolved: ${alarm.name} · lasted ${resolved.text.replace(/^.* · lasted /, '')}.`);
  }

  return {
    handle(alarm: UnderstoodAlarm, target: AlarmTarget | undefined, channel: string): Promise<void> {
      return alarm.state === 'ALARM' ? onAlarm(alarm, target, channel) : onOk(alarm, target, channel);
    },
  };
}

/**
 * The function a composite alarm is about: through its children (the threads gofn keeps for
 * the child alarms it was notified of, then the metrics CloudWatch says each child watches),
 * else the composite alarm's own `gofn:function` tag.
 */
export async function mapComposite(
  alarm: UnderstoodAlarm,
  deps: { threads: AlarmThreads; alarms: AlarmsPort | undefined; log: Log },
): Promise<{ target: AlarmTarget } | { unmapped: string }> {
  const fromThreads = new Set<string>();
  for (const child of alarm.children) {
    const episode = await deps.threads.get(child).catch(() => undefined);
    if (episode?.functionName) fromThreads.add(episode.functionName);
  }
  const one = (names: Set<string>, via: AlarmTarget['via']) =>
    names.size === 1
      ? { target: { functionName: [...names][0]!, alias: undefined, version: undefined, via } }
      : undefined;
  const known = one(fromThreads, 'child');
  if (known) return known;

  let looked = '';
  if (deps.alarms && alarm.children.length > 0) {
    try {
      const children = await deps.alarms.metricAlarms(alarm.children);
      const names = new Set<string>();
      for (const child of children) {
        for (const m of child.metrics) {
          const t = lambdaTargetOf(m.namespace, m.dimensions);
          if (t) names.add(t.functionName);
        }
        const described = /gofn:function=([A-Za-z0-9_-]{1,64})/.exec(child.description ?? '')?.[1];
        if (described) names.add(described);
      }
      const mapped = one(names, 'child');
      if (mapped) return mapped;
      if (names.size > 1) looked = `its children watch ${names.size} functions (${[...names].slice(0, 3).join(', ')})`;
    } catch (error) {
      deps.log.warn('could not describe the children of a composite alarm', { alarm: alarm.name, error });
      looked = `CloudWatch would not describe its children (${describeError(error)})`;
    }
  }
  if (deps.alarms && alarm.arn) {
    try {
      const tag = (await deps.alarms.alarmTags(alarm.arn))['gofn:function'];
      if (tag && /^[A-Za-z0-9_-]{1,64}$/.test(tag)) {
        return { target: { functionName: tag, alias: undefined, version: undefined, via: 'tag' } };
      }
    } catch (error) {
      deps.log.warn('could not read the tags of a composite alarm', { alarm: alarm.name, error });
    }
  }
  const children = alarm.children.map(alarmNameOf);
  return {
    unmapped:
      (looked ||
        (children.length > 0
          ? `none of its children (${children.slice(0, 3).join(', ')}${children.length > 3 ? ', …' : ''}) watches one function gofn can name`
          : 'gofn sees none of its children')) + '; tag the alarm gofn:function=<function> to tell gofn',
  };
}
