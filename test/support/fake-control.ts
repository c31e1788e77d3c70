import { ErrorCode, GofnError } from '../../src/errors';
import type { AliasState, ControlPorts, DeploymentInfo, MappingState, QueueMessage } from '../../src/ports';

/** In-memory control ports for unit tests of actions and the worker. */
export interface FakeControl extends ControlPorts {
  aliases: Map<string, AliasState>;
  mappings: Map<string, MappingState>;
  concurrency: Map<string, number>;
  active: DeploymentInfo | undefined;
  stopped: string[];
  queues_: Map<string, QueueMessage[]>;
  invoked: string[];
}

export function fakeControl(): FakeControl {
  let revision = 1;
  const aliases = new Map<string, AliasState>();
  const concurrency = new Map<string, number>();
  const queues = new Map<string, QueueMessage[]>();
  const stopped: string[] = [];
  const invoked: string[] = [];
  const hiddenUntil = new Map<string, number>();
  const mappings = new Map<string, MappingState>();
  const control: FakeControl = {
    aliases,
    mappings,
    concurrency,
    active: undefined,
    stopped,
    queues_: queues,
    invoked,
    lambda: {
      getAlias: async (fn, alias) => {
        const state = aliases.get(`${fn}:${alias}`);
        if (!state) throw new GofnError(ErrorCode.NotFound, `no alias ${alias}`);
        return { ...state };
      },
      updateAlias: async (fn, alias, version, expected) => {
        const state = aliases.get(`${fn}:${alias}`)!;
        if (expected !== undefined && state.revisionId !== expected) {
          throw new GofnError(ErrorCode.Conflict, 'The alias changed since you looked.');
        }
        const next = { ...state, version, routing: {}, revisionId: `rev-${++revision}` };
        aliases.set(`${fn}:${alias}`, next);
        return next;
      },
      getReservedConcurrency: async (fn) => concurrency.get(fn),
      putReservedConcurrency: async (fn, value) => {
        concurrency.set(fn, value);
        return value;
      },
      deleteReservedConcurrency: async (fn) => {
        concurrency.delete(fn);
      },
      getEventSourceMapping: async (uuid) => {
        const mapping = mappings.get(uuid);
        if (!mapping) throw new GofnError(ErrorCode.NotFound, `no mapping ${uuid}`);
        return { ...mapping };
      },
      updateEventSourceMapping: async (uuid, change) => {
        const mapping = mappings.get(uuid);
        if (!mapping) throw new GofnError(ErrorCode.NotFound, `no mapping ${uuid}`);
        const next = {
          ...mapping,
          ...(change.enabled !== undefined ? { state: change.enabled ? 'Enabling' : 'Disabling' } : {}),
          ...(change.maximumConcurrency !== undefined
            ? { maximumConcurrency: change.maximumConcurrency ?? undefined }
            : {}),
        };
        mappings.set(uuid, next);
        return { ...next };
      },
      invokeAsync: async (_fn, _q, payload) => {
        invoked.push(payload);
      },
    },
    deploys: {
      findActiveDeployment: async () => control.active,
      getDeployment: async (id) => ({ ...(control.active as DeploymentInfo), id, status: 'Stopped' }),
      stopDeployment: async (id) => {
        stopped.push(id);
        return 'Succeeded';
      },
    },
    queues: {
      startMessageMoveTask: async () => {
        throw new GofnError(ErrorCode.Unsupported, 'StartMessageMoveTask is not available here.');
      },
      listMessageMoveTasks: async () => [],
      // Like SQS, a received message stays hidden for the visibility timeout unless deleted.
      receive: async (arn, max, visibilitySeconds) => {
        const now = Date.now();
        const visible = (queues.get(arn) ?? [])
          .filter((m) => (hiddenUntil.get(m.receiptHandle) ?? 0) <= now)
          .slice(0, max);
        for (const m of visible) hiddenUntil.set(m.receiptHandle, now + visibilitySeconds * 1000);
        return visible.map((m) => ({ ...m }));
      },
      sendBatch: async (arn, messages) => {
        queues.set(arn, [
          ...(queues.get(arn) ?? []),
          ...messages.map((m) => ({ ...m, messageId: `${m.messageId}-moved` })),
        ]);
        return new Set(messages.map((m) => m.messageId));
      },
      deleteBatch: async (arn, receipts) => {
        const set = new Set(receipts);
        queues.set(
          arn,
          (queues.get(arn) ?? []).filter((m) => !set.has(m.receiptHandle)),
        );
        return set;
      },
    },
  };
  return control;
}
