/** CPU profiles of warm instances: the flag the workloads read, and the bucket they write to. */
import type { CallOptions } from './common';

export interface ProfileFlagPort {
  /** The flag parameter's value (SSM GetParameter); undefined when the parameter does not exist. */
  read(parameter: string, opts?: CallOptions): Promise<string | undefined>;
  /** Overwrites the flag parameter (SSM PutParameter, a String). */
  write(parameter: string, value: string, opts?: CallOptions): Promise<void>;
}

export interface StoredObject {
  key: string;
  size: number;
}

export interface ProfileStorePort {
  /** Every object whose key starts with `prefix` (ListObjectsV2, all pages). */
  list(bucket: string, prefix: string, opts?: CallOptions): Promise<StoredObject[]>;
  /** An object's bytes and its user metadata (x-amz-meta-*). */
  get(bucket: string, key: string, opts?: CallOptions): Promise<{ body: Uint8Array; metadata: Record<string, string> }>;
  put(bucket: string, key: string, body: Uint8Array, opts?: CallOptions): Promise<void>;
}

export interface ProfilePorts {
  flags: ProfileFlagPort;
  store: ProfileStorePort;
}
