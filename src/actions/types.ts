import type { ActionKind } from '../checks/types';
import type { Log } from '../log';
import type { CallOptions, ControlPorts, RecordStore, Sources, TargetRef } from '../ports';

/** Who asked: a Slack user, or a person at a terminal (whose AWS credentials are the authority). */
export interface Actor {
  via: 'slack' | 'cli';
  /** Slack user ID, or `user@host` for the CLI. */
  id: string;
}

/** What was asked, as carried by a button token or typed on the command line. */
export interface ActionRequest {
  kind: ActionKind;
  functionName: string;
  alias: string;
  /** What the person saw when they asked: the plan must still match it. */
  expected: {
    fromVersion?: string | undefined;
    toVersion?: string | undefined;
    concurrencyFrom?: number | undefined;
    concurrencyTo?: number | undefined;
    queue?: string | undefined;
    /** lower-concurrency: remove the reservation instead of setting `concurrencyTo`. */
    removeConcurrency?: boolean | undefined;
    /** The event-source mapping to act on: its UUID, or its queue's or stream's name. */
    mapping?: string | undefined;
    /** set-source-concurrency: the MaximumConcurrency seen, and the one to set (null: remove the cap). */
    sourceConcurrencyFrom?: number | null | undefined;
    sourceConcurrencyTo?: number | null | undefined;
    /** Profile: the version to record (default the alias's) and for how long (default 30 s). */
    version?: string | undefined;
    seconds?: number | undefined;
    /**
     * Where `toVersion` came from when it was not asked for but planned (the CLI shows a plan,
     * then runs it pinned): the audit keeps saying so. Default `requested`.
     */
    targetSource?: RollbackTargetSource | undefined;
  };
  actor: Actor;
  /** Idempotency key: the same key never runs twice. */
  requestId: string;
  /**
   * The account and region the function is in (the one `deps.sources` and `deps.control` reach):
   * the refusal names it and the audit record keeps it. Absent in requests made before accounts
   * and regions existed.
   */
  target?: TargetRef | undefined;
}

/** `stable`: during a canary, the alias's own FunctionVersion, kept while the weights are cleared. */
export type RollbackTargetSource = 'requested' | 'history' | 'deployment' | 'versions' | 'stable';

/** The exact change, computed from the current state right before executing it. */
export type Plan =
  | {
      kind: 'rollback';
      sentence: string;
      functionName: string;
      alias: string;
      method: 'update-alias';
      fromVersion: string;
      toVersion: string;
      /** Where the target came from: the confirmed button, the canary's stable version, recorded history, the last deployment, or the version list. */
      targetSource: RollbackTargetSource;
      revisionId: string | undefined;
      /** The alias's FunctionVersion when planned (during a canary, the stable one; `fromVersion` is the canary's). */
      aliasVersion?: string | undefined;
      clearsRouting: Record<string, number>;
    }
  | {
      kind: 'rollback';
      sentence: string;
      functionName: string;
      alias: string;
      method: 'stop-deployment';
      fromVersion: string;
      deploymentId: string;
    }
  | {
      kind: 'raise-concurrency';
      sentence: string;
      functionName: string;
      alias: string;
      from: number | undefined;
      to: number;
    }
  | {
      kind: 'lower-concurrency';
      sentence: string;
      functionName: string;
      alias: string;
      from: number;
      /** null: remove the reservation (DeleteFunctionConcurrency). */
      to: number | null;
    }
  | {
      kind: 'set-source-concurrency';
      sentence: string;
      functionName: string;
      alias: string;
      uuid: string;
      sourceName: string;
      from: number | undefined;
      /** null: remove the mapping's cap. */
      to: number | null;
    }
  | {
      kind: 'disable-source' | 'enable-source';
      sentence: string;
      functionName: string;
      alias: string;
      uuid: string;
      sourceName: string;
      stateBefore: string;
    }
  | {
      kind: 'replay-dlq';
      sentence: string;
      functionName: string;
      alias: string;
      dlqArn: string;
      dlqName: string;
      messages: number;
      /**
       * `sqs-source`: back to the event source queue; `dead-letter-config`: re-invoke the function
       * with each message's body (the event); `on-failure`: re-invoke it with each invocation
       * record's requestPayload.
       */
      mode: 'sqs-source' | 'dead-letter-config' | 'on-failure';
      destinationArn: string | undefined;
      /** Both queues are FIFO: messages keep their group and deduplication IDs. */
      fifo?: boolean | undefined;
    }
  | {
      kind: 'profile';
      sentence: string;
      functionName: string;
      alias: string;
      version: string;
      /** How long each warm instance records, from when it reads the flag. */
      seconds: number;
      /** The SSM parameter the function reads, and the bucket it uploads to (its gofn:profile tags). */
      parameter: string;
      bucket: string;
      /** Names this request's profiles in the bucket; one recording per instance per session. */
      session: string;
    };

export type OutcomeStatus = 'succeeded' | 'refused' | 'conflict' | 'failed' | 'duplicate';

export interface ActionOutcome {
  status: OutcomeStatus;
  /** One sentence for the person: what happened, before → after. */
  sentence: string;
  plan: Plan | undefined;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  verifiedAt: string | undefined;
}

export interface ActionSettings {
  /** Reserved concurrency gofn never sets above. */
  maxConcurrency: number;
  /** Messages per second a DLQ replay moves. */
  replayRatePerSecond: number;
  /**
   * How long a message a replay has received stays hidden from others while it is sent and
   * deleted; after a crash, that is how soon the message is back in the DLQ. Default 60 s.
   */
  replayVisibilitySeconds?: number;
  /** Slack users and user groups allowed to act on every function. */
  admins: string[];
  /**
   * Profiling: how long the functions reuse a read of their flag (GOFN_PROFILE_FLAG_TTL_SECONDS,
   * 30 s), and how long after the window gofn waits for the last uploads (5 s).
   */
  profiling?: { flagTtlSeconds: number; uploadGraceSeconds: number };
}

export interface ActionDeps {
  sources: Sources;
  control: ControlPorts;
  store: RecordStore;
  settings: ActionSettings;
  log: Log;
  /** Is this Slack user in this user group? (usergroups.users.list behind a cache). */
  isInGroup?: (groupId: string, userId: string) => Promise<boolean>;
  /** Long work (a replay) reports progress here, at most every few seconds. */
  onProgress?: (sentence: string) => Promise<void> | void;
  now?: () => Date;
  call?: CallOptions;
  /**
   * How long this run holds the action before another delivery may take it over. Default 15 min;
   * the worker sets the invocation's remaining time, after which nobody is running it.
   */
  leaseSeconds?: number | undefined;
  /** What is left of the invocation running the action: a long action (profiling) ends its wait in time. */
  timeLeftMs?: () => number | undefined;
  /**
   * The invocation running this (Lambda request ID): a retry of the same invocation takes over
   * its claim at once (see claims.ts).
   */
  holder?: string | undefined;
}
