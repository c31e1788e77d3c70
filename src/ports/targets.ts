/** Several accounts and regions: the ports of each, opened on demand. */
import type { TargetRef } from '../targets';
import type { ControlPorts } from './control';
import type { Sources } from './sources';
import type { ChartPort } from './store';

export type { TargetRef } from '../targets';

/** The ports of one account and region. */
export interface TargetPorts {
  target: TargetRef;
  sources: Sources;
  control: ControlPorts;
  /** Graphs of the functions there (GetMetricWidgetImage in that account and region), when available. */
  chart?: ChartPort;
}

/**
 * The accounts and regions gofn looks at. Opening a target costs nothing until a port is used:
 * an account's role is assumed on its first request, and its credentials are shared by every
 * region and service of the account until shortly before they expire. When the role cannot be
 * assumed, every call of that account's ports fails with a GofnError saying so; the other
 * targets are not affected.
 */
export interface TargetSet {
  /** Every account × region, in configuration order. */
  readonly targets: readonly TargetRef[];
  /**
   * Whether the targets come from a configuration. Unconfigured, there is exactly one target
   * (the caller's credentials and region) and names need no account or region.
   */
  readonly configured: boolean;
  open(target: TargetRef): TargetPorts;
}
