/** gofn's own state, the job hand-off and graphs. */
import type { CallOptions } from './common';

/** One item of gofn's single table: threads, audit records, idempotency claims, pending actions. */
export interface StoredRecord {
  pk: string;
  sk: string;
  /** Epoch seconds after which the record is gone (DynamoDB TTL); absent: kept. */
  expiresAt?: number | undefined;
  /** Incremented by every update; conditional updates compare it. */
  version: number;
  data: Record<string, unknown>;
}

export interface RecordStore {
  get(pk: string, sk: string, opts?: CallOptions): Promise<StoredRecord | undefined>;
  /**
   * Creates the record with version 1 only if no live record has this key (an expired one that
   * TTL has not removed yet counts as absent). Resolves false if one exists.
   */
  create(record: Omit<StoredRecord, 'version'>, opts?: CallOptions): Promise<boolean>;
  /**
   * Replaces `data` (and `expiresAt` if given) only if the stored version is `expectedVersion`,
   * and increments the version. Resolves false when someone else updated it first.
   */
  updateIf(
    pk: string,
    sk: string,
    expectedVersion: number,
    data: Record<string, unknown>,
    expiresAt?: number,
    opts?: CallOptions,
  ): Promise<boolean>;
  /** Records of a partition, by sort key, newest (largest) first unless `ascending`. */
  query(
    pk: string,
    options?: { limit?: number; ascending?: boolean; skPrefix?: string },
    opts?: CallOptions,
  ): Promise<StoredRecord[]>;
}

/** Hands a job from the ingress (which must ack within 3 s) to the worker. */
export interface JobQueuePort {
  enqueue(job: unknown, opts?: CallOptions): Promise<void>;
}

export interface ChartPort {
  /** CloudWatch GetMetricWidgetImage: a PNG of the widget definition. */
  metricWidgetImage(widget: Record<string, unknown>, opts?: CallOptions): Promise<Uint8Array>;
}
